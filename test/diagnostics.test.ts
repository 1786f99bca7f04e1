// Each diagnostic with its exact text, position and caret, as `netc check` prints it; then the
// runner for test/cases/*.net, whose `# expect-error: LINE:COL message` comments are the test.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, compileToGraph, formatDiagnostic, NetcError } from "../compiler/index.js";
import { TRAIN_SETTINGS } from "../compiler/lower/train.js";
import { OPTIMIZER_DEFAULTS } from "../compiler/optim/index.js";

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

const CASES: [string, string, string[]][] = [
  ["unknown name", model(`  p = sigmoid(dense(q, 1))\n${OK_TAIL}`), [
    "t.net:4:21: error: unknown name 'q'\n    p = sigmoid(dense(q, 1))\n                      ^",
  ]],
  ["unknown function", model(`  p = sigmoyd(dense(x, 1))\n${OK_TAIL}`), [
    "t.net:4:7: error: unknown function 'sigmoyd'; did you mean 'sigmoid'?\n    p = sigmoyd(dense(x, 1))\n        ^~~~~~~",
  ]],
  ["a value called like a function", model(`  h = dense(x, 1)\n  p = h(x)\n${OK_TAIL}`), [
    "t.net:5:7: error: 'h' is a value, not a function\n    p = h(x)\n        ^",
  ]],
  ["too few arguments", model(`  p = sigmoid(dense(x))\n${OK_TAIL}`), [
    "t.net:4:15: error: 'dense' expects 2 to 3 arguments, got 1 (missing 'n')\n    p = sigmoid(dense(x))\n                ^~~~~~~~",
  ]],
  ["too many arguments: caret on the first extra one", model(`  p = sigmoid(x, 1)\n${OK_TAIL}`), [
    "t.net:4:18: error: 'sigmoid' expects 1 argument, got 2\n    p = sigmoid(x, 1)\n                   ^",
  ]],
  ["a required argument missing among named ones", model(`  p = sigmoid(dense(x, init: he))\n${OK_TAIL}`), [
    "t.net:4:15: error: call to 'dense' is missing argument 'n'\n    p = sigmoid(dense(x, init: he))\n                ^~~~~~~~~~~~~~~~~~",
  ]],
  ["unknown argument name (its value is not reported as an unknown name)", model(`  p = sigmoid(dense(x, 1, inti: he))\n${OK_TAIL}`), [
    "t.net:4:27: error: 'dense' has no argument named 'inti'; did you mean 'init'? (its arguments: x, n, init)\n    p = sigmoid(dense(x, 1, inti: he))\n                            ^~~~",
  ]],
  ["wrong argument count of a block", `block r(x, n) {\n  return x + relu(dense(x, n))\n}\n${model(`  p = sigmoid(r(x))\n${OK_TAIL}`)}`, [
    "t.net:7:15: error: block 'r' expects 2 arguments, got 1\n    p = sigmoid(r(x))\n                ^~~~",
  ]],
  ["shape mismatch in @ names both shapes", model(`  param W[3, 1]\n  p = sigmoid(x @ W)\n${OK_TAIL}`), [
    "t.net:5:15: error: shape mismatch in '@': 'x' has shape [B,2], 'W' has shape [3,1]; the last dimension of the left side (2) must equal the first of the right side (3)\n    p = sigmoid(x @ W)\n                ^~~~~",
  ]],
  ["shape mismatch in + names both expressions", model("  h = dense(x, 3)\n  p = h + dense(x, 2)\n  output p\n  loss mse(p, y)"), [
    "t.net:5:7: error: shape mismatch: 'h' has shape [B,3] but 'dense(x, 2)' has shape [B,2] ('+' needs shapes that broadcast)\n    p = h + dense(x, 2)\n        ^~~~~~~~~~~~~~~",
  ]],
  ["duplicate definition in a model", model(`  p = dense(x, 1)\n  p = sigmoid(dense(x, 1))\n${OK_TAIL}`), [
    "t.net:5:3: error: duplicate definition of 'p' (first defined at line 4)\n    p = sigmoid(dense(x, 1))\n    ^",
  ]],
  ["duplicate model", model(`  p = sigmoid(dense(x, 1))\n${OK_TAIL}`) + model(`  p = sigmoid(dense(x, 1))\n${OK_TAIL}`), [
    "t.net:8:7: error: duplicate definition of 'm' (first defined at line 1)\n  model m {\n        ^",
  ]],
  ["use before definition", model(`  p = sigmoid(h)\n  h = dense(x, 1)\n${OK_TAIL}`), [
    "t.net:4:15: error: 'h' is used before its definition (line 5)\n    p = sigmoid(h)\n                ^",
  ]],
  ["missing output", model("  p = sigmoid(dense(x, 1))\n  loss bce(p, y)"), [
    "t.net:1:7: error: model 'm' has no 'output' (add 'output NAME' or a 'layers' block)\n  model m {\n        ^",
  ]],
  ["missing loss", model("  p = sigmoid(dense(x, 1))\n  output p"), [
    "t.net:1:7: error: model 'm' has no 'loss'\n  model m {\n        ^",
  ]],
  ["bce whose prediction does not fit the target", model("  p = sigmoid(dense(x, 3))\n  output p\n  loss bce(p, y)"), [
    "t.net:6:8: error: loss shapes do not fit: 'p' has shape [B,3] but 'y' has shape [B,1]\n    loss bce(p, y)\n         ^~~~~~~~~",
  ]],
  ["cross_entropy with class(3) but two outputs", "model m {\n  input x[2]\n  target label: class(3)\n  p = softmax(dense(x, 2))\n  output p\n  loss cross_entropy(p, label)\n}\n", [
    "t.net:6:8: error: loss shapes do not fit: 'p' has shape [B,2] but 'label' is class(3), which needs [B,3]\n    loss cross_entropy(p, label)\n         ^~~~~~~~~~~~~~~~~~~~~~~",
  ]],
  ["bce on a class(K) target", "model m {\n  input x[2]\n  target label: class(3)\n  p = softmax(dense(x, 3))\n  output p\n  loss bce(p, label)\n}\n", [
    "t.net:6:15: error: 'bce' needs a target of the same shape as 'p', but 'label' is class(3); use cross_entropy\n    loss bce(p, label)\n                ^~~~~",
  ]],
  ["a loss that is not a scalar", model("  p = sigmoid(dense(x, 1))\n  output p\n  loss p * y"), [
    "t.net:6:8: error: loss must be a scalar, but 'p * y' has shape [B,1] (use mean(...) or a loss function)\n    loss p * y\n         ^~~~~",
  ]],
  ["bad number literal", model(`  p = sigmoid(dense(x, 1.2.3))\n${OK_TAIL}`), [
    "t.net:4:24: error: bad number literal '1.2.3'\n    p = sigmoid(dense(x, 1.2.3))\n                         ^~~~~",
  ]],
  ["number literal out of range", model(`  p = sigmoid(dense(x, 1e999))\n${OK_TAIL}`), [
    "t.net:4:24: error: number literal '1e999' is out of range\n    p = sigmoid(dense(x, 1e999))\n                         ^~~~~",
  ]],
  ["unterminated block", "model m {\n  input x[2]\n  target y[1]\n  p = sigmoid(dense(x, 1))\n  output p\n  loss bce(p, y)\n", [
    "t.net:1:9: error: unterminated block: '{' is never closed\n  model m {\n          ^",
  ]],
  ["recursive block", `block f(x, n) {\n  return f(x, n)\n}\n${model(`  p = sigmoid(f(x, 1))\n${OK_TAIL}`)}`, [
    "t.net:2:10: error: recursive block: f -> f\n    return f(x, n)\n           ^",
  ]],
  ["mutually recursive blocks: reported in each", `block f(x, n) {\n  return g(x, n)\n}\nblock g(x, n) {\n  return f(x, n)\n}\n${model(`  p = sigmoid(f(x, 1))\n${OK_TAIL}`)}`, [
    "t.net:2:10: error: recursive block: f -> g -> f\n    return g(x, n)\n           ^",
    "t.net:5:10: error: recursive block: g -> f -> g\n    return f(x, n)\n           ^",
  ]],
  ["'const' is a TypeScript reserved word", model("  const = sigmoid(dense(x, 1))\n  output const\n  loss bce(const, y)"), [
    "t.net:4:3: error: 'const' is a reserved word in TypeScript\n    const = sigmoid(dense(x, 1))\n    ^~~~~",
  ]],
  ["'new' is a TypeScript reserved word", model("  new = sigmoid(dense(x, 1))\n  output new\n  loss bce(new, y)"), [
    "t.net:4:3: error: 'new' is a reserved word in TypeScript\n    new = sigmoid(dense(x, 1))\n    ^~~",
  ]],
  ["'__proto__' is reserved", model("  __proto__ = sigmoid(dense(x, 1))\n  output __proto__\n  loss bce(__proto__, y)"), [
    "t.net:4:3: error: '__proto__' is reserved: names starting with '__' are reserved\n    __proto__ = sigmoid(dense(x, 1))\n    ^~~~~~~~~",
  ]],
  ["'constructor' is reserved", model("  constructor = sigmoid(dense(x, 1))\n  output constructor\n  loss bce(constructor, y)"), [
    "t.net:4:3: error: 'constructor' is reserved in emitted code\n    constructor = sigmoid(dense(x, 1))\n    ^~~~~~~~~~~",
  ]],
  ["'Math' is reserved", model("  Math = sigmoid(dense(x, 1))\n  output Math\n  loss bce(Math, y)"), [
    "t.net:4:3: error: 'Math' is reserved in emitted code\n    Math = sigmoid(dense(x, 1))\n    ^~~~",
  ]],
  ["a reserved model name", "model class {\n  input x[2]\n  target y[1]\n  p = sigmoid(dense(x, 1))\n  output p\n  loss bce(p, y)\n}\n", [
    "t.net:1:7: error: 'class' is a reserved word in TypeScript\n  model class {\n        ^~~~~",
  ]],
  ["a name colliding with dense's weight in emitted code", model("  h1_W = dense(x, 2)\n  h1 = tanh(dense(h1_W, 2))\n  p = sigmoid(dense(h1, 1))\n  output p\n  loss bce(p, y)"), [
    "t.net:4:3: error: 'h1_W' collides with parameter 'h1.W' in emitted code (rename one of them)\n    h1_W = dense(x, 2)\n    ^~~~",
  ]],
  ["a param colliding with a layers weight", "model m {\n  input x[2]\n  target y[1]\n  param layer1_b[3]\n  layers { dense 3 tanh; dense 1 sigmoid }\n  loss bce\n}\n", [
    "t.net:4:9: error: 'layer1_b' collides with parameter 'layer1.b' in emitted code (rename one of them)\n    param layer1_b[3]\n          ^~~~~~~~",
  ]],
  ["unknown layer (and no cascading 'no output')", "model m {\n  input x[2]\n  target y[1]\n  layers { conv 3 relu; dense 1 sigmoid }\n  loss bce\n}\n", [
    "t.net:4:12: error: unknown layer 'conv' (expected one of: dense, batchnorm, layernorm, dropout, or an activation)\n    layers { conv 3 relu; dense 1 sigmoid }\n             ^~~~",
  ]],
  ["unknown optimizer: caret on its name", model(`  p = sigmoid(dense(x, 1))\n${OK_TAIL}\n  train { optimizer sgdd(lr: 0.1) }`), [
    `t.net:7:21: error: unknown optimizer 'sgdd'; did you mean 'sgd'? (expected one of: ${OPTIMIZERS})\n    train { optimizer sgdd(lr: 0.1) }\n                      ^~~~`,
  ]],
];

