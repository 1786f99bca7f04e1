// Determinism: the same `.net` file compiles to byte-identical TypeScript on every run and in
// another node process (with a different V8 hash seed, locale and time zone); the same seed trains
// to bit-identical weights. And how close the output is to `noUncheckedIndexedAccess`.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { compile } from "../../compiler/index.js";
import { compileExample, exampleSource, loadModule, ROOT } from "../support/helpers.js";
import { fingerprints, sha256, trainedWeights } from "./determinism-child.js";
import { typecheck } from "../support/typecheck.js";

vi.setConfig({ testTimeout: 240_000 });

const CHILD = fileURLToPath(new URL("./determinism-child.ts", import.meta.url));
const NAMES = ["xor", "iris"];

describe("determinism", () => {
  it("compiling twice in one process gives byte-identical modules and bit-identical training", async () => {
    expect(await fingerprints(NAMES)).toEqual(await fingerprints(NAMES));
  });

  it("another node process (hash seed, locale, time zone changed) agrees byte for byte and bit for bit", async () => {
    const args = ["--hash-seed=1234", "--random-seed=99", "--import", "tsx", CHILD, ...NAMES];
    const env = { ...process.env, TZ: "Pacific/Chatham", LANG: "tr_TR.UTF-8", LC_ALL: "tr_TR.UTF-8" };
    const [child, here] = await Promise.all([
      promisify(execFile)(process.execPath, args, { cwd: ROOT, env, maxBuffer: 1 << 20 }),
      fingerprints(NAMES),
    ]);
    expect(JSON.parse(child.stdout)).toEqual(here);
  });

  it("the same seed trains to bit-identical weights; another seed does not", async () => {
    const { module } = await compileExample("iris");
    const a = trainedWeights(module.createModel({ seed: 3 }), 5);
    expect(trainedWeights(module.createModel({ seed: 3 }), 5)).toBe(a);
    expect(trainedWeights(module.createModel({ seed: 4 }), 5)).not.toBe(a);
  });

  it.each(["f64", "f32"] as const)("the wasm backend (%s): byte-identical modules, wasm bytes included, and bit-identical training", async (precision) => {
    const options = { file: "examples/iris.net", backend: "wasm", precision, format: false } as const;
    const [a, b] = [await compile(exampleSource("iris"), options), await compile(exampleSource("iris"), options)];
    expect(a.code).toContain("= instantiateKernels(");
    expect(sha256(b.code)).toBe(sha256(a.code));
    const [ma, mb] = [await loadModule(a.code), await loadModule(b.code)];
    expect(trainedWeights(mb.createModel({ seed: 3 }), 5)).toBe(trainedWeights(ma.createModel({ seed: 3 }), 5));
  });

  it("under noUncheckedIndexedAccess the only complaints are unchecked typed-array reads in kernels", async () => {
    const modules = new Map<string, string>();
    for (const name of NAMES) modules.set(name, (await compileExample(name)).result.code);
    const text = typecheck(modules, { noUncheckedIndexedAccess: true });
    const errors = text.split("\n").filter((l) => / error TS\d+:/.test(l));
    // "'v' is possibly 'undefined'", "Object is possibly 'undefined'", "Type 'number | undefined'
    // is not assignable to ...": each is a `buf[i]` read that needs a `!` (see the report).
    const other = errors.filter((l) => !/error TS(18048|2532|2322|2345):.*undefined/.test(l));
    expect(other).toEqual([]);
    console.log(`noUncheckedIndexedAccess: ${errors.length} unchecked indexed reads in ${[...modules.keys()].join(", ")}`);
  });
});
