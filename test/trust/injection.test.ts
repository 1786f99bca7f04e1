// Hostile names, comments and weights. Nothing from a `.net` file may put code into the emitted
// module: non-identifiers are rejected by the lexer, reserved words and dangerous keys by a
// diagnostic at the name, names that match the emitter's own identifiers are renamed (and then
// train exactly like plain names), and source text reaches the output only inside `//` comments.
// Weights handed to setWeights are validated without ever touching a prototype.
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it, vi } from "vitest";
import { analyze, compile } from "../../compiler/index.js";
import { loadGenerated } from "../../cli/load.js";
import type { Model } from "../../cli/generated-types.js";
import { makeRng } from "../support/helpers.js";
import { netArb, printNet, TRICKY_NAMES, type NetSpec } from "./netgen.js";
import { checkGradients } from "../support/finite-differences.js";
import { badPosition, loadUnformatted } from "./support.js";

vi.setConfig({ testTimeout: 120_000 });

/** A small model with a name slot in every kind of declaration. */
function withName(slot: string, name: string, others: Record<string, string> = {}): string {
  const n = (s: string, plain: string) => (s === slot ? name : others[s] ?? plain);
  const [u, inner] = [n("blockParam", "u"), n("blockBinding", "inner")];
  return `block ${n("block", "twice")}(${u}, k) {\n  ${inner} = tanh(dense(${u}, k))\n  return ${u} + ${inner}\n}
model ${n("model", "m")} {
  input ${n("input", "x")}[2]
  target ${n("target", "y")}[2]
  param ${n("param", "W")}[2, 2]
  ${n("binding", "h")} = ${n("block", "twice")}(${n("input", "x")} @ ${n("param", "W")}, 2)
  p = sigmoid(${n("binding", "h")})
  output p
  loss bce(p, ${n("target", "y")})
}\n`;
}
/** Slots whose names reach the emitted code (as identifiers, keys or `info`). */
const SLOTS = ["model", "input", "target", "param", "binding"];
/** Block names and parameters are macro names that never reach the emitted code. */
const BLOCK_SLOTS = ["block", "blockParam", "blockBinding"];

function diagnosticsFor(source: string) {
  const { diagnostics } = analyze(source);
  for (const d of diagnostics) expect(badPosition(d, source), d.message).toBeUndefined();
  return diagnostics;
}

