// A standalone predictor: one module with no imports that runs only the forward pass, with the
// trained weights baked in as base64 float64 bytes (a quarter of the size of decimal text and
// exact). It reuses the trainer's emitter on the `predict` subgraph, with buffers planned for
// that subgraph alone, so its arithmetic — and therefore its output — is the trainer's, bit
// for bit. Every buffer is allocated once at load; predict, predictBatch and classify allocate
// nothing per call, and refuse anything but finite numbers.
import { StructureKind, VariableDeclarationKind, type StatementStructures } from "ts-morph";
import { resolveBackend, type Backend } from "../backend/choose.js";
import type { PredictorWasmBuild } from "../backend/wasm/index.js";
import type { Graph, Node } from "../ir/graph.js";
import { classPositions, inputDecl, type ModelIR } from "../model.js";
import { predictorGraph } from "../pipeline.js";
import type { Plan } from "../plan.js";
import type { Kernel } from "../schedule.js";
import { finishFile, type FinishOptions } from "./format.js";
import { emitGraphFunctions } from "./function.js";
import { body, layoutFile, oneLine, type FileParts } from "./layout.js";
import { str } from "./literals.js";
import { NameManager } from "./names.js";
import { preludeNames } from "./prelude.js";
import { FLOAT32_MAX } from "./row-checks.js";
import { copyRows, wasmKernelsEmit } from "./wasm-memory.js";

export interface PredictorInput {
  model: ModelIR;
  /** The evaluation graph (compileToGraph's evalGraph); only what `predict` needs is emitted. */
  evalGraph: Graph;
  source: string;
  file: string;
  /** Trained values of every parameter and state tensor (running statistics), by name. */
  weights: Readonly<Record<string, ArrayLike<number>>>;
  /** Class names by output index, when training mapped string labels. */
  labels?: readonly string[] | null;
  /** Rows per forward pass; predictBatch handles more rows in chunks of this size. */
  maxBatch?: number;
  /** Standardization the weights were trained with (netc train --normalize), applied to every input. */
  normalization?: { mean: readonly number[]; std: readonly number[] } | null;
  /** Where the forward pass's kernels run (default js); the element type is the model's `precision`. */
  backend?: Backend;
}

export const PREDICTOR_MAX_BATCH = 64;

const WEIGHTS_PLACEHOLDER = "@@NETC_WEIGHTS@@";

/** Identifiers the predictor module uses with fixed names (besides the prelude's); user names get a suffix instead. */
const PREDICTOR_GLOBALS = `Math Float64Array Uint8Array DataView Array Error RangeError TypeError Number String JSON undefined NaN
Infinity WEIGHTS weights maxBatch inputWidth outputWidth labels forward predict predictBatch classify
batchViews sampleIn sampleOut sampleClasses chunkIn out rows start result at r best probs inputMean inputStd Int32Array`.split(/\s+/);

/** The predictor as formatted TypeScript, or as JavaScript or unformatted when asked. */
export async function emitPredictor(input: PredictorInput, options: Omit<FinishOptions, "verify"> = {}): Promise<string> {
  const maxBatch = input.maxBatch ?? PREDICTOR_MAX_BATCH;
  const { graph, plan } = predictorGraph(input.evalGraph, maxBatch);
  const tensors = tensorLayout([...input.model.params, ...input.model.state]);
  // binaryen is loaded only for a wasm predictor.
  const wasm =
    resolveBackend(input.backend, input.model) === "wasm"
      ? await (await import("../backend/wasm/index.js")).buildPredictorWasm(input.model, plan, tensors, maxBatch, input.model.train.precision)
      : undefined;
  const { parts, weightsBase64 } = predictorParts(input, { graph, plan, maxBatch, tensors, wasm });
  // The weights go in last: neither the formatter nor the JavaScript emit need walk a string of megabytes.
  const text = await finishFile(parts, options);
  return text.replace(WEIGHTS_PLACEHOLDER, () => weightsBase64);
}

interface Planned {
  graph: Graph;
  plan: Plan;
  maxBatch: number;
  tensors: TensorLayout;
  wasm?: PredictorWasmBuild;
}

