import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, printAst } from "../../grammar/index.js";
import type { Expr, Program, Stmt } from "../../grammar/ast.js";
import { Diagnostics, formatDiagnostic } from "../../diagnostics/index.js";

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

describe("robustness", () => {
  /** mulberry32: a tiny seeded PRNG so failures reproduce. */
  function prng(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function checkInvariants(source: string): void {
    const diags = new Diagnostics();
    let program: Program | undefined;
    expect(() => (program = parse(source, diags)), JSON.stringify(source)).not.toThrow();
    expect(() => printAst(program!)).not.toThrow();
    for (const d of diags.list) {
      const context = `${JSON.stringify(source)} → ${d.message}`;
      expect(d.message, context).not.toMatch(/^internal/);
      expect(d.span.line, context).toBeGreaterThanOrEqual(1);
      expect(d.span.col, context).toBeGreaterThanOrEqual(1);
      expect(d.span.start, context).toBeLessThanOrEqual(d.span.end);
      expect(d.span.end, context).toBeLessThanOrEqual(source.length);
      // line:col must name the same place as the offset.
      const before = source.slice(0, d.span.start).split("\n");
      expect([d.span.line, d.span.col], context).toEqual([before.length, before[before.length - 1]!.length + 1]);
    }
  }

  it("2000 random byte strings never throw and give well-formed spans", () => {
    const random = prng(1);
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 80);
      const chars = Array.from({ length }, () => {
        const r = random();
        return String.fromCharCode(r < 0.9 ? Math.floor(random() * 256) : Math.floor(random() * 0x10000));
      });
      checkInvariants(chars.join(""));
    }
  });

  it("2000 random token soups never throw and give well-formed spans", () => {
    const vocabulary = [
      "model", "block", "input", "target", "param", "output", "loss", "layers", "train", "return",
      "x", "dense", "class", "lr", "0", "2", "0.5", "1e-8", "1.2.3", "3x", "1e400",
      "{", "}", "(", ")", "[", "]", ",", ":", ";", "=", "+", "-", "*", "/", "@",
      "\n", "\n", "\r\n", " ", "\t", "# note\n", "é", "\u0000", "😀",
    ];
    const random = prng(2);
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(random() * 60);
      const words = Array.from({ length }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);
      checkInvariants(words.join(random() < 0.5 ? " " : ""));
    }
  });

  it("500 examples with a few characters deleted, duplicated or swapped never throw", () => {
    const random = prng(3);
    const sources = EXAMPLES.map(example);
    for (let i = 0; i < 500; i++) {
      let source = sources[i % sources.length]!;
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * source.length);
        const other = Math.floor(random() * source.length);
        const r = random();
        if (r < 0.4) source = source.slice(0, at) + source.slice(at + 1);
        else if (r < 0.7) source = source.slice(0, at) + source[other] + source.slice(at);
        else source = source.slice(0, at) + source[other] + source.slice(at + 1);
      }
      checkInvariants(source);
    }
  });
});
