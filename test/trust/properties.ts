// Property-based: random valid `.net` programs (depth, widths, activations, residual connections,
// blocks, hand-declared params, `layers` sugar, every loss and target kind, names that match the
// emitter's own identifiers) compile, compute the same loss as a float64 reference written from
// the language definition, and have gradients that match central finite differences through the
// emitted code. A failure shrinks to a minimal network and prints its `.net` source.
// properties.test.ts runs 25 networks in `npm test`, properties.long.test.ts 200
// (NETC_PROPERTY_RUNS=2000 npm run test:long -- properties for more, NETC_PROPERTY_SEED for others).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { makeRng } from "../support/helpers.js";
import { makeData, netArb, printNet, referenceLoss, type NetSpec } from "./netgen.js";
import { checkGradients } from "../support/finite-differences.js";
import { loadUnformatted } from "./support.js";
import { typecheck } from "../support/typecheck.js";

const SEED = Number(process.env.NETC_PROPERTY_SEED ?? 20240611);

/** Data is redrawn until every relu input is at least this far from the kink at 0. */
const KINK_MARGIN = 1e-3;

async function checkNetwork(spec: NetSpec, dataSeed: number, rows: number): Promise<void> {
  const printed = printNet(spec);
  const fail = (what: string) => new Error(`${what}\n--- minimal .net program ---\n${printed.source}`);
  let model;
  try {
    model = (await loadUnformatted(printed.source)).model;
  } catch (err) {
    throw fail(`a valid program did not compile and load: ${(err as Error).message}`);
  }
  const rng = makeRng(dataSeed);
  const weights: Record<string, { data: Float64Array }> = {};
  for (const p of model.info.params) {
    weights[p.name] = { data: Float64Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => 2 * rng() - 1) };
  }
  model.setWeights(weights);
  let data = makeData(spec, rows, rng);
  let ref = referenceLoss(printed, weights, data.x, data.y, rows);
  for (let tries = 0; ref.reluInputs.some((z) => Math.abs(z) < KINK_MARGIN); tries++) {
    if (tries === 50) return; // practically unreachable; skipping is better than a flaky failure
    data = makeData(spec, rows, rng);
    ref = referenceLoss(printed, weights, data.x, data.y, rows);
  }
  const { x, y } = data;
  const loss = model.loss(x, y, rows);
  if (!(Math.abs(loss - ref.loss) <= 1e-10 * Math.max(1, Math.abs(ref.loss)))) {
    throw fail(`loss ${loss} differs from the float64 reference ${ref.loss} (x = [${[...x]}], y = [${[...y]}])`);
  }
  const report = checkGradients(model, x, y, rows);
  if (report.failures.length > 0) {
    const shown = report.failures.slice(0, 5).map((f) => `  d/d ${f.name}[${f.index}]: emitted ${f.analytic}, finite differences ${f.numeric}`);
    throw fail(`${report.failures.length} of ${report.checked} gradient elements disagree (rows = ${rows}, data seed ${dataSeed}):\n${shown.join("\n")}`);
  }
}

/** The property over `runs` networks, and type-checking of `typecheckSample` of them. */
export function describeRandomNetworks(runs: number, typecheckSample: number): void {
describe(`random networks (${runs} runs, seed ${SEED})`, () => {
  it("compile, match a float64 reference loss, and pass a finite-difference check of every gradient", async () => {
    await fc.assert(
      fc.asyncProperty(netArb, fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 4 }), checkNetwork),
      { numRuns: runs, seed: SEED, includeErrorInReport: true },
    );
  });

  it("a failing property reports the shrunk network's .net source", async () => {
    // A deliberately false property (no network has a hidden layer of width >= 3) must shrink to
    // one hidden layer of width exactly 3 and show that program.
    const result = await fc.check(
      fc.asyncProperty(netArb, async (spec) => {
        if (spec.hidden.some((l) => l.width >= 3)) throw new Error(`--- minimal .net program ---\n${printNet(spec).source}`);
      }),
      { numRuns: 200, seed: SEED },
    );
    expect(result.failed).toBe(true);
    const shrunk = result.counterexample![0] as NetSpec;
    expect(shrunk.hidden).toHaveLength(1);
    expect(shrunk.hidden[0]!.width).toBe(3);
    expect(String(result.errorInstance)).toMatch(/model net \{\n {2}input x\[1\]/);
  });

  it("emitted modules of a sample of random networks type-check under --strict", async () => {
    const modules = new Map<string, string>();
    const specs = fc.sample(netArb, { seed: SEED, numRuns: typecheckSample });
    for (const [i, spec] of specs.entries()) modules.set(`net${i}`, (await compile(printNet(spec).source, { format: false })).code);
    expect(typecheck(modules, { sharePrelude: true })).toBe("");
  });
});
}