function predictorParts(input: PredictorInput, { graph, plan, maxBatch, tensors: layout, wasm: build }: Planned): { parts: FileParts; weightsBase64: string } {
  const { model, evalGraph } = input;
  const predictNode = evalGraph.outputs.get("predict")!;

  const names = new NameManager(undefined, [...PREDICTOR_GLOBALS, ...preludeNames()]);
  const xArg = names.claim(model.input.name);
  const rows = names.claim("n");
  const tensors = [...model.params, ...model.state];
  const tensorVar = new Map(tensors.map((p) => [p.name, names.claim(p.name)]));
  const arrays = plan.slots.map((s) => names.claim(`buf${s.index}`));
  const wasm = build && wasmKernelsEmit(build, names);
  const inputMem = wasm && names.claim("inputMem");
  const copyAt = wasm && names.claim("copyAt");
  const leaf = (node: Node): string | undefined =>
    node.op === "input" ? (node.attrs.name === model.input.name ? (inputMem ?? xArg) : undefined)
    : node.op === "param" || node.op === "state" ? tensorVar.get(node.attrs.name as string)
    : undefined;
  const env = { graph, plan, arrays, source: input.source, rows, names, leaf, call: wasm && ((k: Kernel) => wasm.call(k, rows)), products: wasm && ((k: Kernel) => wasm.products(k, rows)) };
  const { functions, hoisted } = emitGraphFunctions(env, [
    { name: "forward", roots: ["predict"], signature: `${xArg}: Float64Array, ${rows}: number`, args: `${xArg}, ${rows}` },
  ]);
  const forward = functions[0]!;
  const outSlot = plan.slotOf.get(predictNode.id);
  const outRef = outSlot ? arrays[outSlot.index]! : leaf(predictNode)!;
  const elementBytes = model.train.precision === "f32" ? 4 : 8;
  const workBytes = plan.slots.reduce((n, s) => n + s.size * elementBytes, 0);

  const inW = model.input.width;
  const ids = model.input.index;
  // A float32 predictor refuses finite doubles its arrays cannot hold (they would become Infinity).
  const largest = model.train.precision === "f32" ? `, ${FLOAT32_MAX}` : "";
  const outW = model.output.width;
  const base64 = packWeights(tensors, layout, input.weights);
  const { offset: offsets, total } = layout;
  const classify = classifierKind(model);
  const labels = input.labels && input.labels.length > 0 ? input.labels : null;
  const norm = input.normalization ?? null;
  // An input value as the weights expect it: standardized when training was (--normalize).
  const scaled = (v: string, feature: string) => (norm ? `(${v} - inputMean[${feature}]!) / inputStd[${feature}]!` : v);

  const exported = (name: string, value: string, doc: string, type?: string): StatementStructures => ({
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name, type, initializer: value }],
    docs: [doc],
  });
  const constants = [
    exported("maxBatch", String(maxBatch), "Rows per forward pass; predictBatch takes any number of rows, in chunks of this size."),
    exported("inputWidth", String(inW), `Values per sample: the model's input ${inputDecl(model)}${model.input.shape.length > 1 ? ", flattened row-major" : ""}.`),
    exported("outputWidth", String(outW), `Values per prediction: the model's output ${model.output.name}[${model.output.shape.join(", ")}]${model.output.shape.length > 1 ? ", flattened row-major" : ""}.`),
  ];
  if (labels) constants.push(exported("labels", `[${labels.map(str).join(", ")}]`, "Class names by class index.", "readonly string[]"));
  if (norm) {
    const doc = "Inputs are standardized as in training (netc train --normalize): (x - inputMean) / inputStd, per feature.";
    constants.push(exported("inputMean", `[${norm.mean.map(String).join(", ")}]`, doc, "readonly number[]"));
    constants.push(exported("inputStd", `[${norm.std.map(String).join(", ")}]`, doc, "readonly number[]"));
  }
  const lines = [
    `// ${total} trained values as little-endian float64 bytes, base64-encoded.`,
    `const WEIGHTS = "${WEIGHTS_PLACEHOLDER}";`,
    ...(wasm && build
      ? ["", ...wasm.prelude, `const weights = ${wasm.array(total, build.layout.tensors)};`, "weights.set(decodeFloat64(WEIGHTS));", `const ${inputMem} = ${wasm.array(maxBatch * inW, build.layout.input)};`]
      : ["const weights = decodeFloat64(WEIGHTS);"]),
    ...tensors.map((p) => `const ${tensorVar.get(p.name)} = weights.subarray(${offsets.get(p.name)}, ${offsets.get(p.name)! + layout.size.get(p.name)!}); // ${p.name} [${p.shape.join(", ")}]`),
    "",
    `// Work arrays for ${maxBatch} rows: ${plan.slots.length} arrays, ${workBytes} bytes.`,
    ...plan.slots.map((s, i) => `const ${arrays[i]} = ${wasm && build ? wasm.array(s.size, build.layout.arrays[i]!) : `new Float64Array(${s.size})`};`),
    `const sampleIn = new Float64Array(${inW});`,
    `const sampleOut = ${outRef}.subarray(0, ${outW});`,
    `const chunkIn = new Float64Array(maxBatch * ${inW});`,
    "// predictBatch's results for up to maxBatch rows: one view per row count, made once.",
    "const batchViews: Float64Array[] = [];",
    `for (let r = 0; r <= maxBatch; r++) batchViews.push(${outRef}.subarray(0, r * ${outW}));`,
    "",
    ...hoisted,
    `/** The forward pass on ${rows} <= maxBatch rows of ${xArg}; the result is in ${outRef}. */`,
    `function forward(${xArg}: ArrayLike<number>, ${rows}: number): void {\n${inputMem ? `${copyRows(inputMem, xArg, inW, rows, copyAt!)}\n` : ""}${forward.code}\n}`,
    "",
    `/** Predicts one sample of ${inW} finite numbers. The result is reused by the next call: copy it to keep it. */`,
    `export function predict(${xArg}: ArrayLike<number>): Float64Array {`,
    `  readSample("predict", ${xArg}, ${inW}, sampleIn${largest});`,
    ...(ids ? [`  checkIds("predict", "the input", sampleIn, ${inW}, 1, ${ids});`] : []),
    ...(norm ? [`  for (let at = 0; at < ${inW}; at++) sampleIn[at] = ${scaled("sampleIn[at]!", "at")};`] : []),
    "  forward(sampleIn, 1);",
    "  return sampleOut;",
    "}",
    "",
    `/**`,
    ` * Predicts ${rows} samples stored row by row in ${xArg} (${rows} * ${inW} finite numbers); returns ${rows} * ${outW} values.`,
    ` * Results go to \`out\` when given; otherwise, up to maxBatch rows, to an internal buffer reused by the next`,
    ` * call, and beyond that to a new array (pass \`out\` to stay allocation-free for any ${rows}).`,
    ` */`,
    `export function predictBatch(${xArg}: Float64Array, ${rows}: number, out?: Float64Array): Float64Array {`,
    `  checkBatch("predictBatch", ${xArg}, ${rows}, ${inW}${largest});`,
    ...(ids ? [`  checkIds("predictBatch", "x", ${xArg}, ${inW}, ${rows}, ${ids});`] : []),
    `  if (out && out.length < ${rows} * ${outW}) throw new RangeError(\`predictBatch: out holds \${out.length} values, \${${rows}} rows need \${${rows} * ${outW}}\`);`,
    `  if (${rows} <= maxBatch && !out) {`,
    ...(norm ? [`    for (let at = 0; at < ${rows} * ${inW}; at++) chunkIn[at] = ${scaled(`${xArg}[at]!`, `at % ${inW}`)};`] : []),
    `    if (${rows} > 0) forward(${norm ? "chunkIn" : xArg}, ${rows});`,
    `    return batchViews[${rows}]!;`,
    "  }",
    `  const result = out ?? new Float64Array(${rows} * ${outW});`,
    `  for (let start = 0; start < ${rows}; start += maxBatch) {`,
    `    const rows = Math.min(maxBatch, ${rows} - start);`,
    `    for (let at = 0; at < rows * ${inW}; at++) chunkIn[at] = ${scaled(`${xArg}[start * ${inW} + at]!`, `at % ${inW}`)};`,
    "    forward(chunkIn, rows);",
    `    for (let at = 0; at < rows * ${outW}; at++) result[start * ${outW} + at] = ${outRef}[at]!;`,
    "  }",
    "  return result;",
    "}",
  ];
  const positions = classPositions(model);
  if (classify && positions > 1) {
    const K = outW / positions;
    lines.push(
      "",
      `const sampleClasses = new Int32Array(${positions});`,
      "",
      `/** The most probable class at each of the ${positions} positions of one sample; a view reused by the next call. */`,
      `export function classify(${xArg}: ArrayLike<number>): Int32Array {`,
      `  const probs = predict(${xArg});`,
      `  for (let r = 0; r < ${positions}; r++) {`,
      `    let best = 0;`,
      `    for (let at = 1; at < ${K}; at++) if (probs[r * ${K} + at]! > probs[r * ${K} + best]!) best = at;`,
      "    sampleClasses[r] = best;",
      "  }",
      "  return sampleClasses;",
      "}",
    );
  } else if (classify) {
    const pick = classify === "argmax"
      ? `let best = 0;\n  for (let at = 1; at < ${outW}; at++) if (probs[at]! > probs[best]!) best = at;`
      : "const best = probs[0]! >= 0.5 ? 1 : 0;";
    const rule = classify === "argmax" ? "the most probable class" : "class 1 when the output is at least 0.5, else class 0";
    lines.push(
      "",
      `/** The predicted class of one sample (${rule}): its ${labels ? "label" : "index"}. */`,
      `export function classify(${xArg}: ArrayLike<number>): ${labels ? "string" : "number"} {`,
      `  const probs = predict(${xArg});`,
      `  ${pick}`,
      `  return ${labels ? "labels[best]!" : "best"};`,
      "}",
    );
  }
  const header = [
    `Generated by netc from ${oneLine(input.file)} (model ${model.name}): a standalone predictor with trained weights.`,
    "One file, no imports, inference only. predict, predictBatch and classify allocate nothing per call.",
  ];
  const parts = layoutFile(header, [...constants, body()], lines.join("\n"));
  // In float32 every array is a Float32Array, the weights included (rounded once, at load).
  if (model.train.precision !== "f32") return { parts, weightsBase64: base64 };
  const f32 = (text: string) => text.replaceAll("Float64Array", "Float32Array");
  return { parts: { head: f32(parts.head), generated: f32(parts.generated) }, weightsBase64: base64 };
}

