import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, printAst } from "../../grammar/index.js";
import type { Expr, Program, Stmt } from "../../grammar/ast.js";
import { Diagnostics, formatDiagnostic } from "../../diagnostics/index.js";
import { describeGrammarFuzz } from "./fuzz.js";

const EXAMPLES = ["logistic", "xor", "lecture", "iris", "regression"];
function example(name: string): string {
  return readFileSync(new URL(`../../examples/${name}.net`, import.meta.url), "utf8");
}

function parseOk(source: string): Program {
  const diags = new Diagnostics();
  const program = parse(source, diags);
  expect(diags.list).toEqual([]);
  return program;
}

/** Every diagnostic as the CLI would print it. */
function errorsOf(source: string): string[] {
  const diags = new Diagnostics();
  parse(source, diags);
  return diags.list.map((d) => formatDiagnostic(d, "t.net", source));
}

const model = (source: string): Stmt[] => parseOk(source).decls[0]!.body;

describe("examples", () => {
  it.each(EXAMPLES)("%s.net parses without diagnostics", (name) => {
    expect(parseOk(example(name)).decls.length).toBeGreaterThan(0);
  });

  it("logistic.net: statements and the spans of the nested call", () => {
    const source = example("logistic");
    const [decl] = parseOk(source).decls;
    expect(decl).toMatchObject({ kind: "model", name: { name: "logistic" }, span: { line: 2, col: 1 } });
    expect(decl!.body.map((s) => s.kind)).toEqual(["input", "target", "assign", "output", "loss", "train"]);
    expect(decl!.body[0]).toMatchObject({ kind: "input", name: { name: "x" }, dims: [{ value: 2 }] });

    const assign = decl!.body[2] as Extract<Stmt, { kind: "assign" }>;
    const sigmoid = assign.value as Extract<Expr, { kind: "call" }>;
    const dense = sigmoid.args[0]!.value as Extract<Expr, { kind: "call" }>;
    expect(dense.callee.name).toBe("dense");
    expect(dense.span).toMatchObject({ line: 6, col: 15 });
    expect(source.slice(dense.span.start, dense.span.end)).toBe("dense(x, 1)");
    expect(source.slice(sigmoid.span.start, sigmoid.span.end)).toBe("sigmoid(dense(x, 1))");
    expect(source.slice(assign.span.start, assign.span.end)).toBe("p = sigmoid(dense(x, 1))");
    expect(dense.args.map((a) => a.value)).toMatchObject([
      { kind: "name", name: "x", span: { line: 6, col: 21 } },
      { kind: "num", value: 1, text: "1", span: { line: 6, col: 24 } },
    ]);

    const train = decl!.body[5] as Extract<Stmt, { kind: "train" }>;
    expect(train.settings.map((s) => s.name.name)).toEqual(["optimizer", "epochs", "batch", "seed"]);
    expect(train.settings[0]!.value).toMatchObject({
      kind: "call",
      callee: { name: "sgd" },
      args: [{ name: { name: "lr" }, value: { kind: "num", value: 0.5 } }],
    });
    expect(source.slice(train.span.start, train.span.end)).toMatch(/^train \{[^]*\n {2}\}$/);
  });

  it("lecture.net: precedence and left associativity, spans from left to right operand", () => {
    const source = example("lecture");
    const h = model(source)[6] as Extract<Stmt, { kind: "assign" }>;
    const sum = (h.value as Extract<Expr, { kind: "call" }>).args[0]!.value;
    expect(sum).toMatchObject({ kind: "binary", op: "+", left: { kind: "binary", op: "@" }, right: { name: "b1" } });
    expect(source.slice(sum.span.start, sum.span.end)).toBe("x @ W1 + b1");
    expect(model(source)[2]).toMatchObject({ kind: "param", dims: [{ value: 2 }, { value: 2 }], init: { kind: "call" } });
    expect(model(source)[3]).toMatchObject({ kind: "param", init: { kind: "name", name: "zeros" } });
  });

  it("iris.net: block with return, class target, named argument", () => {
    const [block, iris] = parseOk(example("iris")).decls;
    expect(block).toMatchObject({ kind: "block", name: { name: "residual" }, params: [{ name: "x" }, { name: "n" }] });
    expect(block!.body[0]).toMatchObject({ kind: "return", values: [{ kind: "binary", op: "+" }] });
    expect(iris!.body[1]).toMatchObject({ kind: "target", name: { name: "label" }, dims: [], classes: { value: 3 } });
    const h1 = iris!.body[2] as Extract<Stmt, { kind: "assign" }>;
    expect((h1.value as Extract<Expr, { kind: "call" }>).args[0]!.value).toMatchObject({
      kind: "call",
      args: [{ value: { name: "x" } }, { value: { value: 16 } }, { name: { name: "init" }, value: { name: "he" } }],
    });
  });

  it("regression.net: layers on one line, a layer without activation", () => {
    const layers = model(example("regression"))[2] as Extract<Stmt, { kind: "layers" }>;
    expect(layers.layers).toHaveLength(2);
    expect(layers.layers[0]).toMatchObject({ kind: { name: "dense" }, args: [{ value: { value: 32 } }], activation: { name: "tanh" } });
    expect(layers.layers[1]!.activation).toBeUndefined();
  });

  it("printAst(xor.net) is stable", () => {
    expect(printAst(parseOk(example("xor")))).toBe(
      [
        "(model 2:1 xor",
        "  (input 3:3 x [2])",
        "  (target 4:3 y [1])",
        "  (layers 5:3",
        "    (layer 6:5 dense 8@6:11 -> tanh@6:13)",
        "    (layer 7:5 dense 1@7:11 -> sigmoid@7:13))",
        "  (loss 9:3 bce@9:8)",
        "  (train 10:3",
        "    (optimizer 10:11 (call sgd 10:21 lr: 1.0@10:29))",
        "    (epochs 10:35 3000@10:42)",
        "    (batch 10:48 4@10:54)",
        "    (seed 10:57 7@10:62)))",
        "",
      ].join("\n"),
    );
  });
});

