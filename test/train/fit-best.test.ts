// fit({ validation, patience, restoreBest }): the rule of netc train's --patience and
// --restore-best (cli/train-loop.ts), checked against a reference run that trains one epoch at a
// time and measures the loss itself. Monitoring evaluates, it never changes training.
import { describe, expect, it } from "vitest";
import type { Model, TrainingState, Weights } from "../../cli/generated-types.js";
import { compileSource, makeRng, randomArray } from "../support/helpers.js";

const SOURCE = `model m {
  input x[2]
  target y[1]
  h = tanh(dense(x, 16))
  p = dense(h, 1)
  output p
  loss mse(p, y)
  train { optimizer adam(lr: 0.05); batch 4; epochs 40; seed 3 }
}`;

// A few noisy training rows and clean validation rows from the same curve: the validation loss
// falls, rises for a while as the net fits the noise, then falls again.
const rng = makeRng(9);
const [n, vn] = [12, 30];
const x = randomArray(rng, n * 2);
const y = Float64Array.from({ length: n }, (_, i) => Math.sin(3 * x[2 * i]!) + 0.5 * (rng() - 0.5));
const vx = randomArray(rng, vn * 2);
const vy = Float64Array.from({ length: vn }, (_, i) => Math.sin(3 * vx[2 * i]!));
const validation = { x: vx, y: vy, n: vn };

const make = async (): Promise<Model> => (await compileSource(SOURCE, { maxBatch: 8 })).module.createModel();

/** Each epoch's training loss, the validation loss before and after each, and the model after each. */
async function reference(epochs: number): Promise<{ losses: number[]; val: number[]; weights: Weights[]; states: TrainingState[] }> {
  const m = await make();
  const run = { losses: [] as number[], val: [m.loss(vx, vy, vn)], weights: [m.getWeights()], states: [m.getState()] };
  for (let e = 0; e < epochs; e++) {
    run.losses.push(...m.fit(x, y, n, { epochs: 1 }).losses);
    run.val.push(m.loss(vx, vy, vn));
    run.weights.push(m.getWeights());
    run.states.push(m.getState());
  }
  return run;
}

/** netc train's rule: the epoch of the lowest loss so far, and where `patience` epochs without one end the run. */
function expectedRun(val: number[], patience: number): { best: number; stop: number } {
  let best = 0;
  for (let e = 1; e < val.length; e++) {
    if (val[e]! < val[best]!) best = e;
    else if (e - best >= patience) return { best, stop: e };
  }
  return { best, stop: val.length - 1 };
}

describe("fit with validation, patience and restoreBest", () => {
  it("stops after `patience` epochs without a lower validation loss, and says which epoch was best", async () => {
    const ref = await reference(40);
    const { best, stop } = expectedRun(ref.val, 3);
    expect(best).toBeGreaterThan(1); // the data make the best epoch an inner one, after a setback...
    expect(stop).toBeLessThan(40); // ...and the run stop early
    const m = await make();
    const result = m.fit(x, y, n, { epochs: 40, validation, patience: 3 });
    expect(result.losses).toEqual(ref.losses.slice(0, stop)); // monitoring changes nothing
    expect(result.monitored).toEqual(ref.val.slice(0, stop + 1));
    expect(result.best).toEqual({ epoch: best, loss: ref.val[best] });
    expect(result.stoppedEarly).toBe(true);
    expect(result.restored).toBe(false);
    expect(m.getWeights()).toEqual(ref.weights[stop]); // the last epoch's weights
  });

  it("restoreBest ends with the best epoch's weights and training state, so training continues from there", async () => {
    const ref = await reference(40);
    const { best, stop } = expectedRun(ref.val, 3);
    const m = await make();
    const result = m.fit(x, y, n, { epochs: 40, validation, patience: 3, restoreBest: true });
    expect(result).toMatchObject({ best: { epoch: best }, stoppedEarly: true, restored: true });
    expect(result.losses).toHaveLength(stop);
    expect(m.getWeights()).toEqual(ref.weights[best]);
    expect(m.getState()).toEqual(ref.states[best]);
    // One more epoch from there is the reference's epoch best + 1, bit for bit.
    expect(m.fit(x, y, n, { epochs: 1 }).losses).toEqual([ref.losses[best]]);
    expect(m.getWeights()).toEqual(ref.weights[best + 1]);
  });

  it("without validation rows, the training rows' evaluation-mode loss decides; the loss before fit counts too", async () => {
    // A learning rate that only makes things worse: the best is where fit started.
    const src = SOURCE.replace("adam(lr: 0.05)", "adam(lr: 2)");
    const m = (await compileSource(src, { maxBatch: 8 })).module.createModel();
    const before = m.getWeights();
    const result = m.fit(x, y, n, { epochs: 6, restoreBest: true, shuffle: false });
    expect(result.monitored[0]).toBe(result.best!.loss);
    expect(result.best!.epoch).toBe(0);
    expect(result.monitored.slice(1).every((l) => l >= result.best!.loss)).toBe(true);
    expect(result).toMatchObject({ stoppedEarly: false, restored: true });
    expect(m.getWeights()).toEqual(before);
    expect(m.getState().epoch).toBe(0);
  });

  it("validation alone monitors without stopping; onEpoch returning false still stops", async () => {
    const ref = await reference(5);
    const m = await make();
    const result = m.fit(x, y, n, { epochs: 5, validation, onEpoch: (e) => e < 4 });
    expect(result.monitored).toEqual(ref.val.slice(0, 5));
    expect(result).toMatchObject({ stoppedEarly: false, restored: false });
    expect(result.losses).toHaveLength(4);
    expect(m.fit(x, y, n, { epochs: 1 })).toEqual({ losses: [ref.losses[4]], monitored: [], best: null, stoppedEarly: false, restored: false });
  });

  it("bad options are refused before any training", async () => {
    const m = await make();
    const before = m.getWeights();
    expect(() => m.fit(x, y, n, { patience: 0 })).toThrow(/^fit: patience must be a positive integer \(epochs\), got 0$/);
    expect(() => m.fit(x, y, n, { patience: 1.5 })).toThrow(/got 1\.5$/);
    expect(() => m.fit(x, y, n, { validation: { x: vx, y: vy, n: vn + 1 } })).toThrow(/^fit: validation: x holds 60 values, 31 rows need 62$/);
    expect(() => m.fit(x, y, n, { validation: { x: vx, y: Float64Array.of(NaN), n: 1 } })).toThrow(/^fit: validation: y has NaN at row 0/);
    expect(m.getWeights()).toEqual(before);
  });

  it("a loss that cannot be computed in chunks cannot monitor more rows than the compiled batch", async () => {
    const src = SOURCE.replace("loss mse(p, y)", "loss mse(p, y, reduce: sum) + 0.01 * l2(h.W)");
    const m = (await compileSource(src, { maxBatch: 8 })).module.createModel();
    expect(() => m.fit(x, y, n, { epochs: 1, validation })).toThrow(
      /^fit: the loss of the 30 validation rows \(more than the compiled maximum batch, 8\) cannot be computed in chunks: it adds a term .*; compile with --max-batch 30$/,
    );
    expect(m.getState().epoch).toBe(0);
    expect(m.fit(x, y, 8, { epochs: 1, patience: 2 }).monitored).toHaveLength(2); // 8 training rows fit one call
  });
});
