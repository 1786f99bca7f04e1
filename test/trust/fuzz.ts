// Fuzzing the front end and the compiler behind it: random bytes, random token sequences and
// mutations of the example files. Every input must end in diagnostics whose positions are real
// places in the source, or in a successful compile — never an uncaught exception, an
// "internal" error, or a slow case — and a sample of the successful compiles must type-check.
// Seeded, so every run tries the same inputs. fuzz.test.ts runs a tenth of the full size in
// `npm test`, fuzz.long.test.ts the full size (NETC_FUZZ_SCALE=10 tries ten times as many,
// NETC_FUZZ_SEED=n other ones).
import { describe, expect, it } from "vitest";
import { analyze, compile, compileToGraph, formatDiagnostic, NetcError } from "../../compiler/index.js";
import type { Diagnostic } from "../../diagnostics/index.js";
import { EXAMPLES, exampleSource, makeRng } from "../support/helpers.js";
import { badPosition } from "./support.js";
import { typecheck } from "../support/typecheck.js";

const SEED = Number(process.env.NETC_FUZZ_SEED ?? 0) * 1000;
/**
 * A case slower than this fails: a guard against blow-ups (exponential work on a deep chain),
 * not a speed goal, so it is ten times what the slowest case takes on a busy machine (a hang
 * shows up as a test timeout instead).
 */
const CASE_MS = 30_000;

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

/** What a run of `check` saw: inputs, compiles, and a few compiled sources to type-check. */
interface Tally {
  cases: number;
  compiled: number;
  sources: string[];
}

/** Runs one input through the whole front and middle end and checks the outcome. */
function check(stats: Tally, source: string, what: string): void {
  stats.cases++;
  const started = performance.now();
  const context = () => `${what}: ${JSON.stringify(source.length > 400 ? `${source.slice(0, 400)}…` : source)}`;
  const verify = (list: readonly Diagnostic[]) => {
    for (const d of list) {
      const bad = badPosition(d, source);
      if (bad) throw new Error(`${context()}\ndiagnostic '${d.message}' has a bad position: ${bad}`);
      if (!d.message || /internal/i.test(d.message)) throw new Error(`${context()}\nunexpected diagnostic: ${d.message}`);
      formatDiagnostic(d, "fuzz.net", source);
    }
  };
  let result;
  try {
    result = analyze(source);
  } catch (err) {
    throw new Error(`${context()}\nanalyze threw: ${(err as Error).stack}`);
  }
  verify(result.diagnostics);
  if (result.diagnostics.length === 0 && result.models.length > 0) {
    try {
      compileToGraph(source);
      stats.compiled++;
      if (stats.sources.length < 200 && source.length < 5_000) stats.sources.push(source);
    } catch (err) {
      if (!(err instanceof NetcError)) throw new Error(`${context()}\ncompileToGraph threw: ${(err as Error).stack}`);
      verify(err.diagnostics);
    }
  }
  const ms = performance.now() - started;
  if (ms > CASE_MS) throw new Error(`${context()}\ntook ${ms.toFixed(0)} ms`);
}

const TOKENS = [
  "model", "block", "input", "target", "param", "output", "loss", "layers", "train", "return", "optimizer", "epochs",
  "batch", "seed", "x", "y", "h", "p", "W", "b", "n", "dense", "relu", "tanh", "sigmoid", "softmax", "exp", "log", "sum",
  "mean", "bce", "mse", "cross_entropy", "class", "normal", "zeros", "he", "sgd", "adam", "lr", "init", "0", "1", "2",
  "3", "0.5", "1e3", "1e400", "007", "1.2.3", "3x", "(", ")", "[", "]", "{", "}", ",", ":", "=", "+", "-", "*", "/",
  "@", ";", "\n", "\n", " ", "# comment\n", "toString", "constructor", "__proto__", "hasOwnProperty",
];

const UNICODE = ["é", "а", "ẞ", "😀", "\u2028", "\u2029", "\u200f", "\u0301", "\ufeff", "\ud800", "\u0000", "\r", "\t", "ﬁ", "ℌ"];

function randomBytes(rng: Rng): string {
  const bytes = Buffer.from(Array.from({ length: int(rng, 0, 200) }, () => int(rng, 0, 255)));
  return rng() < 0.5 ? bytes.toString("latin1") : bytes.toString("utf8");
}

function randomTokens(rng: Rng): string {
  return Array.from({ length: int(rng, 1, 80) }, () => pick(rng, TOKENS)).join(rng() < 0.5 ? " " : "");
}

