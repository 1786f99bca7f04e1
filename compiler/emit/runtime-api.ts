// The non-hot parts of the generated API: weights and training state in and out, gradients for
// inspection, and the fit loop. These may allocate (they run once per call, not once per row).
import type { ModelIR } from "../model.js";
import { OPTIMIZER_STATE } from "../optim/index.js";
import { trainableParams } from "../model.js";
import { str } from "./literals.js";

interface Args {
  xArg: string;
  yArg: string;
  rows: string;
}

/**
 * Locals that fit and gradients declare in scopes where the input and target arguments are
 * used too, so the argument names must avoid them (an input named `order` would redeclare one).
 */
export const ARGUMENT_CLASHES = ["epochs", "batch", "order", "bx", "by", "history", "e", "epoch", "total", "start", "rows", "r", "src", "k", "value", "grads"];

export function emitWeightsApi(
  model: ModelIR,
  paramVar: Map<string, string>,
  stateVar: Map<string, string>,
  gradRef: (param: string) => string,
  args: Args & { check: string },
): string {
  const rows = [
    ...model.params.map((p) => `{ name: ${str(p.name)}, shape: [${p.shape.join(", ")}], data: ${paramVar.get(p.name)}, grad: ${gradRef(p.name)} }`),
    ...model.state.map((s) => `{ name: ${str(s.name)}, shape: [${s.shape.join(", ")}], data: ${stateVar.get(s.name)}, grad: null }`),
  ];
  const names = str([...model.params, ...model.state].map((p) => p.name).join(", "));
  return `/** Every tensor saved with the weights: parameters, then running statistics. */
const params: { name: string; shape: number[]; data: Float64Array; grad: Float64Array | null }[] = [
${rows.join(",\n")}
];

function getWeights(): Weights {
  const out: Weights = {};
  for (const p of params) out[p.name] = { shape: [...p.shape], data: p.data.slice() };
  return out;
}

function setWeights(weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>): void {
  if (typeof weights !== "object" || weights === null) throw new TypeError("setWeights: expected an object of weights by name");
  // Values are copied as they are checked, so a source that changes between reads cannot slip
  // a non-finite value past the check.
  const updates: [Float64Array, Float64Array][] = [];
  for (const name of Object.keys(weights)) {
    const p = params.find((q) => q.name === name);
    if (!p) throw new Error(\`setWeights: unknown weight \${JSON.stringify(name)} (this model has: \${${names}})\`);
    const w = weights[name]!;
    if (typeof w !== "object" || w === null) throw new TypeError(\`setWeights: '\${name}' must be an object with shape and data\`);
    const given = w.shape;
    if (given !== undefined && (!Array.isArray(given) || given.length !== p.shape.length || given.some((d, i) => d !== p.shape[i]))) {
      throw new Error(\`setWeights: '\${name}' has shape [\${p.shape.join(", ")}], got [\${Array.isArray(given) ? given.join(", ") : String(given)}]\`);
    }
    if (!w.data || typeof w.data.length !== "number" || w.data.length !== p.data.length) {
      throw new Error(\`setWeights: '\${name}' needs \${p.data.length} values, got \${w.data && typeof w.data.length === "number" ? w.data.length : "none"}\`);
    }
    const staged = new Float64Array(p.data.length);
    for (let i = 0; i < p.data.length; i++) {
      const v = w.data[i];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(\`setWeights: '\${name}'[\${i}] is \${String(v)}, not a finite number\`);
      staged[i] = v;
    }
    updates.push([p.data, staged]);
  }
  for (const [dst, src] of updates) dst.set(src);
}

function gradients(${args.xArg}: Float64Array, ${args.yArg}: Float64Array, ${args.rows}: number): { loss: number; grads: Weights } {
  ${args.check}
  const value = forwardBackward(${args.xArg}, ${args.yArg}, ${args.rows});
  const grads: Weights = {};
  for (const p of params) if (p.grad) grads[p.name] = { shape: [...p.shape], data: p.grad.slice(0, p.data.length) };
  return { loss: value, grads };
}`;
}

