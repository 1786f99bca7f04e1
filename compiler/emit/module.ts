// The generated training module: `createModel`, whose body declares every preallocated array
// once and defines the hot functions (predict, loss, trainStep) over them, then hands them with
// tables of its tensors to the prelude's assembleModel, which adds the rest of the API.
// Laid out with ts-morph after the prelude declarations it uses (compiler/prelude/); the
// caller formats the generated part.
import { StructureKind } from "ts-morph";
import type { Graph, Node } from "../ir/graph.js";
import type { ModelIR } from "../model.js";
import { OPTIMIZER_STATE, emitStepPrologue, emitUpdate, emitUpdateCheck } from "../optim/index.js";
import { fans, trainableParams } from "../model.js";
import type { MemoryPlan, Plan } from "../plan.js";
import { OUTPUT_SEED } from "../pipeline.js";
import { emitGraphFunctions, type EmittedFunction, type FunctionEnv } from "./function.js";
import { emitExplainDecls, emitInputGradients } from "./explain.js";
import { body, layoutFile, oneLine, type FileParts } from "./layout.js";
import { lit, str } from "./literals.js";
import { EMITTER_GLOBALS, NameManager } from "./names.js";
import { preludeNames } from "./prelude.js";
import { rowCheckTail } from "./row-checks.js";
import type { WasmBuild } from "../backend/wasm/index.js";
import { wasmEmit, type WasmEmit } from "./wasm-memory.js";

export interface ModuleInput {
  model: ModelIR;
  graph: Graph;
  evalGraph: Graph;
  explainGraph: Graph;
  plan: MemoryPlan;
  source: string;
  file: string;
  /** Compiled for the wasm backend: arrays live in its memory, matmul kernels run in it. */
  wasm?: WasmBuild;
}