/** Identifiers, numbers, comments, whitespace runs and single characters, in source order. */
function tokenize(source: string): string[] {
  return source.match(/[A-Za-z_][A-Za-z0-9_]*|\d[\w.]*|#[^\n]*|[ \t]+|\n|[^]/g) ?? [];
}

const MUTATIONS: ((rng: Rng, t: string[]) => void)[] = [
  (rng, t) => void t.splice(int(rng, 0, t.length - 1), 1), // delete a token
  (rng, t) => { const i = int(rng, 0, t.length - 1); t.splice(i, 0, t[i]!); }, // duplicate a token
  (rng, t) => { const i = int(rng, 0, t.length - 1), j = int(rng, 0, t.length - 1); [t[i], t[j]] = [t[j]!, t[i]!]; }, // swap two
  (rng, t) => void t.splice(int(rng, 0, t.length), 0, pick(rng, TOKENS)), // insert a token
  (rng, t) => { // a number becomes huge, tiny or malformed
    const nums = t.flatMap((s, i) => (/^\d/.test(s) ? [i] : []));
    if (nums.length) t[pick(rng, nums)] = pick(rng, ["1e308", "1e309", "99999999999999999999", "1e-400", "0", "4294967297", "2147483648", "0.0000001", "1" + "0".repeat(400)]);
  },
  (rng, t) => { const d = int(rng, 1, 300); t.splice(int(rng, 0, t.length), 0, "(".repeat(d) + "x" + ")".repeat(int(rng, Math.max(0, d - 2), d))); }, // deep nesting
  (rng, t) => { // a very long name
    const names = t.flatMap((s, i) => (/^[A-Za-z_]/.test(s) ? [i] : []));
    if (names.length) t[pick(rng, names)] = "n".repeat(int(rng, 1000, 100_000));
  },
  (rng, t) => void t.splice(int(rng, 0, t.length), 0, pick(rng, UNICODE)), // unicode, NUL, line separators
  (rng, t) => { const i = int(rng, 0, t.length - 1); t.splice(i, 0, ...t.slice(i, i + int(rng, 1, 30))); }, // repeat a run
  (rng, t) => { const i = int(rng, 0, t.length - 1); t.splice(i, int(rng, 1, 30)); }, // cut a run
];

function mutate(rng: Rng, source: string): string {
  const tokens = tokenize(source);
  for (let k = int(rng, 1, 4); k > 0 && tokens.length > 0; k--) pick(rng, MUTATIONS)(rng, tokens);
  return tokens.join("");
}

/**
 * The fuzzing tests at `scale` (1: 1500 byte strings, 1500 token sequences, 400 mutations of
 * each example), type-checking `typecheckSample` of the programs that compiled.
 */
export function describeFuzzing(scale: number, typecheckSample: number): void {
describe(`fuzzing the front end (scale ${scale})`, () => {
  const bytes = Math.round(1500 * scale), tokens = Math.round(1500 * scale), perExample = Math.round(400 * scale);
  const stats: Tally = { cases: 0, compiled: 0, sources: [] };
  const compiledSources = stats.sources;

  it(`${bytes} random byte strings`, () => {
    const rng = makeRng(SEED + 1);
    for (let i = 0; i < bytes; i++) check(stats, randomBytes(rng), `byte string ${i}`);
  });

  it(`${tokens} random token sequences`, () => {
    const rng = makeRng(SEED + 2);
    for (let i = 0; i < tokens; i++) check(stats, randomTokens(rng), `token sequence ${i}`);
  });

  it(`${perExample} mutations of each example file`, () => {
    for (const [e, name] of EXAMPLES.entries()) {
      const rng = makeRng(SEED + 100 + e);
      const source = exampleSource(name);
      for (let i = 0; i < perExample; i++) check(stats, mutate(rng, source), `mutation ${i} of ${name}.net`);
    }
  });

  it("handcrafted extremes", () => {
    const base = exampleSource("xor");
    const extremes = [
      "", "\u0000", "\n".repeat(100_000), "model", "model m {", "}".repeat(10_000), "#".repeat(100_000),
      base.replace(/x/g, "x".repeat(50_000)), base.replace("dense 8 tanh", "dense 8 tanh\n".repeat(500)),
      `model m {\n input x[2]\n target y[1]\n p = ${"-".repeat(100_000)}x\n output p\n loss mse(p, y)\n}`,
      `model m {\n input x[2]\n target y[1]\n p = x${" + x".repeat(50_000)}\n output p\n loss mse(p, y)\n}`,
      `model m {\n input x[2]\n target y[1]\n p = ${"tanh(".repeat(5_000)}x${")".repeat(5_000)}\n output p\n loss mse(p, y)\n}`,
      `block b(x) {\n return b(x)\n}\nmodel m {\n input x[2]\n target y[2]\n p = b(x)\n output p\n loss mse(p, y)\n}`,
      base.replace("\n", "\r\n"), "\ufeff" + base, base.replace(/\n/g, "\u2028"), base + "\u0000",
    ];
    extremes.forEach((s, i) => check(stats, s, `extreme ${i}`));
  });

  it(`a sample of the programs that compiled type-check under --strict`, async () => {
    console.log(`fuzz: ${stats.cases} cases, ${stats.compiled} compiled`);
    // The mutations must reach the back end, not just the parser (about 5 in 100 do).
    expect(stats.compiled).toBeGreaterThanOrEqual(Math.ceil((perExample * EXAMPLES.length) / 100));
    const modules = new Map<string, string>();
    const step = Math.max(1, Math.floor(compiledSources.length / typecheckSample));
    for (let i = 0; i < compiledSources.length && modules.size < typecheckSample; i += step) {
      modules.set(`fuzz${i}`, (await compile(compiledSources[i]!, { format: false })).code);
    }
    expect(typecheck(modules, { sharePrelude: true })).toBe("");
  });
});
}
