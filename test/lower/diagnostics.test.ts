// How diagnostics are printed (the line and a caret under the offending text) and the errors
// that concern a whole file. Each diagnostic's text and position: test/cases/ (test/cases.test.ts).
import { describe, expect, it } from "vitest";
import { analyze, compileToGraph, formatDiagnostic, NetcError } from "../../compiler/index.js";
import { TRAIN_SETTINGS } from "../../compiler/lower/train.js";
import { OPTIMIZER_DEFAULTS } from "../../compiler/optim/index.js";

// Lists of choices grow with the language; the messages name them from these tables.
const OPTIMIZERS = Object.keys(OPTIMIZER_DEFAULTS).join(", ");
const SETTINGS = TRAIN_SETTINGS.join(", ");

function check(source: string): string[] {
  return analyze(source).diagnostics.map((d) => formatDiagnostic(d, "t.net", source));
}

/** A model with input x[2] and target y[1] on lines 2-3; `body` starts on line 4. */
function model(body: string, name = "m"): string {
  return `model ${name} {\n  input x[2]\n  target y[1]\n${body}\n}\n`;
}

const OK_TAIL = "  output p\n  loss bce(p, y)";

describe("diagnostics as netc check prints them: file, position, message, the line and a caret", () => {
  it("a caret as wide as the offending text, and one column for a name", () => {
    expect(check(model(`  p = sigmoid(dense(q))\n${OK_TAIL}`))).toEqual([
      "t.net:4:15: error: 'dense' expects 2 to 3 arguments, got 1 (missing 'n')\n    p = sigmoid(dense(q))\n                ^~~~~~~~",
      "t.net:4:21: error: unknown name 'q'\n    p = sigmoid(dense(q))\n                      ^",
    ]);
  });

  it("lists of choices are the tables the language is defined by (the case files write {*})", () => {
    expect(check(model(`  p = sigmoid(dense(x, 1))\n${OK_TAIL}\n  train { optimizer sgdd(lr: 0.1); epoch 3 }`))).toEqual([
      `t.net:7:21: error: unknown optimizer 'sgdd'; did you mean 'sgd'? (expected one of: ${OPTIMIZERS})\n    train { optimizer sgdd(lr: 0.1); epoch 3 }\n                      ^~~~`,
      `t.net:7:36: error: unknown training setting 'epoch'; did you mean 'epochs'? (expected one of: ${SETTINGS})\n    train { optimizer sgdd(lr: 0.1); epoch 3 }\n                                     ^~~~~`,
    ]);
  });

  it("compileToGraph throws every diagnostic of the file, formatted, in source order", () => {
    const source = model("  h = dense(q, 3)\n  p = sigmoyd(h)\n  output p\n  loss bce(p, y)");
    expect(check(source).map((d) => d.split("\n")[0])).toEqual(["t.net:4:13: error: unknown name 'q'", "t.net:5:7: error: unknown function 'sigmoyd'; did you mean 'sigmoid'?"]);
    let thrown: unknown;
    try {
      compileToGraph(source, { file: "t.net" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(NetcError);
    expect((thrown as NetcError).message).toBe(check(source).join("\n"));
  });

  it("a file with no model, and one with several models and no --model", () => {
    const fail = (source: string, options = {}) => {
      try {
        compileToGraph(source, { file: "t.net", ...options });
      } catch (e) {
        return (e as NetcError).message;
      }
      return "compiled";
    };
    expect(fail("block r(x, n) {\n  return x\n}\n")).toBe("t.net:1:1: error: no model in this file (expected 'model NAME { ... }')\n  block r(x, n) {\n  ^");
    const two = model(`  p = sigmoid(dense(x, 1))\n${OK_TAIL}`, "a") + model(`  p = sigmoid(dense(x, 1))\n${OK_TAIL}`, "b");
    expect(fail(two)).toBe("t.net:8:7: error: this file defines several models (a, b); choose one with --model\n  model b {\n        ^");
    expect(fail(two, { model: "b" })).toBe("compiled");
    expect(fail(two, { model: "c" })).toBe("t.net:1:7: error: no model named 'c' (this file has: a, b)\n  model a {\n        ^");
  });
});