describe("diagnostics: exact text, position and caret", () => {
  it.each(CASES)("%s", (_, source, expected) => {
    expect(check(source)).toEqual(expected);
  });

  it("several errors in one file are all reported in one run, in source order", () => {
    const source = model("  h = dense(q, 3)\n  p = sigmoyd(h)\n  z = x @ W\n  output p\n  loss bce(p, y)\n  train { epoch 3 }");
    expect(check(source)).toEqual([
      "t.net:4:13: error: unknown name 'q'\n    h = dense(q, 3)\n              ^",
      "t.net:5:7: error: unknown function 'sigmoyd'; did you mean 'sigmoid'?\n    p = sigmoyd(h)\n        ^~~~~~~",
      "t.net:6:11: error: unknown name 'W'\n    z = x @ W\n            ^",
      `t.net:9:11: error: unknown training setting 'epoch'; did you mean 'epochs'? (expected one of: ${SETTINGS})\n    train { epoch 3 }\n            ^~~~~`,
    ]);
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

// `# expect-error: LINE:COL message` lines, or `# expect-ok` for a file that must be clean.
const CASES_DIR = new URL("./cases/", import.meta.url);
const caseFiles = readdirSync(CASES_DIR).filter((f) => f.endsWith(".net")).sort();

function expectations(source: string): { errors: string[]; ok: boolean } {
  const errors: string[] = [];
  let ok = false;
  for (const line of source.split("\n")) {
    const m = /#\s*expect-error:\s*(\d+):(\d+)\s+(.*?)\s*$/.exec(line);
    if (m) errors.push(`${m[1]}:${m[2]} ${m[3]}`);
    if (/#\s*expect-ok\s*$/.test(line)) ok = true;
  }
  return { errors, ok };
}

function wildcard(expectation: string): RegExp {
  return new RegExp(`^${expectation.split("{*}").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

describe("test/cases/*.net: expectations written in the files", () => {
  it("there are case files", () => {
    expect(caseFiles.length).toBeGreaterThanOrEqual(10);
  });

  it("{*} in an expectation matches any text, and nothing else is special", () => {
    expect(wildcard("1:2 expected one of: {*})").test("1:2 expected one of: a, b)")).toBe(true);
    expect(wildcard("1:2 got '1.5' (x)").test("1:2 got '115' (x)")).toBe(false);
  });

  it.each(caseFiles)("%s", (file) => {
    const source = readFileSync(new URL(file, CASES_DIR), "utf8");
    const { errors, ok } = expectations(source);
    expect(ok !== errors.length > 0, `${file} needs '# expect-error: LINE:COL message' lines or '# expect-ok'`).toBe(true);
    const actual = analyze(source).diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
    // `{*}` in an expectation matches any text, for lists of choices that grow with the language.
    const matched = actual.map((a, i) => (errors[i] !== undefined && wildcard(errors[i]!).test(a) ? errors[i]! : a));
    expect(matched).toEqual(errors);
  });
});