describe("names from the .net file", () => {
  it("the template compiles with plain names", () => {
    expect(diagnosticsFor(withName("none", ""))).toEqual([]);
  });

  it("quotes, semicolons, backticks and line separators in a name are rejected by the lexer", () => {
    const payloads = [`x"; process.exit(1);//`, "x'; globalThis.pwned = 1; //", "x`${globalThis.pwned = 1}`", "x\\u0022", "x\u2028globalThis.pwned=1", "a-b", "x/*", "$x"];
    for (const slot of [...SLOTS, ...BLOCK_SLOTS]) {
      for (const payload of payloads) expect(diagnosticsFor(withName(slot, payload)).length, `${slot}: ${payload}`).toBeGreaterThan(0);
    }
  });

  it("reserved words and dangerous keys are refused with a diagnostic at the name", () => {
    const words = ["__proto__", "__defineGetter__", "constructor", "prototype", "const", "new", "class", "function", "this", "await", "yield",
      "let", "static", "enum", "delete", "typeof", "void", "with", "import", "export", "eval", "arguments", "undefined", "NaN", "Infinity",
      "globalThis", "Math", "Float64Array", "createModel", "interface", "implements", "package", "private", "super", "null", "true"];
    for (const slot of SLOTS) {
      for (const word of words) {
        const source = withName(slot, word);
        const at = diagnosticsFor(source).map((d) => source.slice(d.span.start, d.span.end));
        expect(at, `${word} as ${slot}`).toContain(word);
      }
    }
  });

  it("reserved words as block names, block parameters and bindings inside blocks are harmless", async () => {
    const plain = await loadUnformatted(withName("none", ""));
    const plainIds = identifiersIn(plain.code);
    const words = ["__proto__", "constructor", "const", "this", "eval", "Math", "toString", "arguments"];
    for (const [i, word] of words.entries()) {
      const other = words[(i + 1) % words.length]!;
      const { model, code } = await loadUnformatted(withName("block", word, { blockBinding: word, blockParam: other }));
      expect(sameTraining(plain.create(), model), word).toBe(true);
      if (!plainIds.has(word)) expect(identifiersIn(code), word).not.toContain(word);
    }
  });

  it("unicode look-alikes are rejected, naming the character", () => {
    for (const name of ["xа" /* Cyrillic a */, "ｘ" /* fullwidth */, "x\u200b", "ℎ", "x\u0301"]) {
      const diags = diagnosticsFor(withName("binding", name));
      expect(diags.some((d) => /unexpected character/.test(d.message)), name).toBe(true);
    }
  });

  it("names matching the emitter's own identifiers compile, gradient-check, and train exactly like plain names", async () => {
    const base: NetSpec = fc.sample(netArb, { seed: 3, numRuns: 1 })[0]!;
    const spec: NetSpec = {
      ...base, inWidth: 3, sugar: false,
      hidden: [{ width: 3, act: "tanh", residual: true, form: "block" }, { width: 4, act: "relu", residual: false, form: "dense" }, { width: 4, act: "sigmoid", residual: true, form: "param" }],
      head: { kind: "class", width: 3, act: "none", form: "dense", fused: false },
    };
    const plain = await loadUnformatted(printNet({ ...spec, names: undefined }).source);
    for (let i = 0; i + 7 <= TRICKY_NAMES.length; i += 7) {
      const names = TRICKY_NAMES.slice(i, i + 7);
      const tricky = await loadUnformatted(printNet({ ...spec, names }).source);
      expect(sameTraining(plain.create(), tricky.model), names.join(" ")).toBe(true);
      const rng = makeRng(i);
      const x = Float64Array.from({ length: 9 }, () => 2 * rng() - 1);
      expect(checkGradients(tricky.model, x, new Float64Array([0, 2, 1]), 3).failures, names.join(" ")).toEqual([]);
    }
  });
});

/** Every identifier in the module's syntax tree (comments are not part of it). */
function identifiersIn(code: string): Set<string> {
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) found.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile("m.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS));
  return found;
}

/** Fresh models with the same weights by position: predictions, losses and steps agree bit for bit. */
function sameTraining(a: Model, b: Model): boolean {
  const wa = Object.values(a.getWeights());
  b.setWeights(Object.fromEntries(Object.keys(b.getWeights()).map((name, i) => [name, { data: wa[i]!.data }])));
  const rng = makeRng(9);
  const { input, target } = a.info;
  const x = Float64Array.from({ length: 3 * input.width }, () => 2 * rng() - 1);
  const y = Float64Array.from({ length: 3 * target.width }, (_, i) => (target.classes !== null ? i % target.classes : rng()));
  const trace = (m: Model) => [...m.predict(x, 3), m.loss(x, y, 3), ...[1, 2, 3].map(() => m.trainStep(x, y, 3)), ...m.fit(x, y, 3, { epochs: 2 }).losses];
  const [ta, tb] = [trace(a), trace(b)];
  return ta.length === tb.length && ta.every((v, i) => Object.is(v, tb[i]));
}

describe("source text in emitted comments", () => {
  it("comments and line separators inside a multi-line expression stay inside `//` comments", async () => {
    const evil = "*/ globalThis.pwned = 1; /* ` ${globalThis.pwned = 2} \\u2028 \u2028 globalThis.pwned = 3; \u2029 globalThis.pwned = 4; \r globalThis.pwned = 5;";
    const source = `model m {\n  input x[2]\n  target y[1]\n  h = tanh(dense(x, # ${evil}\n    3))\n  p = sigmoid(dense(h, # ${evil}\n  1))\n  output p\n  loss bce(p, y)\n}\n`;
    expect(diagnosticsFor(source)).toEqual([]);
    const { code } = await compile(source, { file: "evil\u2028globalThis.pwned = 6;\n//.net" });
    expect(code).toContain("pwned"); // the text is there, in comments...
    expect(identifiersIn(code)).not.toContain("pwned"); // ...but never as code
    const model = (await loadGenerated(code)).createModel();
    model.fit(new Float64Array([0.1, 0.2, 0.3, 0.4]), new Float64Array([1, 0]), 2, { epochs: 2 });
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  });
});

