// inputGradients: the gradient of one output per row with respect to every input feature
// (saliency), evaluation mode, allocation-free. The input-gradient graph (pipeline.ts,
// inputGradientGraph) takes a seed shaped like the output that selects what to differentiate;
// this file emits the function that fills the seed — the requested output index, or by default
// each row's predicted class — and runs the graph's kernels.
import type { ModelIR } from "../model.js";
import type { EmittedFunction } from "./function.js";
import { str } from "./literals.js";
import { rowCheckTail } from "./row-checks.js";

export interface ExplainNames {
  xArg: string;
  rows: string;
  /** Closure array holding the seed, maxBatch × output width. */
  seed: string;
  /** Closure array of result views, one per row count. */
  views: string;
  /** The array input_grad is computed into. */
  result: string;
  /** The optional argument and the locals, claimed so no user name can shadow them. */
  output: string;
  p: string;
  r: string;
  k: string;
  best: string;
  /** In the wasm backend: the statements copying x into its memory, where the kernels read it. */
  copyIn?: string;
}

/** Declarations at createModel level: the seed array and one result view per row count. */
export function emitExplainDecls(model: ModelIR, names: ExplainNames): string[] {
  return [
    "",
    "// inputGradients: the output-selecting seed, and one result view per row count, made once.",
    `const ${names.seed} = new Float64Array(maxBatch * ${model.output.width});`,
    `const ${names.views}: Float64Array[] = [];`,
    `for (let r = 0; r <= maxBatch; r++) ${names.views}.push(${names.result}.subarray(0, r * ${model.input.width}));`,
  ];
}

export function emitInputGradients(model: ModelIR, names: ExplainNames, fn: EmittedFunction): string {
  const { xArg, rows, seed, output, p, r, k, best } = names;
  const width = model.output.width;
  const defaultSeed =
    model.classifier === "argmax"
      ? `const ${p} = predict(${xArg}, ${rows});
for (let ${r} = 0; ${r} < ${rows}; ${r}++) {
let ${best} = 0;
for (let ${k} = 1; ${k} < ${width}; ${k}++) if (${p}[${r} * ${width} + ${k}]! > ${p}[${r} * ${width} + ${best}]!) ${best} = ${k};
${seed}[${r} * ${width} + ${best}] = 1;
}`
      : width === 1 && model.classifier === "threshold"
        ? `const ${p} = predict(${xArg}, ${rows});
for (let ${r} = 0; ${r} < ${rows}; ${r}++) ${seed}[${r}] = ${p}[${r}]! >= 0.5 ? 1 : -1;`
        : width === 1
          ? `${seed}.fill(1, 0, ${rows});`
          : `throw new RangeError(${str(`inputGradients: this model has ${width} outputs; pass the index of the one to explain`)});`;
  // With a loaded standardization the kernels see (x − mean) / std, so d/dx is theirs divided by std;
  // the seed comes first, from predict, which standardizes raw rows itself.
  const scaled = (line: string) => `if (inputScaling.on) ${line}`;
  const what =
    model.classifier === "argmax" ? "each row's predicted class probability"
    : width === 1 && model.classifier === "threshold" ? "each row's predicted class probability (p, or 1 − p when p < 0.5)"
    : width === 1 ? "the output"
    : "output `output`";
  return `/**
 * Gradient of ${what} with respect to every input feature
 * (evaluation mode): ${model.input.width} values per row. \`output\` picks an output index instead.
 * The result is a view of an internal buffer, valid until the next call.
 */
function inputGradients(${xArg}: Float64Array, ${rows}: number, ${output}?: number): Float64Array {
checkRows("inputGradients", ${rows}, maxBatch, ${xArg}, ${model.input.width}, null, 0${rowCheckTail(model)});
if (${output} !== undefined && !(Number.isInteger(${output}) && ${output} >= 0 && ${output} < ${width})) {
throw new RangeError(\`inputGradients: output must be an integer from 0 to ${width - 1}, got \${${output}}\`);
}
${names.copyIn ? `${names.copyIn}\n` : ""}${seed}.fill(0, 0, ${rows} * ${width});
if (${output} === undefined) {
${defaultSeed}
} else {
for (let ${r} = 0; ${r} < ${rows}; ${r}++) ${seed}[${r} * ${width} + ${output}] = 1;
}
${scaled(`${xArg} = chunkRows(rowChunks, ${xArg}, 0, ${rows});`)}
${fn.code}
${scaled(`for (let ${r} = 0; ${r} < ${rows}; ${r}++) for (let ${k} = 0; ${k} < ${model.input.width}; ${k}++) ${names.result}[${r} * ${model.input.width} + ${k}] /= inputScaling.std[${k}]!;`)}
return ${names.views}[${rows}]!;
}`;
}
