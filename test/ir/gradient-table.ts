// The op × shape gradient table as a function, so the table can be split across test files that
// vitest runs in parallel (each case compiles a model, which dominates the suite's time).
import { afterAll, describe, expect, it } from "vitest";
import type { Backend } from "../../compiler/index.js";
import {
  compileSource,
  makeRng,
  randomArray,
  randomizeWeights,
} from "../support/helpers.js";
import {
  DEFAULT_BATCHES,
  DEFAULT_SHAPES,
  expectGradientsMatchOnBatches,
  GRADIENT_CASES,
  gradientSource,
  targets,
  usesModes,
} from "./gradient-cases.js";
import { typecheck } from "../support/typecheck.js";

/** A seed from the case's name and shape, so reordering the table changes no data. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++)
    h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export interface TableOptions {
  backend?: Backend;
  /** Only each case's last (widest) shape: the wasm run samples the table. */
  lastShapeOnly?: boolean;
  /** Type-check every emitted module (default true; the JavaScript table already does). */
  verify?: boolean;
}

export function describeGradientTable(
  title: string,
  cases: typeof GRADIENT_CASES,
  options: TableOptions = {},
): void {
  describe(title, () => {
    // Every case's module is type-checked under --strict, all in one program at the end: one
    // program per module would parse TypeScript's library hundreds of times (1 s per case).
    const emitted = new Map<string, string>();
    afterAll(() => {
      if (options.verify ?? true) expect(typecheck(emitted, { sharePrelude: true })).toBe("");
    }, 300_000);
    for (const c of cases) {
      const shapes = c.shapes ?? DEFAULT_SHAPES;
      for (const [inW, outW] of options.lastShapeOnly ? shapes.slice(-1) : shapes) {
        it(`${c.name} [in ${inW}, out ${outW}]`, async () => {
          const batches = c.batches ?? DEFAULT_BATCHES;
          const source = gradientSource(c, inW, outW);
          const { module, result } = await compileSource(source, {
            maxBatch: Math.max(...batches),
            verify: true,
            typecheck: false,
            backend: options.backend,
          });
          emitted.set(`${c.name} ${inW} ${outW}`, result.code);
          const rng = makeRng(seedOf(`${c.name} ${inW} ${outW}`));
          const model = module.createModel({ seed: 3 });
          randomizeWeights(model, rng);
          const width = c.width ? c.width(inW, outW) : outW;
          const data = (n: number) => ({
            x: randomArray(rng, n * inW, -2, 2),
            y: targets(c.target ?? "real", rng, n, width),
          });
          expectGradientsMatchOnBatches(
            model,
            batches,
            data,
            usesModes(source),
          );
          if (source.includes("dropout(")) {
            // Dropout really is active in these losses (with p ≥ 0.2, some unit is dropped).
            const n = Math.max(...batches);
            const { x, y } = data(n);
            expect(model.loss(x, y, n, "train")).not.toBe(
              model.loss(x, y, n, "eval"),
            );
          }
        });
      }
    }
  });
}