/** getState / setState: step and epoch counters, learning rate, generator states, optimizer buffers. */
export function emitStateApi(model: ModelIR, optVars: string[][]): string {
  const slots = OPTIMIZER_STATE[model.train.optimizer.kind];
  const rows = trainableParams(model).flatMap((p, i) => slots.map((s, k) => `{ key: ${str(`${p.name}/${s}`)}, data: ${optVars[i]![k]} }`));
  return `const optimizerBuffers: { key: string; data: Float64Array }[] = [${rows.join(", ")}];

function getState(): TrainingState {
  const buffers: Record<string, number[]> = {};
  for (const b of optimizerBuffers) buffers[b.key] = Array.from(b.data);
  return { step, epoch: epochsDone, lr, rng: { shuffle: Array.from(shuffleRng), dropout: Array.from(dropoutRng) }, buffers };
}

function setState(state: TrainingState): void {
  const bad = (what: string): never => {
    throw new Error(\`setState: \${what}\`);
  };
  if (typeof state !== "object" || state === null) bad("expected a state object from getState()");
  const count = (v: unknown, what: string) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : bad(\`\${what} must be a non-negative integer\`));
  const nextStep = count(state.step, "step");
  const nextEpoch = count(state.epoch, "epoch");
  if (!(typeof state.lr === "number" && state.lr > 0 && Number.isFinite(state.lr))) bad("lr must be a positive number");
  const words = (v: unknown, what: string) =>
    Array.isArray(v) && v.length === 4 && v.every((w) => Number.isInteger(w) && w >= 0 && w < 4294967296) ? (v as number[]) : bad(\`rng.\${what} must be 4 unsigned 32-bit integers\`);
  const shuffle = words(state.rng?.shuffle, "shuffle");
  const dropout = words(state.rng?.dropout, "dropout");
  const given = state.buffers ?? {};
  for (const key of Object.keys(given)) if (!optimizerBuffers.some((b) => b.key === key)) bad(\`unknown optimizer buffer \${JSON.stringify(key)}\`);
  for (const b of optimizerBuffers) {
    const src = given[b.key];
    if (!Array.isArray(src) || src.length !== b.data.length) bad(\`optimizer buffer '\${b.key}' needs \${b.data.length} values\`);
    if (!src!.every((v) => typeof v === "number" && Number.isFinite(v))) bad(\`optimizer buffer '\${b.key}' holds a non-finite value\`);
  }
  for (const b of optimizerBuffers) b.data.set(given[b.key]!);
  step = nextStep;
  epochsDone = nextEpoch;
  lr = state.lr;
  shuffleRng.set(shuffle);
  dropoutRng.set(dropout);
}`;
}

export function emitFit(model: ModelIR, a: Args): string {
  const inW = model.input.width;
  const yW = model.target.width;
  return `function fit(${a.xArg}: Float64Array, ${a.yArg}: Float64Array, ${a.rows}: number, options: FitOptions = {}): number[] {
  const epochs = options.epochs ?? ${model.train.epochs};
  const batch = options.batch ?? Math.min(${model.train.batch}, maxBatch);
  if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(\`fit: epochs must be a non-negative integer, got \${epochs}\`);
  if (!Number.isInteger(batch) || batch < 1 || batch > maxBatch) {
    throw new RangeError(\`fit: batch must be an integer from 1 to \${maxBatch}, got \${batch}\`);
  }
  if (!Number.isInteger(${a.rows}) || ${a.rows} < 1) throw new RangeError(\`fit: n must be a positive integer, got \${${a.rows}}\`);
  if (${a.xArg}.length < ${a.rows} * ${inW} || ${a.yArg}.length < ${a.rows} * ${yW}) {
    throw new RangeError(\`fit: \${${a.rows}} rows need \${${a.rows} * ${inW}} inputs and \${${a.rows} * ${yW}} targets, got \${${a.xArg}.length} and \${${a.yArg}.length}\`);
  }
  if (options.seed !== undefined) seedRng(shuffleRng, options.seed);
  const order = new Uint32Array(${a.rows});
  const bx = new Float64Array(batch * ${inW});
  const by = new Float64Array(batch * ${yW});
  const history: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const epoch = epochsDone + 1;
    lr = scheduledLr(epoch);
    // Every epoch shuffles 0..n-1 afresh, so its order depends only on the generator's state:
    // fit(k epochs) = k calls of fit(1 epoch), and an epoch after setState() is the one it replaces.
    for (let i = 0; i < ${a.rows}; i++) order[i] = i;
    if (options.shuffle !== false) {
      for (let i = ${a.rows} - 1; i > 0; i--) {
        const j = Math.floor(sfc32(shuffleRng) * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
    }
    let total = 0;
    for (let start = 0; start < ${a.rows}; start += batch) {
      const rows = Math.min(batch, ${a.rows} - start);
      for (let r = 0; r < rows; r++) {
        const src = order[start + r]!;
        for (let k = 0; k < ${inW}; k++) bx[r * ${inW} + k] = ${a.xArg}[src * ${inW} + k]!;
        for (let k = 0; k < ${yW}; k++) by[r * ${yW} + k] = ${a.yArg}[src * ${yW} + k]!;
      }
      const value = trainStep(bx, by, rows);
      if (!Number.isFinite(value)) {
        const at = start / batch + 1;
        const error = new Error(\`fit: the loss became \${value} at epoch \${epoch}, batch \${at}; the weights from before that step are kept. Try a smaller learning rate.\`);
        throw Object.assign(error, { name: "NonFiniteLossError", epoch, batch: at, loss: value });
      }
      total += value * rows;
    }
    epochsDone = epoch;
    history.push(total / ${a.rows});
    if (options.onEpoch && options.onEpoch(epoch, total / ${a.rows}) === false) break;
  }
  return history;
}`;
}