export function emitModule(input: ModuleInput): FileParts {
  const { model, graph, evalGraph, plan } = input;
  const names = new NameManager(undefined, [...EMITTER_GLOBALS, ...preludeNames()]);
  const xArg = names.claim(model.input.name);
  const yArg = names.claim(model.target.name);
  const rows = names.claim("n");
  const paramVar = new Map(model.params.map((p) => [p.name, names.claim(p.name)]));
  const stateVar = new Map(model.state.map((s) => [s.name, names.claim(s.name)]));
  const trainable = trainableParams(model);
  const slotNames = OPTIMIZER_STATE[model.train.optimizer.kind];
  const optVars = trainable.map((p) => slotNames.map((s) => names.claim(`${s}_${p.name}`)));
  // Parameters, gradients and optimizer state live in arenas laid out alike (trainable
  // parameters first, in declaration order), so an update is one loop per learning-rate segment.
  const layout = arenaLayout(model);
  const arena = { weights: names.claim("weights"), grads: names.claim("grads"), state: slotNames.map((s) => names.claim(s)) };
  const gradVar = new Map(trainable.map((p) => [p.name, names.claim(`d_${p.name}`)]));
  const pinned = plan.train.pinned;
  // Running statistics and the next step's values: two arrays laid out alike, stored with one copy.
  const statsArena = { now: names.claim("runningStats"), next: names.claim("nextStats") };
  const nextStateVar = new Map(model.state.map((s) => [s.name, names.claim(`next_${s.name}`)]));
  const arenaVar = (output: string) => (output.startsWith("grad:") ? gradVar.get(output.slice(5)) : nextStateVar.get(output.slice(6)));
  const arrays = plan.arrays.map((_, k) => names.claim(`buf${k}`));
  const views = names.claim("predictViews");
  const seedVar = names.claim("outputSeed");
  const wasm = input.wasm && wasmEmit(input.wasm, names, { input: model.input.width, target: model.target.width, maxBatch: plan.maxBatch });
  const memory = input.wasm?.layout;
  /** A fresh array, or in the wasm backend a view of its memory at the planned byte offset. */
  const newArray = (elements: number, offset: number | undefined) => (wasm ? wasm.array(elements, offset!) : `new Float64Array(${elements})`);

  const env = (g: Graph, p: Plan): FunctionEnv => ({
    graph: g,
    plan: p,
    arrays,
    source: input.source,
    rows,
    names,
    call: wasm && ((k) => wasm.call(k, rows)),
    products: wasm && ((k) => wasm.products(k, rows)),
    leaf: (node: Node) =>
      node.op === "input" ? (node.attrs.name === model.input.name ? (wasm?.inputView ?? xArg) : (wasm?.targetView ?? yArg))
      : node.op === "param" ? paramVar.get(node.attrs.name as string)
      : node.op === "state" ? stateVar.get(node.attrs.name as string)
      : p === plan.train && pinned.has(node.id) ? arenaVar(pinned.get(node.id)!)
      : undefined,
  });
  const evalEnv = env(evalGraph, plan.eval);
  const trainEnv = env(graph, plan.train);
  const xy = { signature: `${xArg}: Float64Array, ${yArg}: Float64Array, ${rows}: number`, args: `${xArg}, ${yArg}, ${rows}` };
  const predictSpec = { name: "predict", roots: ["predict"], signature: `${xArg}: Float64Array, ${rows}: number`, args: `${xArg}, ${rows}` };
  const evalLossSpec = { name: "evalLoss", roots: ["loss"], ...xy };
  const stateOutputs = [...graph.outputs.keys()].filter((k) => k.startsWith("state:"));
  const gradOutputs = trainable.map((p) => `grad:${p.name}`);
  const fbSpec = { name: "forwardBackward", roots: ["loss", ...gradOutputs, ...stateOutputs], ...xy };
  let predictFn: EmittedFunction, evalLossFn: EmittedFunction, fbFn: EmittedFunction;
  let trainLossFn: EmittedFunction | undefined;
  let hoisted: string[];
  if (evalGraph === graph) {
    // Nothing depends on the mode, so predict and loss run subsets of the training step's
    // kernels, and a large model's parts are emitted once for all three functions.
    const all = emitGraphFunctions(trainEnv, [predictSpec, evalLossSpec, fbSpec]);
    [predictFn, evalLossFn, fbFn] = all.functions as [EmittedFunction, EmittedFunction, EmittedFunction];
    hoisted = all.hoisted;
  } else {
    const evalFns = emitGraphFunctions(evalEnv, [predictSpec, evalLossSpec]);
    [predictFn, evalLossFn] = evalFns.functions as [EmittedFunction, EmittedFunction];
    const trainFns = emitGraphFunctions(trainEnv, [{ name: "trainLoss", roots: ["loss"], ...xy }, fbSpec]);
    [trainLossFn, fbFn] = trainFns.functions as [EmittedFunction, EmittedFunction];
    hoisted = [...evalFns.hoisted, ...trainFns.hoisted];
  }
  // inputGradients: its own graph and kernels, in the shared arrays; the seed is a leaf.
  const explainPlan = plan.explain!;
  const explainBase = env(input.explainGraph, explainPlan);
  const explainLocals = { output: names.claim("output"), p: names.claim("p"), r: names.claim("row"), k: names.claim("k"), best: names.claim("best") };
  const explainEnv: FunctionEnv = { ...explainBase, leaf: (node) => (node.op === "input" && node.attrs.name === OUTPUT_SEED ? seedVar : explainBase.leaf(node)) };
  const explainFns = emitGraphFunctions(explainEnv, [{ name: "inputGradients", roots: ["input_grad"], signature: `${xArg}: Float64Array, ${rows}: number`, args: `${xArg}, ${rows}` }]);
  hoisted.push(...explainFns.hoisted);
  const inputGrad = input.explainGraph.outputs.get("input_grad")!;
  const inputGradSlot = explainPlan.slotOf.get(inputGrad.id);
  // Without a kernel of its own the gradient is a leaf: the seed itself when the output is x plus a constant.
  const inputGradLeaf = inputGradSlot ? undefined : explainEnv.leaf(inputGrad);
  if (!inputGradSlot && inputGradLeaf !== seedVar) throw new Error(`internal: the input gradient of model ${model.name} is a leaf other than the output seed`);
  const explainNames = {
    ...explainLocals,
    xArg,
    rows,
    seed: seedVar,
    views: names.claim("inputGradViews"),
    result: inputGradSlot ? arrays[inputGradSlot.index]! : seedVar,
    ...(wasm ? { copyIn: wasm.copyInputs(xArg, null, rows) } : {}),
  };
  // Code outside forwardBackward reaches its outputs through the shared arrays, not its locals.
  const outputsOf = (key: string) => {
    const node = graph.outputs.get(key)!;
    const slot = plan.train.slotOf.get(node.id);
    return slot ? arrays[slot.index]! : trainEnv.leaf(node)!;
  };

  const view = (arr: string, name: string) => `${arr}.subarray(${layout.offset.get(name)}, ${layout.offset.get(name)! + layout.size.get(name)!})`;
  const decls: string[] = [`const maxBatch = ${plan.maxBatch};`, ...(wasm ? ["", ...wasm.prelude] : []), "", "// Parameters: views of one array"];
  decls.push(`const ${arena.weights} = ${newArray(layout.total, memory?.weights)};`);
  for (const p of model.params) {
    const fill = p.init.kind === "ones" ? ".fill(1)" : "";
    decls.push(`const ${paramVar.get(p.name)} = ${view(arena.weights, p.name)}${fill}; // ${p.name} [${p.shape.join(", ")}]`);
  }
  if (trainable.length > 0) {
    decls.push("", "// Gradients, laid out like the trainable parameters");
    decls.push(`const ${arena.grads} = ${newArray(layout.trainable, memory?.grads)};`);
    for (const p of trainable) decls.push(`const ${gradVar.get(p.name)} = ${view(arena.grads, p.name)};`);
  }
  if (model.state.length > 0) {
    decls.push("", "// Running statistics (not trained; saved with the weights), and the values a training step computes");
    const total = model.state.reduce((n, s) => n + size(s.shape), 0);
    decls.push(`const ${statsArena.now} = ${newArray(total, memory?.statsNow)};`, `const ${statsArena.next} = ${newArray(total, memory?.statsNext)};`);
    let at = 0;
    for (const s of model.state) {
      const range = `${at}, ${at + size(s.shape)}`;
      decls.push(`const ${stateVar.get(s.name)} = ${statsArena.now}.subarray(${range})${s.init !== 0 ? `.fill(${lit(s.init)})` : ""}; // ${s.name}`);
      decls.push(`const ${nextStateVar.get(s.name)} = ${statsArena.next}.subarray(${range});`);
      at += size(s.shape);
    }
  }
  if (slotNames.length > 0) {
    decls.push("", `// Optimizer state (${model.train.optimizer.kind})`);
    arena.state.forEach((a, k) => decls.push(`const ${a} = ${newArray(layout.trainable, memory?.optimizer[k])};`));
    trainable.forEach((p, i) => optVars[i]!.forEach((v, k) => decls.push(`const ${v} = ${view(arena.state[k]!, p.name)};`)));
  }
  decls.push(
    "",
    `// Work arrays, shared by the training step and the evaluation functions: ${plan.bytes.work} bytes`,
    `// (${plan.bytes.workUnshared} if no two tensors shared storage).`,
    ...plan.arrays.map((n, k) => `const ${arrays[k]} = ${newArray(n, memory?.arrays[k])};`),
  );
  const predictNode = evalGraph.outputs.get("predict")!;
  const predictSlot = plan.eval.slotOf.get(predictNode.id);
  const predictOut = predictSlot ? arrays[predictSlot.index]! : evalEnv.leaf(predictNode)!;
  const [inW, yW, outW] = [model.input.width, model.target.width, model.output.width];
  decls.push(
    "",
    "// predict returns a view of its output array; one view per row count, made once.",
    `const ${views}: Float64Array[] = [];`,
    `for (let r = 0; r <= maxBatch; r++) ${views}.push(${predictOut}.subarray(0, r * ${outW}));`,
    "",
    "// predict and loss copy the chunks of larger batches here, and inputs standardized as a loaded weights file says.",
    `const inputScaling: InputScaling = { on: false, mean: new Float64Array(${inW}), std: new Float64Array(${inW}) };`,
    `const rowChunks: RowChunks = { maxBatch, inputWidth: ${inW}, targetWidth: ${yW}, outputWidth: ${outW}, classes: ${model.target.classes ?? null}, x: new Float64Array(maxBatch * ${inW}), y: new Float64Array(maxBatch * ${yW}), scaling: inputScaling };`,
    ...emitExplainDecls(model, explainNames),
  );

  // predict and loss take any number of rows (in chunks); the training step at most maxBatch.
  const check = (fn: string, withY: boolean, limit = "maxBatch") =>
    `checkRows(${str(fn)}, ${rows}, ${limit}, ${xArg}, ${inW}, ${withY ? yArg : "null"}, ${yW}${rowCheckTail(model)});`;
  const sig = `${xArg}: Float64Array, ${yArg}: Float64Array, ${rows}: number`;
  const copyIn = (withY: boolean) => (wasm ? `${wasm.copyInputs(xArg, withY ? yArg : null, rows)}\n` : "");
  const lossIn = (kernel: string, mode: "eval" | "train") =>
    `if (${rows} <= maxBatch && !inputScaling.on) return ${kernel}(${xArg}, ${yArg}, ${rows});\nreturn lossInChunks(rowChunks, ${kernel}, ${xArg}, ${yArg}, ${rows}, "${mode}", info.lossChunks.${mode});`;
  const fns = [
    ...hoisted,
    `/** The forward pass (evaluation mode) on at most maxBatch rows; a view of its output array. */\nfunction predictRows(${xArg}: Float64Array, ${rows}: number): Float64Array {\n${copyIn(false)}${predictFn.code}\nreturn ${views}[${rows}]!;\n}`,
    `function predict(${xArg}: Float64Array, ${rows}: number, out?: Float64Array): Float64Array {
${check("predict", false, "null")}
if (${rows} <= maxBatch && out === undefined && !inputScaling.on) return predictRows(${xArg}, ${rows});
return predictInChunks(rowChunks, predictRows, ${xArg}, ${rows}, out);
}`,
    `function evalLoss(${sig}): number {\n${copyIn(true)}${evalLossFn.code}\nreturn ${evalLossFn.ref(evalGraph.outputs.get("loss")!)};\n}`,
    trainLossFn
      ? `function trainLoss(${sig}): number {\n${copyIn(true)}${trainLossFn.code}\nreturn ${trainLossFn.ref(graph.outputs.get("loss")!)};\n}`
      : "",
    `function loss(${sig}, mode: "train" | "eval" = "eval"): number {
${check("loss", true, "null")}
checkMode(mode);
${trainLossFn ? `if (mode === "train") {\n${lossIn("trainLoss", "train")}\n}\n` : ""}${lossIn("evalLoss", "eval")}
}`,
    `/** Forward pass (training mode), loss, every gradient, and the new running statistics. */\nfunction forwardBackward(${sig}): number {\n${copyIn(true)}${fbFn.code}\nreturn ${fbFn.ref(graph.outputs.get("loss")!)};\n}`,
    emitTrainStep(model, { sig, xArg, yArg, rows, check: check("trainStep", true), names, arena, layout, gradVar, stateVar, statsArena, nextStateVar, grad: (p) => outputsOf(`grad:${p}`), stateOut: (s) => outputsOf(`state:${s}`), wasmUpdate: wasm?.update }),
    emitInputGradients(model, explainNames, explainFns.functions[0]!),
  ].filter(Boolean);
  // Only a model whose kernels draw dropout masks carries their generator.
  const dropout = fns.some((f) => /\bnextDropout\(/.test(f));
  decls.push("", ...emitSeeding(model, paramVar, dropout));
  // gradients() runs forwardBackward alone: a gradient shared by two parameters is then still in its work array.
  const gradOf = (p: string) => (gradVar.has(p) ? outputsOf(`grad:${p}`) : "null");
  const tables = emitTables(model, { paramVar, stateVar, gradOf, arena, statsArena, optVars });
  const info = {
    name: model.name,
    input: model.input,
    target: { ...model.target, classes: model.target.classes ?? null },
    output: model.output,
    params: model.params.map((p) => ({ name: p.name, shape: p.shape, trainable: trainable.includes(p) })),
    state: model.state.map((s) => ({ name: s.name, shape: s.shape })),
    paramCount: model.params.reduce((n, p) => n + size(p.shape), 0),
    bytes: plan.bytes.total,
    maxBatch: plan.maxBatch,
    precision: model.train.precision,
    classifier: model.classifier,
    lossChunks: model.lossChunks,
    train: { optimizer: model.train.optimizer.kind, lr: model.train.optimizer.lr, epochs: model.train.epochs, batch: model.train.batch, seed: model.train.seed },
  };
  const core = ["info", "tensors", "optimizerBuffers", "progress", `schedule: ${schedule(model)}`, "shuffleRng", `dropoutRng${dropout ? "" : ": null"}`, "rowChunks", "trainStep", "trainRows", "predict", "loss", "forwardBackward", "inputGradients"];
  const createModelBody = [
    ...decls,
    "",
    ...fns,
    "",
    ...tables,
    `const info: ModelInfo = ${jsonLiteral(info)};`,
    `return assembleModel({ ${core.join(", ")} });`,
  ].join("\n");

  const parts = layoutFile(
    [`Generated by netc from ${oneLine(input.file)} (model ${model.name}). Do not edit: recompile instead.`, "Self-contained: no imports. trainStep, predict and loss allocate nothing."],
    [
      {
        kind: StructureKind.Function,
        isExported: true,
        name: "createModel",
        parameters: [{ name: "options", type: "ModelOptions", initializer: "{}" }],
        returnType: "Model",
        docs: [`Creates a ${model.name} model with freshly initialized weights.`],
        statements: [body()],
      },
    ],
    createModelBody,
  );
  // In float32 every array of the module is a Float32Array: the API's (x, y, predict's result,
  // weights), the parameters and the work arrays, the prelude's too. JavaScript kernels still
  // compute in doubles and round when they store.
  if (model.train.precision !== "f32") return parts;
  const f32 = (text: string) => text.replaceAll("Float64Array", "Float32Array");
  return { head: f32(parts.head), generated: f32(parts.generated) };
}

/** Generator states and weight initialization: one initializer call per randomly initialized parameter. */
function emitSeeding(model: ModelIR, paramVar: Map<string, string>, dropout: boolean): string[] {
  const lines = [
    `const seed = options.seed ?? ${model.train.seed};`,
    `const progress: Progress = { step: 0, epoch: 0, lr: ${lit(model.train.optimizer.lr)}, refused: false };`,
    "const shuffleRng = seededRng(seed + 1);",
  ];
  if (dropout) lines.push("const dropoutRng = seededRng(seed + 2);", "function nextDropout(): number {\nreturn sfc32(dropoutRng);\n}");
  const inits: string[] = [];
  for (const p of model.params) {
    const data = paramVar.get(p.name)!;
    const [fanIn, fanOut] = fans(p.shape);
    const init = p.init;
    if (init.kind === "normal") inits.push(`initNormal(${data}, ${lit(init.mean)}, ${lit(init.std)}, rng);`);
    else if (init.kind === "uniform") inits.push(`initUniform(${data}, ${lit(init.lo)}, ${lit(init.hi)}, rng);`);
    else if (init.kind === "xavier") inits.push(`initXavier(${data}, ${fanIn}, ${fanOut}, rng);`);
    else if (init.kind === "he") inits.push(`initHe(${data}, ${fanIn}, rng);`);
  }
  // Zeros and ones draw nothing, so skipping them leaves every other parameter's values as they were.
  if (inits.length > 0) lines.push("{", "const rng = seededRng(seed);", ...inits, "}");
  return lines;
}

interface TableEnv {
  paramVar: Map<string, string>;
  stateVar: Map<string, string>;
  gradOf: (param: string) => string;
  arena: { weights: string; grads: string; state: string[] };
  statsArena: { now: string; next: string };
  optVars: string[][];
}

/** The tensor and optimizer-buffer tables the prelude's API functions work on. */
function emitTables(model: ModelIR, e: TableEnv): string[] {
  const rows = [
    ...model.params.map((p) => `{ name: ${str(p.name)}, shape: [${p.shape.join(", ")}], data: ${e.paramVar.get(p.name)}, grad: ${e.gradOf(p.name)}, statistic: false },`),
    ...model.state.map((s) => `{ name: ${str(s.name)}, shape: [${s.shape.join(", ")}], data: ${e.stateVar.get(s.name)}, grad: null, statistic: true },`),
  ];
  const slots = OPTIMIZER_STATE[model.train.optimizer.kind];
  const buffers = trainableParams(model).flatMap((p, i) => slots.map((s, k) => `{ key: ${str(`${p.name}/${s}`)}, data: ${e.optVars[i]![k]} },`));
  return [
    "/** Every tensor saved with the weights: parameters, then running statistics. */",
    "const tensors: TensorSlot[] = [",
    ...rows,
    "];",
    buffers.length > 0 ? ["const optimizerBuffers: OptimizerBuffer[] = [", ...buffers, "];"].join("\n") : "const optimizerBuffers: OptimizerBuffer[] = [];",
  ];
}

/** The `train` block's learning-rate schedule as the prelude's Schedule. */
function schedule(model: ModelIR): string {
  const t = model.train;
  const s = t.schedule;
  const fields = [`kind: ${str(s.kind)}`, `lr: ${lit(t.optimizer.lr)}`, `warmup: ${t.warmup}`];
  if (s.kind === "step") fields.push(`every: ${s.every}`, `gamma: ${lit(s.gamma)}`);
  if (s.kind === "exponential") fields.push(`gamma: ${lit(s.gamma)}`);
  if (s.kind === "cosine") fields.push(`min: ${lit(s.min)}`, `epochs: ${t.epochs}`);
  return `{ ${fields.join(", ")} }`;
}

/** JSON as a TypeScript expression: the two line separators JSON allows in strings are escaped. */
function jsonLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

interface StepEnv {
  sig: string;
  xArg: string;
  yArg: string;
  rows: string;
  check: string;
  names: NameManager;
  arena: { weights: string; grads: string; state: string[] };
  layout: ArenaLayout;
  gradVar: Map<string, string>;
  stateVar: Map<string, string>;
  statsArena: { now: string; next: string };
  nextStateVar: Map<string, string>;
  grad: (param: string) => string;
  stateOut: (state: string) => string;
  /** In the wasm backend: runs segment k's update there. */
  wasmUpdate?: WasmEmit["update"];
}

/** The training step: gradients, running statistics, optional clipping, then each parameter's update. */
function emitTrainStep(model: ModelIR, e: StepEnv): string {
  const local = e.names.child();
  const trainable = trainableParams(model);
  const spec = model.train.optimizer;
  const lines: string[] = [];
  // Statistics shared with another output were computed into a work array: copy them over first.
  // (An element loop: `.set(src.subarray(…))` would allocate a view on every step.)
  const copy = (to: string, from: string, n: number) => {
    const i = local.claim("i");
    return `for (let ${i} = 0; ${i} < ${n}; ${i}++) ${to}[${i}] = ${from}[${i}];`;
  };
  for (const s of model.state) {
    const src = e.stateOut(s.name);
    if (src !== e.nextStateVar.get(s.name)) lines.push(copy(e.nextStateVar.get(s.name)!, src, size(s.shape)));
  }
  const stateSize = model.state.reduce((n, st) => n + size(st.shape), 0);
  // A gradient shared by two parameters was computed once, into a work array: copy it over.
  for (const p of trainable) {
    const src = e.grad(p.name);
    if (src !== e.gradVar.get(p.name)) lines.push(copy(e.gradVar.get(p.name)!, src, size(p.shape)));
  }
  let gradScale = "";
  if (model.train.clipNorm > 0 && trainable.length > 0) {
    // PyTorch's clip_grad_norm_: scale every gradient by max_norm / (‖g‖ + 1e-6) when that is below 1.
    const i = local.claim("i");
    lines.push("let sumSq = 0;", `for (let ${i} = 0; ${i} < ${e.layout.trainable}; ${i}++) sumSq += ${e.arena.grads}[${i}] * ${e.arena.grads}[${i}];`);
    lines.push(`const clip = Math.min(1, ${lit(model.train.clipNorm)} / (Math.sqrt(sumSq) + 1e-6));`);
    gradScale = "clip";
  }
  lines.push("progress.step++;", emitStepPrologue(spec, "progress.step"));
  const targets = e.layout.segments.map((segment) => ({
    param: e.arena.weights,
    grad: e.arena.grads,
    state: e.arena.state,
    from: segment.from,
    to: segment.to,
    i: local.claim("i"),
    lr: segment.lr !== undefined ? `rate * ${lit(segment.lr / spec.lr)}` : "rate",
    gradScale,
  }));
  // Nothing is written unless every value the step would write is finite: the update's
  // arithmetic runs once without its stores first (a gradient that is not finite, or an
  // overflow from a huge learning rate, leaves the weights, statistics and state as they were).
  const checks = ["let notFinite = 0;"];
  if (stateSize > 0) {
    const i = local.claim("i");
    checks.push(`for (let ${i} = 0; ${i} < ${stateSize}; ${i}++) notFinite += ${e.statsArena.next}[${i}] - ${e.statsArena.next}[${i}];`);
  }
  for (const t of targets) checks.push(emitUpdateCheck(spec, { ...t, i: local.claim("i") }, "notFinite", local.claim("w"), model.train.precision === "f32"));
  checks.push("if (notFinite !== 0) {\nprogress.step--;\nreturn false;\n}");
  // The wasm kernel applies the segment's own learning-rate scale (param_lr) itself.
  const adam = spec.kind === "adam" || spec.kind === "adamw";
  const wasmArgs = { rate: "rate", clip: gradScale || "1", corr1: adam ? "corr1" : "1", corr2: adam ? "corr2" : "1" };
  const updates = targets.map((t, k) => e.wasmUpdate?.(k, wasmArgs) ?? emitUpdate(spec, t));
  const stores = stateSize > 0 ? [`${e.statsArena.now}.set(${e.statsArena.next});`] : [];
  // The update loops live in their own function: a long loop inside trainStep gets compiled
  // mid-loop (on-stack replacement) and V8 kept deoptimizing it there, boxing doubles.
  return `/** Running statistics, clipping and the ${spec.kind} update, after a step with a finite loss; false (and nothing written) if any written value would not be finite. */
function applyUpdates(): boolean {
const rate = progress.lr;
${[...lines, ...checks, ...stores, ...updates, "return true;"].filter(Boolean).join("\n")}
}

function trainStep(${e.sig}): number {
${e.check}
return trainRows(inputScaling.on ? chunkRows(rowChunks, ${e.xArg}, 0, ${e.rows}) : ${e.xArg}, ${e.yArg}, ${e.rows});
}

/** The training step on rows already checked (fit checks all of its rows once, up front) and standardized. */
function trainRows(${e.sig}): number {
const value = forwardBackward(${e.xArg}, ${e.yArg}, ${e.rows});
if (!Number.isFinite(value)) return value; // keep the last good weights
if (applyUpdates()) return value;
progress.refused = true; // the step would have made a weight non-finite: nothing was written
return NaN;
}`;
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export interface ArenaLayout {
  /** Element offset and size of every parameter in the parameter arena (trainable ones first). */
  offset: Map<string, number>;
  size: Map<string, number>;
  total: number;
  /** Elements of the trainable prefix, which the gradient and optimizer arenas mirror. */
  trainable: number;
  /** Runs of trainable parameters with the same learning rate: one update loop each. */
  segments: { from: number; to: number; lr?: number }[];
}

export function arenaLayout(model: ModelIR): ArenaLayout {
  const ordered = [...model.params.filter((p) => p.trainable), ...model.params.filter((p) => !p.trainable)];
  const offset = new Map<string, number>(), sizes = new Map<string, number>();
  const segments: ArenaLayout["segments"] = [];
  let at = 0;
  for (const p of ordered) {
    offset.set(p.name, at);
    sizes.set(p.name, size(p.shape));
    if (p.trainable) {
      const last = segments[segments.length - 1];
      if (last && last.lr === p.lr) last.to = at + size(p.shape);
      else segments.push({ from: at, to: at + size(p.shape), lr: p.lr });
    }
    at += size(p.shape);
  }
  const trainable = segments.length > 0 ? segments[segments.length - 1]!.to : 0;
  return { offset, size: sizes, total: at, trainable, segments };
}
