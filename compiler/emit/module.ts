// Assembles the generated module with ts-morph: API types, helpers, and `createModel`, whose
// body declares every preallocated buffer once and defines predict / loss / trainStep / fit
// over them. The caller formats the text with prettier.
import { Project } from "ts-morph";
import type { Graph, Node } from "../ir/graph.js";
import type { ModelIR } from "../model.js";
import { OPTIMIZER_STATE, emitStepPrologue, emitUpdate } from "../optim/index.js";
import { liveNodes } from "../passes/rewrite.js";
import { needsBuffer, type Plan } from "../plan.js";
import { emitBody } from "./body.js";
import { API_TYPES, HELPERS } from "./helpers.js";
import { lit, str } from "./literals.js";
import { EMITTER_GLOBALS, NameManager } from "./names.js";
import { emitFit, emitWeightsApi } from "./runtime-api.js";

export interface ModuleInput {
  model: ModelIR;
  graph: Graph;
  plan: Plan;
  source: string;
  file: string;
}

export function emitModule(input: ModuleInput): string {
  const { model, graph, plan } = input;
  const names = new NameManager(undefined, EMITTER_GLOBALS);
  const xArg = names.claim(model.input.name);
  const yArg = names.claim(model.target.name);
  const rows = names.claim("n");

  const paramVar = new Map(model.params.map((p) => [p.name, names.claim(p.name)]));
  const stateVars = model.params.map((p) =>
    OPTIMIZER_STATE[model.train.optimizer.kind].map((s) => names.claim(`${s}_${p.name}`)),
  );
  const slotVar = plan.slots.map((s) => names.claim(`buf${s.index}`));
  const tensorVar = new Map<number, string>();
  for (const node of plan.schedule) {
    if (!needsBuffer(node)) continue;
    tensorVar.set(node.id, names.claim(graph.labels.get(node.id) ?? node.op));
  }
  const step = names.claim("step");
  const views = names.claim("predictViews");
  const storage = (node: Node): string | undefined => {
    if (node.op === "input") return node.attrs.name === model.input.name ? xArg : yArg;
    if (node.op === "param") return paramVar.get(node.attrs.name as string);
    return tensorVar.get(node.id);
  };
  const env = { storage, source: input.source, rows };
  const outputs = graph.outputs;
  const subset = (roots: string[]) => {
    const live = liveNodes({ ...graph, outputs: new Map(roots.map((r) => [r, outputs.get(r)!])) });
    return plan.kernels.filter((k) => live.has(k.root.id));
  };
  const gradRoots = [...outputs.keys()].filter((k) => k.startsWith("grad:"));
  const predictBody = emitBody(subset(["predict"]), env, names.child());
  const lossBody = emitBody(subset(["loss"]), env, names.child());
  const gradNames = names.child();
  const gradBody = emitBody(subset(["loss", ...gradRoots]), env, gradNames);

  const predictOut = outputs.get("predict")!;
  const decls: string[] = [`const maxBatch = ${plan.maxBatch};`, "", "// Parameters"];
  model.params.forEach((p) => {
    decls.push(`const ${paramVar.get(p.name)} = new Float64Array(${size(p.shape)}); // ${p.name} [${p.shape.join(", ")}]`);
  });
  if (stateVars.some((s) => s.length > 0)) {
    decls.push("", `// Optimizer state (${model.train.optimizer.kind})`);
    model.params.forEach((p, i) => stateVars[i]!.forEach((v) => decls.push(`const ${v} = new Float64Array(${size(p.shape)});`)));
  }
  if (model.train.optimizer.kind === "adam") decls.push(`let ${step} = 0;`);
  decls.push(
    "",
    `// Work buffers: ${plan.slots.length} arrays, ${plan.bytes.work} bytes (${plan.bytes.workUnshared} without sharing).`,
  );
  plan.slots.forEach((s, i) => decls.push(`const ${slotVar[i]} = new Float64Array(${s.size});`));
  for (const node of plan.schedule) {
    const v = tensorVar.get(node.id);
    if (v) decls.push(`const ${v} = ${slotVar[plan.slotOf.get(node.id)!.index]}; // [${node.shape.join(", ")}]`);
  }
  decls.push(
    "",
    "// predict returns a view of its output buffer; one view per row count, made once.",
    `const ${views}: Float64Array[] = [];`,
    `for (let r = 0; r <= maxBatch; r++) ${views}.push(${storage(predictOut)}.subarray(0, r * ${model.output.width}));`,
  );
  decls.push("", "const seed = options.seed ?? " + model.train.seed + ";", "{", "const rng = makeRng(seed);");
  model.params.forEach((p) => {
    const [fanIn, fanOut] = p.shape.length === 2 ? p.shape : [p.shape[0]!, p.shape[0]!];
    const init = p.init;
    const [a, b] = init.kind === "normal" ? [init.mean, init.std] : init.kind === "uniform" ? [init.lo, init.hi] : [0, 0];
    decls.push(`initParam(${paramVar.get(p.name)}, ${str(init.kind)}, ${lit(a)}, ${lit(b)}, ${fanIn}, ${fanOut}, rng);`);
  });
  decls.push("}");

  const lossOut = (r: (n: Node) => string) => r(outputs.get("loss")!);
  const check = (fn: string, withY: boolean) =>
    `checkRows(${str(fn)}, ${rows}, maxBatch, ${xArg}, ${model.input.width}, ${withY ? yArg : "null"}, ${model.target.width});`;
  const sig = `${xArg}: Float64Array, ${yArg}: Float64Array, ${rows}: number`;
  const updates = model.params.map((p, i) =>
    emitUpdate(model.train.optimizer, {
      param: paramVar.get(p.name)!,
      grad: gradBody.ref(outputs.get(`grad:${p.name}`)!),
      state: stateVars[i]!,
      size: size(p.shape),
      i: gradNames.claim("i"),
    }),
  );
  const fns = [
    `function predict(${xArg}: Float64Array, ${rows}: number): Float64Array {\n${check("predict", false)}\n${predictBody.code}\nreturn ${views}[${rows}]!;\n}`,
    `function loss(${sig}): number {\n${check("loss", true)}\n${lossBody.code}\nreturn ${lossOut(lossBody.ref)};\n}`,
    `/** Forward pass, loss, and every parameter's gradient into its buffer. */\nfunction forwardBackward(${sig}): number {\n${gradBody.code}\nreturn ${lossOut(gradBody.ref)};\n}`,
    `function trainStep(${sig}): number {
${check("trainStep", true)}
const value = forwardBackward(${xArg}, ${yArg}, ${rows});
if (!Number.isFinite(value)) return value; // keep the last good weights
${emitStepPrologue(model.train.optimizer, step)}
${updates.join("\n")}
return value;
}`,
    emitWeightsApi(model, paramVar, (p) => gradBody.ref(outputs.get(`grad:${p}`)!), { xArg, yArg, rows, check: check("gradients", true) }),
    emitFit(model, { xArg, yArg, rows }),
  ];
  const info = {
    name: model.name,
    input: model.input,
    target: { ...model.target, classes: model.target.classes ?? null },
    output: model.output,
    params: model.params.map((p) => ({ name: p.name, shape: p.shape })),
    paramCount: model.params.reduce((n, p) => n + size(p.shape), 0),
    bytes: plan.bytes.total,
    maxBatch: plan.maxBatch,
    train: { optimizer: model.train.optimizer.kind, epochs: model.train.epochs, batch: model.train.batch, seed: model.train.seed },
  };
  const body = [
    ...decls,
    "",
    ...fns,
    "",
    `const info: ModelInfo = ${JSON.stringify(info).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")};`,
    "return { info, trainStep, predict, loss, gradients, fit, getWeights, setWeights };",
  ].join("\n");

  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("model.ts", "", { overwrite: true });
  file.addStatements([
    `// Generated by netc from ${commentSafe(input.file)} (model ${model.name}). Do not edit: recompile instead.`,
    "// Self-contained: no imports. trainStep, predict and loss allocate nothing.",
    API_TYPES,
    HELPERS,
  ]);
  file.addFunction({
    isExported: true,
    name: "createModel",
    parameters: [{ name: "options", type: "ModelOptions", initializer: "{}" }],
    returnType: "Model",
    docs: [`Creates a ${model.name} model with freshly initialized weights.`],
    statements: body,
  });
  return file.getFullText();
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function commentSafe(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]/g, " ");
}
