// Run in a separate node process by determinism.test.ts: compiles the given examples and trains
// each one, printing a fingerprint of every emitted module and of the trained weights.
import { createHash } from "node:crypto";
import { compile } from "../../compiler/index.js";
import { loadGenerated } from "../../cli/load.js";
import type { Model } from "../../cli/generated-types.js";
import { exampleSource, makeRng } from "../support/helpers.js";

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Trains with fit (shuffled minibatches, the model's own optimizer) on seeded data. */
export function trainedWeights(model: Model, seed: number): string {
  const { input, target, maxBatch } = model.info;
  const rng = makeRng(seed);
  const n = 3 * maxBatch + 1;
  const x = Float64Array.from({ length: n * input.width }, () => 2 * rng() - 1);
  const y = Float64Array.from({ length: n * target.width }, () => (target.classes !== null ? Math.floor(rng() * target.classes) : rng() < 0.5 ? 0 : 1));
  model.fit(x, y, n, { epochs: 5 });
  const hash = createHash("sha256");
  for (const [name, w] of Object.entries(model.getWeights()).sort(([a], [b]) => (a < b ? -1 : 1))) {
    hash.update(name).update(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength));
  }
  return hash.digest("hex");
}

export async function fingerprints(names: string[]): Promise<Record<string, { code: string; weights: string }>> {
  const out: Record<string, { code: string; weights: string }> = {};
  for (const name of names) {
    // Unformatted: prettier is deterministic, the question is whether netc is.
    const { code } = await compile(exampleSource(name), { file: `examples/${name}.net`, format: false });
    const model = (await loadGenerated(code)).createModel({ seed: 7 });
    out[name] = { code: sha256(code), weights: trainedWeights(model, 99) };
  }
  return out;
}

if (process.argv[1]?.endsWith("determinism-child.ts")) {
  fingerprints(process.argv.slice(2)).then((r) => process.stdout.write(JSON.stringify(r)));
}