/** Decided in lowering; the CLI's accuracy rule (cli/train-loop.ts) is the same. */
function classifierKind(model: ModelIR): ModelIR["classifier"] {
  return model.classifier;
}

/** Element offsets of every parameter, then every running statistic, in one array. */
interface TensorLayout {
  offset: Map<string, number>;
  size: Map<string, number>;
  total: number;
}

function tensorLayout(tensors: readonly { name: string; shape: number[] }[]): TensorLayout {
  const offset = new Map<string, number>(), size = new Map<string, number>();
  let total = 0;
  for (const p of tensors) {
    offset.set(p.name, total);
    size.set(p.name, p.shape.reduce((a, b) => a * b, 1));
    total += size.get(p.name)!;
  }
  return { offset, size, total };
}

function packWeights(tensors: readonly { name: string }[], layout: TensorLayout, weights: PredictorInput["weights"]): string {
  const bytes = new DataView(new ArrayBuffer(layout.total * 8));
  for (const p of tensors) {
    const values = weights[p.name];
    const at = layout.offset.get(p.name)!, size = layout.size.get(p.name)!;
    if (!values || values.length !== size) throw new Error(`predictor: weights for '${p.name}' need ${size} values, got ${values ? values.length : "none"}`);
    for (let k = 0; k < size; k++) bytes.setFloat64((at + k) * 8, values[k]!, true);
  }
  return Buffer.from(bytes.buffer).toString("base64");
}
