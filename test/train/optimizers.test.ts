// Optimizers, weight decay, clipping, frozen parameters, per-parameter learning rates and
// schedules, each checked against the update formula (PyTorch's) worked out here by hand on a
// quadratic whose gradient is known in closed form.
import { describe, expect, it } from "vitest";
import type { Model } from "../../cli/generated-types.js";
import { compileSource } from "../support/helpers.js";

// loss = Σ_r Σ_j (x_r·w_j + b_j − y_rj)², so ∂/∂w_j = Σ_r 2·x_r·(p_rj − y_rj), ∂/∂b_j = Σ_r 2·(p_rj − y_rj).
const quad = (train: string) => `model q {
  input x[1]
  target y[3]
  param w[1, 3]
  param b[3]
  p = x @ w + b
  output p
  loss mse(p, y, reduce: sum)
  train { ${train} }
}`;

const X = new Float64Array([0.5, -1.25]);
const Y = new Float64Array([0.3, -0.7, 1.1, 0.2, 0.4, -0.9]);
const N = 2;
const W0 = [0.8, -0.4, 0.25];
const B0 = [0.1, -0.2, 0.05];

function handLoss(w: number[], b: number[]): number {
  let total = 0;
  for (let r = 0; r < N; r++) for (let j = 0; j < 3; j++) total += (X[r]! * w[j]! + b[j]! - Y[r * 3 + j]!) ** 2;
  return total;
}

function handGrads(w: number[], b: number[]): { w: number[]; b: number[] } {
  const gw = [0, 0, 0];
  const gb = [0, 0, 0];
  for (let r = 0; r < N; r++) {
    for (let j = 0; j < 3; j++) {
      const d = X[r]! * w[j]! + b[j]! - Y[r * 3 + j]!;
      gw[j] += 2 * X[r]! * d;
      gb[j] += 2 * d;
    }
  }
  return { w: gw, b: gb };
}

type Hyper = Record<string, number>;

/** One optimizer step on one parameter, written out from the PyTorch documentation. */
function handUpdate(kind: string, h: Hyper, w: number[], grad: number[], s: Record<string, number[]>, t: number, lr: number): number[] {
  const wd = h.weight_decay ?? 0;
  return w.map((wi, i) => {
    let g = grad[i]!;
    if (kind !== "adamw") g += wd * wi;
    switch (kind) {
      case "sgd":
        return wi - lr * g;
      case "momentum": {
        s.buf![i] = t === 1 ? g : h.beta! * s.buf![i]! + g;
        return wi - lr * s.buf![i]!;
      }
      case "nesterov": {
        s.buf![i] = t === 1 ? g : h.beta! * s.buf![i]! + g;
        return wi - lr * (g + h.beta! * s.buf![i]!);
      }
      case "rmsprop": {
        s.sq![i] = h.alpha! * s.sq![i]! + (1 - h.alpha!) * g * g;
        return wi - (lr * g) / (Math.sqrt(s.sq![i]!) + h.eps!);
      }
      case "adagrad": {
        s.sum![i] += g * g;
        return wi - (lr * g) / (Math.sqrt(s.sum![i]!) + h.eps!);
      }
      default: {
        // adam / adamw; adamw first shrinks the weight: w ← w·(1 − lr·λ).
        const w1 = kind === "adamw" ? wi * (1 - lr * wd) : wi;
        s.m![i] = h.beta1! * s.m![i]! + (1 - h.beta1!) * g;
        s.v![i] = h.beta2! * s.v![i]! + (1 - h.beta2!) * g * g;
        const mHat = s.m![i]! / (1 - h.beta1! ** t);
        const vHat = s.v![i]! / (1 - h.beta2! ** t);
        return w1 - (lr * mHat) / (Math.sqrt(vHat) + h.eps!);
      }
    }
  });
}

const freshState = () => ({ buf: [0, 0, 0], sq: [0, 0, 0], sum: [0, 0, 0], m: [0, 0, 0], v: [0, 0, 0] });

async function quadModel(train: string): Promise<Model> {
  const { module } = await compileSource(quad(train), { maxBatch: 4 });
  const model = module.createModel();
  model.setWeights({ w: { data: W0 }, b: { data: B0 } });
  return model;
}