describe("setWeights with hostile values", () => {
  const source = `model m {\n  input x[2]\n  target y[1]\n  p = sigmoid(dense(x, 1))\n  output p\n  loss bce(p, y)\n}\n`;
  const rejected: [string, () => unknown, RegExp][] = [
    ["a __proto__ key (JSON.parse makes it an own property)", () => JSON.parse('{"__proto__": {"data": [1, 2]}}'), /unknown weight "__proto__"/],
    ["constructor", () => ({ constructor: { data: [1, 2] } }), /unknown weight "constructor"/],
    ["null", () => null, /expected an object/],
    ["a number", () => 42, /expected an object/],
    ["a string", () => "p.W", /expected an object/],
    ["a null entry", () => ({ "p.W": null }), /'p.W'/],
    ["string data", () => ({ "p.W": { data: "ab" } }), /not a finite number/],
    ["NaN", () => ({ "p.W": { data: [NaN, 1] } }), /NaN, not a finite number/],
    ["Infinity", () => ({ "p.W": { data: [1, -Infinity] } }), /Infinity, not a finite number/],
    ["a hole", () => ({ "p.W": { data: [, 1] } }), /undefined, not a finite number/], // eslint-disable-line no-sparse-arrays
    ["BigInts", () => ({ "p.W": { data: new BigInt64Array(2) } }), /not a finite number/],
    ["objects with valueOf", () => ({ "p.W": { data: [{ valueOf: () => 1 }, 2] } }), /not a finite number/],
    ["10^7 values", () => ({ "p.W": { data: new Float64Array(1e7) } }), /needs 2 values, got 10000000/],
    ["a wrong shape", () => ({ "p.W": { data: [1, 2], shape: [1, 2] } }), /has shape \[2, 1\], got \[1, 2\]/],
    ["a string shape", () => ({ "p.W": { data: [1, 2], shape: "21" } }), /has shape \[2, 1\]/],
    ["a throwing getter", () => ({ "p.W": { get data() { throw new Error("boom"); } } }), /boom/],
    ["a good tensor next to a bad one", () => ({ "p.b": { data: [5] }, "p.W": { data: [1, NaN] } }), /not a finite number/],
  ];

  it.each(rejected)("%s is rejected with a clear error and changes nothing", async (_, make, message) => {
    const { model } = await loadUnformatted(source);
    const before = model.getWeights();
    expect(() => model.setWeights(make() as never)).toThrow(message);
    expect(model.getWeights()).toEqual(before);
  });

  it("a nested __proto__ is ignored, a lying data source cannot slip NaN in, and no prototype is polluted", async () => {
    const { model } = await loadUnformatted(source);
    model.setWeights(JSON.parse('{"p.W": {"data": [1, 2], "__proto__": {"polluted": true}}, "p.b": {"data": [3], "constructor": {"prototype": {"polluted": true}}}}'));
    expect([...model.getWeights()["p.W"]!.data, ...model.getWeights()["p.b"]!.data]).toEqual([1, 2, 3]);
    let reads = 0; // valid while checked, NaN when read again
    const data = new Proxy([4, 5], { get: (t, k) => (typeof k === "string" && /^\d+$/.test(k) ? (reads++ < 2 ? t[Number(k)] : NaN) : Reflect.get(t, k)) });
    try {
      model.setWeights({ "p.W": { data } });
    } catch {
      // rejecting is as good as copying what was checked
    }
    expect([...model.getWeights()["p.W"]!.data].every(Number.isFinite)).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});
