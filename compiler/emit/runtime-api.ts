// The non-hot parts of the generated API: weights in and out, gradients for inspection, and
// the fit loop. These may allocate (they run once per call, not once per row).
import type { ModelIR } from "../model.js";
import { str } from "./literals.js";

interface Args {
  xArg: string;
  yArg: string;
  rows: string;
}

export function emitWeightsApi(
  model: ModelIR,
  paramVar: Map<string, string>,
  gradRef: (param: string) => string,
  args: Args & { check: string },
): string {
  const table = model.params
    .map((p) => `{ name: ${str(p.name)}, shape: [${p.shape.join(", ")}], data: ${paramVar.get(p.name)}, grad: ${gradRef(p.name)} }`)
    .join(",\n");
  const names = str(model.params.map((p) => p.name).join(", "));
  return `const params: { name: string; shape: number[]; data: Float64Array; grad: Float64Array }[] = [
${table}
];

function getWeights(): Weights {
  const out: Weights = {};
  for (const p of params) out[p.name] = { shape: [...p.shape], data: p.data.slice() };
  return out;
}

function setWeights(weights: Record<string, { shape?: readonly number[]; data: ArrayLike<number> }>): void {
  if (typeof weights !== "object" || weights === null) throw new TypeError("setWeights: expected an object of weights by name");
  const updates: [Float64Array, ArrayLike<number>][] = [];
  for (const name of Object.keys(weights)) {
    const p = params.find((q) => q.name === name);
    if (!p) throw new Error(\`setWeights: unknown weight \${JSON.stringify(name)} (this model has: \${${names}})\`);
    const w = weights[name]!;
    const given = w.shape;
    if (given && (given.length !== p.shape.length || given.some((d, i) => d !== p.shape[i]))) {
      throw new Error(\`setWeights: '\${name}' has shape [\${p.shape.join(", ")}], got [\${[...given].join(", ")}]\`);
    }
    if (!w.data || w.data.length !== p.data.length) {
      throw new Error(\`setWeights: '\${name}' needs \${p.data.length} values, got \${w.data ? w.data.length : "none"}\`);
    }
    for (let i = 0; i < p.data.length; i++) {
      const v = w.data[i];
      if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(\`setWeights: '\${name}'[\${i}] is \${String(v)}, not a finite number\`);
    }
    updates.push([p.data, w.data]);
  }
  for (const [dst, src] of updates) for (let i = 0; i < dst.length; i++) dst[i] = src[i]!;
}

function gradients(${args.xArg}: Float64Array, ${args.yArg}: Float64Array, ${args.rows}: number): { loss: number; grads: Weights } {
  ${args.check}
  const value = forwardBackward(${args.xArg}, ${args.yArg}, ${args.rows});
  const grads: Weights = {};
  for (const p of params) grads[p.name] = { shape: [...p.shape], data: p.grad.slice() };
  return { loss: value, grads };
}`;
}

export function emitFit(model: ModelIR, a: Args): string {
  const inW = model.input.width;
  const yW = model.target.width;
  return `function fit(${a.xArg}: Float64Array, ${a.yArg}: Float64Array, ${a.rows}: number, options: FitOptions = {}): number[] {
  const epochs = options.epochs ?? ${model.train.epochs};
  const batch = options.batch ?? Math.min(${model.train.batch}, maxBatch);
  if (!Number.isInteger(batch) || batch < 1 || batch > maxBatch) {
    throw new RangeError(\`fit: batch must be an integer from 1 to \${maxBatch}, got \${batch}\`);
  }
  if (!Number.isInteger(${a.rows}) || ${a.rows} < 1) throw new RangeError(\`fit: n must be a positive integer, got \${${a.rows}}\`);
  if (${a.xArg}.length < ${a.rows} * ${inW} || ${a.yArg}.length < ${a.rows} * ${yW}) {
    throw new RangeError(\`fit: \${${a.rows}} rows need \${${a.rows} * ${inW}} inputs and \${${a.rows} * ${yW}} targets, got \${${a.xArg}.length} and \${${a.yArg}.length}\`);
  }
  const order = new Uint32Array(${a.rows});
  for (let i = 0; i < ${a.rows}; i++) order[i] = i;
  const bx = new Float64Array(batch * ${inW});
  const by = new Float64Array(batch * ${yW});
  const rng = makeRng(options.seed ?? seed + 1);
  const history: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (options.shuffle !== false) {
      for (let i = ${a.rows} - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
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
        throw new Error(\`fit: the loss became \${value} at epoch \${epoch}, batch \${start / batch + 1}; the weights from before that step are kept. Try a smaller learning rate.\`);
      }
      total += value * rows;
    }
    history.push(total / ${a.rows});
    if (options.onEpoch && options.onEpoch(epoch, total / ${a.rows}) === false) break;
  }
  return history;
}`;
}