function expectClose(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) {
      expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]} (difference ${Math.abs(actual[i]! - expected[i]!)})`);
    }
  }
}

const args = (h: Hyper) => Object.entries(h).map(([k, v]) => `${k}: ${v}`).join(", ");

// Every optimizer with and without weight decay (coupled L2 except adamw, decoupled there).
const OPTIMIZERS: [string, Hyper][] = [
  ["sgd", { lr: 0.1 }],
  ["momentum", { lr: 0.05, beta: 0.8 }],
  ["nesterov", { lr: 0.05, beta: 0.7 }],
  ["rmsprop", { lr: 0.01, alpha: 0.9, eps: 1e-6 }],
  ["adagrad", { lr: 0.1, eps: 1e-8 }],
  ["adam", { lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6 }],
  ["adamw", { lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6, weight_decay: 0 }],
];
// The defaults (PyTorch's, where it has them), written out here rather than read from the compiler.
const DEFAULTS: [string, Hyper][] = [
  ["sgd", { lr: 0.01 }],
  ["momentum", { lr: 0.01, beta: 0.9 }],
  ["nesterov", { lr: 0.01, beta: 0.9 }],
  ["rmsprop", { lr: 0.01, alpha: 0.99, eps: 1e-8 }],
  ["adagrad", { lr: 0.01, eps: 1e-10 }],
  ["adam", { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 }],
  ["adamw", { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 }],
];
const CASES: [string, string, Hyper][] = [
  ...OPTIMIZERS.flatMap(([kind, h]): [string, string, Hyper][] => [
    [`${kind}(${args(h)})`, kind, h],
    [`${kind}(${args({ ...h, weight_decay: 0.3 })})`, kind, { ...h, weight_decay: 0.3 }],
  ]),
  ...DEFAULTS.map(([kind, h]): [string, string, Hyper] => [kind, kind, h]),
];

describe("optimizers: three steps on a quadratic match the update formula to 1e-12", () => {
  it.each(CASES)("%s", async (spec, kind, h) => {
    const model = await quadModel(`optimizer ${spec}`);
    let w = [...W0];
    let b = [...B0];
    const sw = freshState();
    const sb = freshState();
    for (let t = 1; t <= 3; t++) {
      const g = handGrads(w, b);
      const value = model.trainStep(X, Y, N);
      expect(Math.abs(value - handLoss(w, b))).toBeLessThan(1e-12);
      w = handUpdate(kind, h, w, g.w, sw, t, h.lr!);
      b = handUpdate(kind, h, b, g.b, sb, t, h.lr!);
      const after = model.getWeights();
      expectClose(after.w!.data, w);
      expectClose(after.b!.data, b);
    }
    expect(model.getState().step).toBe(3);
  });

  it("keeps the optimizer state in getState() under <param>/<slot>", async () => {
    const model = await quadModel("optimizer adam(lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6)");
    const g = handGrads(W0, B0);
    model.trainStep(X, Y, N);
    const state = model.getState();
    expect(Object.keys(state.buffers).sort()).toEqual(["b/m", "b/v", "w/m", "w/v"]);
    expectClose(state.buffers["w/m"]!, g.w.map((v) => 0.2 * v));
    expectClose(state.buffers["b/v"]!, g.b.map((v) => 0.05 * v * v));
  });
});

describe("gradient clipping by global norm", () => {
  const globalNorm = (g: { w: number[]; b: number[] }) => Math.hypot(...g.w, ...g.b);

  it.each([
    ["sgd(lr: 0.1)", "sgd", { lr: 0.1 }],
    ["momentum(lr: 0.05, beta: 0.8, weight_decay: 0.3)", "momentum", { lr: 0.05, beta: 0.8, weight_decay: 0.3 }],
  ] as [string, string, Hyper][])("scales both parameters' gradients by clip_norm / ‖g‖ before the %s update", async (spec, kind, h) => {
    const model = await quadModel(`optimizer ${spec}; clip_norm 0.5`);
    let w = [...W0];
    let b = [...B0];
    const sw = freshState();
    const sb = freshState();
    for (let t = 1; t <= 2; t++) {
      const g = handGrads(w, b);
      const norm = globalNorm(g);
      // Each parameter alone is within the limit on the first step; only the global norm is not.
      expect(norm).toBeGreaterThan(0.5);
      const scale = 0.5 / (norm + 1e-6);
      w = handUpdate(kind, h, w, g.w.map((v) => v * scale), sw, t, h.lr!);
      b = handUpdate(kind, h, b, g.b.map((v) => v * scale), sb, t, h.lr!);
      model.trainStep(X, Y, N);
      expectClose(model.getWeights().w!.data, w);
      expectClose(model.getWeights().b!.data, b);
    }
  });

  it("leaves gradients below the limit alone", async () => {
    const model = await quadModel("optimizer sgd(lr: 0.1); clip_norm 100");
    const g = handGrads(W0, B0);
    expect(globalNorm(g)).toBeLessThan(100);
    model.trainStep(X, Y, N);
    expectClose(model.getWeights().w!.data, W0.map((v, i) => v - 0.1 * g.w[i]!));
  });
});

describe("frozen parameters and per-parameter learning rates", () => {
  it("a frozen parameter does not change, has no gradient and no optimizer state", async () => {
    const model = await quadModel("optimizer adam(lr: 0.01, beta1: 0.8, beta2: 0.95, eps: 1e-6); freeze b");
    expect(model.info.params.map((p) => [p.name, p.trainable])).toEqual([["w", true], ["b", false]]);
    expect(Object.keys(model.gradients(X, Y, N).grads)).toEqual(["w"]);
    let w = [...W0];
    const sw = freshState();
    for (let t = 1; t <= 2; t++) {
      w = handUpdate("adam", { beta1: 0.8, beta2: 0.95, eps: 1e-6 }, w, handGrads(w, B0).w, sw, t, 0.01);
      model.trainStep(X, Y, N);
    }
    expect(Array.from(model.getWeights().b!.data)).toEqual(B0);
    expectClose(model.getWeights().w!.data, w);
    expect(Object.keys(model.getState().buffers).sort()).toEqual(["w/m", "w/v"]);
  });

  it("freezing every parameter leaves a model that trains nothing but still reports its loss", async () => {
    const model = await quadModel("optimizer momentum(lr: 0.1); freeze w, b");
    expect(model.gradients(X, Y, N).grads).toEqual({});
    expect(model.trainStep(X, Y, N)).toBeCloseTo(handLoss(W0, B0), 12);
    expect(Array.from(model.getWeights().w!.data)).toEqual(W0);
  });

  it("param_lr gives one parameter its own step size (sgd and momentum)", async () => {
    const sgd = await quadModel("optimizer sgd(lr: 0.1); param_lr w, 0.02");
    const g = handGrads(W0, B0);
    sgd.trainStep(X, Y, N);
    expectClose(sgd.getWeights().w!.data, W0.map((v, i) => v - 0.02 * g.w[i]!));
    expectClose(sgd.getWeights().b!.data, B0.map((v, i) => v - 0.1 * g.b[i]!));

    const mom = await quadModel("optimizer momentum(lr: 0.1, beta: 0.9); param_lr b, 0.003");
    let w = [...W0];
    let b = [...B0];
    const sw = freshState();
    const sb = freshState();
    for (let t = 1; t <= 2; t++) {
      const gt = handGrads(w, b);
      w = handUpdate("momentum", { beta: 0.9 }, w, gt.w, sw, t, 0.1);
      b = handUpdate("momentum", { beta: 0.9 }, b, gt.b, sb, t, 0.003);
      mom.trainStep(X, Y, N);
    }
    expectClose(mom.getWeights().w!.data, w);
    expectClose(mom.getWeights().b!.data, b);
  });
});

/** The learning rate of a 1-based epoch, from compiler/emit/module.ts emitSchedule's definition. */
function handSchedule(epoch: number, schedule: (e: number) => number, warmup = 0): number {
  return schedule(epoch) * (warmup > 0 ? Math.min(1, epoch / warmup) : 1);
}

describe("learning-rate schedules", () => {
  const E = 10; // the train block's epochs (cosine's period)
  const SCHEDULES: [string, string, (epoch: number) => number, number][] = [
    ["constant", "", () => 0.1, 0],
    ["step", "schedule step(every: 3, gamma: 0.5)", (e) => 0.1 * 0.5 ** Math.floor((e - 1) / 3), 0],
    ["step with its defaults (every 10, gamma 0.1)", "schedule step", (e) => 0.1 * 0.1 ** Math.floor((e - 1) / 10), 0],
    ["exponential", "schedule exponential(gamma: 0.8)", (e) => 0.1 * 0.8 ** (e - 1), 0],
    ["cosine", "schedule cosine(min: 0.01)", (e) => 0.01 + (0.1 - 0.01) * 0.5 * (1 + Math.cos((Math.PI * Math.min(e - 1, E)) / E)), 0],
    ["warm-up alone", "warmup 4", () => 0.1, 4],
    ["exponential after warm-up", "schedule exponential(gamma: 0.9); warmup 3", (e) => 0.1 * 0.9 ** (e - 1), 3],
  ];

  it.each(SCHEDULES)("%s: getState().lr after each fit is the epoch's scheduled lr, and the steps used it", async (_, setting, schedule, warmup) => {
    const model = await quadModel(`optimizer sgd(lr: 0.1); epochs ${E}; batch 2; ${setting}; param_lr b, 0.05`);
    let w = [...W0];
    let b = [...B0];
    let epoch = 0;
    // Fit calls of 2, 1, 4 and 5 epochs: the count continues across calls (and past E for cosine).
    for (const k of [2, 1, 4, 5]) {
      model.fit(X, Y, N, { epochs: k, shuffle: false });
      for (let e = 0; e < k; e++) {
        epoch++;
        const lr = handSchedule(epoch, schedule, warmup);
        const g = handGrads(w, b);
        w = w.map((v, i) => v - lr * g.w[i]!);
        b = b.map((v, i) => v - lr * 0.5 * g.b[i]!); // param_lr b is half the base lr, scheduled alike
      }
      const state = model.getState();
      expect(state.epoch).toBe(epoch);
      expect(state.step).toBe(epoch); // one full batch per epoch
      expect(Math.abs(state.lr - handSchedule(epoch, schedule, warmup))).toBeLessThan(1e-15);
      expectClose(model.getWeights().w!.data, w);
      expectClose(model.getWeights().b!.data, b);
    }
  });

  it("setLearningRate sets the lr of the next trainStep", async () => {
    const model = await quadModel("optimizer sgd(lr: 0.1)");
    model.setLearningRate(0.025);
    expect(model.getState().lr).toBe(0.025);
    const g = handGrads(W0, B0);
    model.trainStep(X, Y, N);
    expectClose(model.getWeights().w!.data, W0.map((v, i) => v - 0.025 * g.w[i]!));
    expect(() => model.setLearningRate(0)).toThrow("setLearningRate: expected a positive number, got 0");
  });
});