describe("syntax", () => {
  it("newlines inside parentheses do not end a statement; blank lines and repeated ';' are fine", () => {
    const body = model("model m {\n\n  p = f(a,\n        b)\n;;\n  output p;\n}\n");
    expect(body.map((s) => s.kind)).toEqual(["assign", "output"]);
    expect(body[0]).toMatchObject({ kind: "assign", value: { kind: "call", args: [{}, {}] } });
  });

  it("unary minus binds tighter than '*', which binds tighter than '-'", () => {
    const [stmt] = model("model m { y = a - -b * c }");
    expect(stmt).toMatchObject({
      value: { op: "-", left: { name: "a" }, right: { op: "*", left: { kind: "neg", operand: { name: "b" } } } },
    });
  });

  it("layer lines take numbers, named args and one activation in any order", () => {
    const [stmt] = model("model m {\n  layers { dense 16 relu init: he }\n}");
    expect(stmt).toMatchObject({
      layers: [{ args: [{ value: { value: 16 } }, { name: { name: "init" }, value: { name: "he" } }], activation: { name: "relu" } }],
    });
  });

  it("keywords are not prefixes of names", () => {
    expect(model("model m { models = inputs }")[0]).toMatchObject({ kind: "assign", name: { name: "models" } });
  });
});

describe("diagnostics", () => {
  // The cases of the grammar's diagnostics are files: test/cases/syntax/. These two do not fit in
  // a file: a NUL byte, and inputs thousands of characters long.
  it("unexpected character, with non-printables escaped; lexing continues", () => {
    expect(errorsOf("model m {\n  y = café + \u0000\n}")).toEqual([
      "t.net:2:10: error: unexpected character 'é'\n    y = café + \u0000\n           ^",
      "t.net:2:14: error: unexpected character '\\u0000'\n    y = café + \u0000\n               ^",
    ]);
  });

  it("deep nesting is reported once instead of overflowing the stack", () => {
    const nested = (n: number) => `model m {\n  x = ${"f(".repeat(n)}1${")".repeat(n)}\n  y = (\n}\n`;
    expect(errorsOf(nested(100))).toHaveLength(1); // only the unfinished `y = (`
    for (const n of [201, 100_000]) {
      const errors = errorsOf(nested(n));
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(/^t\.net:2:208: error: expression nested too deeply\n/);
      expect(errors[1]).toMatch(/^t\.net:4:1: error: expected an expression but found '}'\n/);
    }
    expect(errorsOf(`model m { x = ${"-".repeat(100_000)}1 }`)[0]).toMatch(/expression nested too deeply/);
    expect(errorsOf(`model m { x = 1${" + 1".repeat(10_000)} }`)[0]).toMatch(/expression nested too deeply/);
  });
});

// The parser never throws and its spans are well formed on random and damaged input; the long
// suite (grammar-fuzz.long.test.ts) runs the same checks on ten times as many inputs.
describeGrammarFuzz({ bytes: 500, soups: 500, edits: 150 });
