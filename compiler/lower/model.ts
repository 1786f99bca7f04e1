// Lowers one `model` declaration: declarations become graph inputs and parameters, bindings
// become nodes, `layers` expands to dense layers, and `loss`/`output` close the graph.
import type { BlockDecl, Expr, Ident, ModelDecl, Span, Stmt } from "../../grammar/ast.js";
import { Diagnostics } from "../../diagnostics/index.js";
import type { Node } from "../ir/graph.js";
import { matchesParam, type ModelIR, type ParamSpec, type TrainSpec, type TuneSpec } from "../model.js";
import { lowerUnpack } from "./blocks.js";
import { makeParam } from "./builtins.js";
import { LowerContext, type BindingInfo, type Scope } from "./context.js";
import { lowerExpr } from "./expr.js";
import { LOSSES } from "./functions.js";
import { lossChunking } from "./loss-chunks.js";
import { lowerLayers } from "./layers.js";
import { checkNames } from "./names.js";
import { parseInit } from "./init.js";
import { lowerTrain, type ParamRef } from "./train.js";
import { defaultValue, lowerTune, substituteTuned, tunedUses, valueText, type TunedValues } from "./tune.js";
import { POISON, tensor, type Value } from "./values.js";

export function lowerModel(
  decl: ModelDecl,
  blocks: ReadonlyMap<string, BlockDecl>,
  diags: Diagnostics,
  source: string,
  bindings?: BindingInfo[],
  /** Values of the tune block's hyperparameters (a trial of netc tune); the defaults otherwise. */
  tuned?: TunedValues,
): ModelIR | undefined {
  const declared = declaredNames(decl.body, diags);
  const broken = new Set<string>();
  const tune = lowerTuneBlock(new LowerContext(diags, source, blocks), decl, declared, broken);
  const values = new Map(tune?.params.filter((p) => !broken.has(p.name)).map((p) => [p.name, tuned?.get(p.name) ?? defaultValue(p.distribution)]));
  const ctx = new LowerContext(tune ? new TunedUseDiagnostics(diags, decl, values, broken, tune, tuned === undefined) : diags, source, blocks, decl.name.name, bindings);
  const body = tune ? substituteTuned(decl.body, values) : decl.body;
  const scope: Scope = { vars: new Map(), later: new Map([...layerNames(decl.body), ...declared]) };
  let input: { name: string; width: number; shape: number[]; index?: number; node: Node } | undefined;
  let target: { name: string; width: number; classes?: number; positions?: number; node: Node } | undefined;
  let output: { name: string; node: Node; span: Span } | undefined;
  let layerOutputs: string[] = []; // `output layerK` may pick one of them instead of the last
  let train: TrainSpec | undefined;
  const deferred: Stmt[] = [];
  const paramRefs: ParamRef[] = [];
  const frozenParams: string[] = [];
  let targetReported = false; // a target with an error is not also a missing one
  let layersSeen = false; // a failed `layers` block is reported there, not as a missing output

  const bind = (name: Ident, value: Value) => {
    ctx.record(name.name, name.span, value);
    scope.later.delete(name.name);
    if (!scope.vars.has(name.name)) scope.vars.set(name.name, { value, span: name.span });
  };

  for (const stmt of body) {
    ctx.b.origin = { span: stmt.span, site: stmt.span, grad: false }; // new nodes point back at their statement
    switch (stmt.kind) {
      case "input": {
        if (input) ctx.diags.error(stmt.span, `a model has one input; '${input.name}' is already declared`);
        else {
          // Each row may be a vector x[4], a sequence s[T, d] or images img[C, H, W]; data
          // holds a row's values flattened in row-major order.
          const dims = stmt.dims.map((d) => d.value);
          const node = ctx.b.input(stmt.name.name, ["B", ...dims], stmt.span);
          input = { name: stmt.name.name, width: dims.reduce((a, b) => a * b, 1), shape: dims, node };
          // An index input holds ids (`s[12]: index(27)`), checked where data enters the module.
          if (stmt.index) {
            ctx.idCounts.set(node.id, stmt.index.value);
            input.index = stmt.index.value;
          }
        }
        bind(stmt.name, input?.name === stmt.name.name ? tensor(input.node) : POISON);
        break;
      }
      case "target": {
        if (target) ctx.diags.error(stmt.span, `a model has one target; '${target.name}' is already declared`);
        else if (stmt.classes && stmt.dims.length > 1) {
          targetReported = true;
          ctx.diags.error(stmt.span, `target '${stmt.name.name}' of classes has one class per row (${stmt.name.name}: class(K)) or per position (${stmt.name.name}[T]: class(K)), not [${stmt.dims.map((d) => d.value).join(", ")}]`);
        } else if (stmt.classes) {
          // One class index per row, or per position of a sequence (`y[12]: class(27)`).
          const positions = stmt.dims[0]?.value;
          const node = ctx.b.input(stmt.name.name, positions === undefined ? ["B"] : ["B", positions], stmt.span);
          ctx.classes.set(node.id, stmt.classes.value);
          target = { name: stmt.name.name, width: positions ?? 1, classes: stmt.classes.value, positions, node };
        } else if (stmt.dims.length !== 1) ctx.diags.error(stmt.span, `target '${stmt.name.name}' needs one dimension, like ${stmt.name.name}[1], or class(K)`);
        else {
          const node = ctx.b.input(stmt.name.name, ["B", stmt.dims[0]!.value], stmt.span);
          target = { name: stmt.name.name, width: stmt.dims[0]!.value, node };
        }
        bind(stmt.name, target?.name === stmt.name.name ? tensor(target.node) : POISON);
        break;
      }
      case "param": {
        const init = stmt.init ? parseInit(ctx, stmt.init) : stmt.dims.length === 1 ? { kind: "zeros" as const } : { kind: "xavier" as const };
        if (stmt.dims.length < 1 || stmt.dims.length > 2) {
          ctx.diags.error(stmt.span, `param '${stmt.name.name}' needs one or two dimensions`);
          bind(stmt.name, POISON);
        } else if (!init) bind(stmt.name, POISON);
        else bind(stmt.name, tensor(makeParam(ctx, stmt.name.name, stmt.dims.map((d) => d.value), init, stmt.name.span)));
        if (stmt.frozen) frozenParams.push(stmt.name.name);
        break;
      }
      case "assign": {
        ctx.binding = stmt.name.name;
        const v = lowerExpr(ctx, stmt.value, scope);
        if (v.kind === "tensor") ctx.b.name(v.node, stmt.name.name);
        bind(stmt.name, v);
        break;
      }
      case "unpack": {
        ctx.binding = stmt.names[0]!.name; // weights made by the block are named after the first name
        const values = lowerUnpack(ctx, stmt, scope);
        stmt.names.forEach((name, i) => {
          const v = values[i]!;
          if (v.kind === "tensor") ctx.b.name(v.node, name.name);
          bind(name, v);
        });
        break;
      }
      case "layers": {
        if (layersSeen) {
          ctx.diags.error(stmt.span, `duplicate 'layers' block`);
          break;
        }
        layersSeen = true;
        // Layer k is named `layer<k>`; a binding of that name would silently rename its weights.
        stmt.layers.forEach((_, k) => {
          const clash = declared.get(`layer${k + 1}`);
          if (clash) ctx.diags.error(clash, `'layer${k + 1}' is the name of layer ${k + 1} of 'layers' (line ${stmt.span.line}); rename this binding`);
        });
        if (!input) {
          ctx.diags.error(stmt.span, `'layers' needs the model's input declared before it`);
          break;
        }
        const named = lowerLayers(ctx, stmt.layers, input.node, stmt.span);
        // `layer1`, `layer2`, ... are bindings like any other: usable in later expressions,
        // `output` and `loss`.
        for (const layer of named) bind({ name: layer.name, span: layer.span }, tensor(layer.node));
        const last = named.at(-1);
        if (last) {
          output = { name: last.name, node: last.node, span: stmt.span };
          layerOutputs = named.map((l) => l.name);
        }
        break;
      }
      case "train":
        if (train) ctx.diags.error(stmt.span, `duplicate 'train' block`);
        train = lowerTrain(ctx, stmt.settings, paramRefs);
        break;
      case "return":
        ctx.diags.error(stmt.span, `'return' is only allowed inside a block`);
        break;
      case "tune":
        break; // read before the loop
      case "output":
      case "loss":
        deferred.push(stmt); // they may name the layers' output, so they come last
        break;
    }
  }

  let loss: Node | undefined;
  let lossSeen = false;
  for (const stmt of deferred) {
    ctx.b.origin = { span: stmt.span, grad: false };
    if (stmt.kind === "output") {
      if (output && layerOutputs.includes(stmt.value.name)) {
        layerOutputs = []; // a second `output` is an error below
        output = undefined;
      }
      if (output) {
        // Report at whichever of the two comes second in the file (a `layers` block may follow).
        const [later, other] = output.span.start > stmt.span.start ? [output.span, stmt.value.name] : [stmt.span, output.name];
        ctx.diags.error(later, `the model already has an output ('${other}')`);
        continue;
      }
      const v = lowerExpr(ctx, { kind: "name", name: stmt.value.name, span: stmt.value.span }, scope);
      if (v.kind === "number") ctx.diags.error(stmt.value.span, `output '${stmt.value.name}' must be a tensor, got a number`);
      else if (v.kind === "tensor") {
        if (v.node.shape.length < 2 || v.node.shape[0] !== "B" || v.node.shape.lastIndexOf("B") !== 0) {
          ctx.diags.error(stmt.value.span, `output '${stmt.value.name}' must be a batch of vectors [B,n] (or of [T,n], ...), got [${v.node.shape.join(",")}]`);
        } else output = { name: stmt.value.name, node: v.node, span: stmt.span };
      }
      output ??= { name: stmt.value.name, node: undefined as never, span: stmt.span };
    } else if (stmt.kind === "loss") {
      if (lossSeen) {
        ctx.diags.error(stmt.span, `duplicate 'loss'`);
        continue;
      }
      lossSeen = true;
      loss = lowerLossStmt(ctx, stmt, scope, output?.node ? output : undefined, target);
    }
  }

  if (!input) ctx.diags.error(decl.name.span, `model '${decl.name.name}' has no 'input'`);
  if (!target && !targetReported) ctx.diags.error(decl.name.span, `model '${decl.name.name}' has no 'target'`);
  if (!output && !layersSeen) ctx.diags.error(decl.name.span, `model '${decl.name.name}' has no 'output' (add 'output NAME' or a 'layers' block)`);
  if (!lossSeen) ctx.diags.error(decl.name.span, `model '${decl.name.name}' has no 'loss'`);
  checkNames(ctx, decl, scope);
  for (const ref of paramRefs) {
    if (!ctx.params.some((p) => p.name === ref.name || p.name.startsWith(`${ref.name}.`))) {
      ctx.diags.error(ref.span, `no parameter named '${ref.name}' (parameters: ${ctx.params.map((p) => p.name).join(", ")})`);
    }
  }
  if (!input || !target || !output?.node || !loss || diags.hasErrors) return undefined;

  const leaf = output.node;
  if (leaf.op === "input" || leaf.op === "param" || leaf.op === "state") {
    ctx.diags.error(output.span, `output '${output.name}' must be computed by the model, not be the ${leaf.op === "input" ? "input" : "parameter"} '${leaf.attrs.name}' itself`);
    return undefined;
  }
  const head = output.node.op === "softmax" ? "softmax" : output.node.op === "sigmoid" ? "sigmoid" : "other";
  const forward = ctx.b.graph(new Map([["predict", output.node], ["loss", loss]]));
  const trainSpec = withFrozen(train ?? lowerTrain(ctx, []), frozenParams);
  const shape = output.node.shape.slice(1) as number[];
  const width = shape.reduce((a, b) => a * b, 1);
  const classifier = width === 1 ? (head === "sigmoid" ? "threshold" : null) : head === "softmax" || target.classes !== undefined ? "argmax" : null;
  if (tune?.metric === "val_acc" && classifier === null) {
    ctx.diags.error(tune.metricSpan!, `metric val_acc needs a classifier, but model '${decl.name.name}' is a regression (its output is not a softmax, a sigmoid or a class(K) prediction); use val_loss`);
    return undefined;
  }
  return {
    name: decl.name.name,
    span: decl.span,
    input: { name: input.name, width: input.width, shape: input.shape, ...(input.index && { index: input.index }) },
    target: { name: target.name, width: target.width, classes: target.classes, ...(target.positions !== undefined && { positions: target.positions }) },
    output: { name: output.name, width, shape },
    head,
    classifier,
    params: ctx.params.map((p) => resolveTraining(p, trainSpec)),
    state: ctx.state,
    forward,
    lossChunks: { eval: lossChunking(forward, "eval"), train: lossChunking(forward, "train") },
    train: trainSpec,
    ...(tune ? { tune } : {}),
  };
}

/**
 * The model's `tune` block (one at most): its search space, checked, with every tuned name
 * used somewhere and none of them also the name of a binding. `broken` gets the names that
 * take no value: rejected distributions and names that clash with a binding.
 */
function lowerTuneBlock(ctx: LowerContext, decl: ModelDecl, declared: Map<string, Span>, broken: Set<string>): TuneSpec | undefined {
  const blocks = decl.body.filter((s) => s.kind === "tune");
  for (const extra of blocks.slice(1)) ctx.diags.error(extra.span, `duplicate 'tune' block`);
  if (blocks[0]?.kind !== "tune") return undefined;
  const tune = lowerTune(blocks[0], ctx.diags, (span) => ctx.text(span), broken);
  const used = new Set(tunedUses(decl.body, new Set(tune.params.map((p) => p.name))).map((u) => u.name));
  const layers = layerNames(decl.body);
  for (const p of tune.params) {
    const clash = declared.get(p.name) ?? layers.get(p.name);
    if (clash) {
      ctx.diags.error(clash, `'${p.name}' is a hyperparameter of the tune block (line ${p.span.line}); a binding cannot have the same name`);
      broken.add(p.name); // its uses mean the binding
    } else if (!used.has(p.name)) ctx.diags.error(p.span, `hyperparameter '${p.name}' is never used (the model and its train block do not mention it)`);
  }
  return tune;
}

function lowerLossStmt(
  ctx: LowerContext,
  stmt: Extract<Stmt, { kind: "loss" }>,
  scope: Scope,
  output?: { name: string; node: Node },
  target?: { name: string; node: Node },
): Node | undefined {
  let inner = scope;
  // `loss bce` is shorthand for `loss bce(OUTPUT, TARGET)`, alone or inside the expression
  // (`loss bce + 0.01 * l2(layer1.W)`).
  const isShorthand = (name: string) => !scope.vars.has(name) && (LOSSES as readonly string[]).includes(name);
  if (usesName(stmt.value, isShorthand)) {
    if (!output || !target) return undefined; // the missing output or target is reported on its own
    inner = { vars: new Map(scope.vars), later: scope.later };
    // By their own names, so a shape error reads "'layer2' has shape [B,1] but 'y' has ...".
    inner.vars.set(output.name, { value: tensor(output.node), span: stmt.value.span });
    inner.vars.set(target.name, { value: tensor(target.node), span: stmt.value.span });
  }
  const e = expandShorthand(stmt.value, isShorthand, output?.name ?? "", target?.name ?? "");
  const v = lowerExpr(ctx, e, inner);
  if (v.kind === "number") ctx.diags.error(e.span, `loss must be a tensor expression, got a number`);
  if (v.kind !== "tensor") return undefined;
  if (v.node.shape.length !== 0) {
    ctx.diags.error(e.span, `loss must be a scalar, but '${ctx.text(e.span)}' has shape [${v.node.shape.join(",")}] (use mean(...) or a loss function)`);
    return undefined;
  }
  return v.node;
}

function usesName(e: Expr, test: (name: string) => boolean): boolean {
  switch (e.kind) {
    case "name":
      return test(e.name);
    case "neg":
      return usesName(e.operand, test);
    case "binary":
      return usesName(e.left, test) || usesName(e.right, test);
    case "call":
      return e.args.some((a) => usesName(a.value, test));
    default:
      return false;
  }
}

/** `bce` → `bce(OUTPUT, TARGET)` wherever a loss's bare name stands for a value. */
function expandShorthand(e: Expr, isShorthand: (name: string) => boolean, output: string, target: string): Expr {
  const go = (x: Expr) => expandShorthand(x, isShorthand, output, target);
  switch (e.kind) {
    case "name": {
      if (!isShorthand(e.name)) return e;
      const arg = (name: string) => ({ value: { kind: "name" as const, name, span: e.span }, span: e.span });
      return { kind: "call", callee: { name: e.name, span: e.span }, args: [arg(output), arg(target)], span: e.span };
    }
    case "neg":
      return { ...e, operand: go(e.operand) };
    case "binary":
      return { ...e, left: go(e.left), right: go(e.right) };
    case "call":
      // `reduce: mean` names a mode, not a value.
      return { ...e, args: e.args.map((a) => (a.name?.name === "reduce" ? a : { ...a, value: go(a.value) })) };
    default:
      return e;
  }
}

/** `layer1`, `layer2`, ... of a `layers` block, so using one before the block says so. */
function layerNames(body: Stmt[]): Map<string, Span> {
  const names = new Map<string, Span>();
  for (const s of body) if (s.kind === "layers") s.layers.forEach((_, k) => names.set(`layer${k + 1}`, s.span));
  return names;
}

/** Every name the model defines, with where — for duplicate and use-before-definition errors. */
function declaredNames(body: Stmt[], diags: Diagnostics): Map<string, Span> {
  const seen = new Map<string, Span>();
  for (const s of body) {
    const names = s.kind === "unpack" ? s.names : s.kind === "input" || s.kind === "target" || s.kind === "param" || s.kind === "assign" ? [s.name] : [];
    for (const name of names) {
      const prev = seen.get(name.name);
      if (prev) diags.error(name.span, `duplicate definition of '${name.name}' (first defined at line ${prev.line})`);
      else seen.set(name.name, name.span);
    }
  }
  return seen;
}

/** `param W[...] frozen` declarations join the train block's `freeze` list. */
function withFrozen(train: TrainSpec, frozen: string[]): TrainSpec {
  return frozen.length === 0 ? train : { ...train, frozen: [...train.frozen, ...frozen] };
}

/** Whether the train block freezes a parameter, and its own learning rate: decided once, here. */
function resolveTraining(p: ParamSpec, train: TrainSpec): ParamSpec {
  const trainable = !train.frozen.some((f) => matchesParam(f, p.name));
  // The most specific match wins: `param_lr h1.W, ...` over `param_lr h1, ...`.
  const own = train.paramLr.filter((g) => matchesParam(g.name, p.name)).sort((a, b) => a.name.length - b.name.length).pop();
  return { ...p, trainable, lr: own?.lr };
}

/**
 * The diagnostics of a model with a tune block. An error at a use of a tuned name says which
 * value it was checked with (the default, outside a search); one at a use of a rejected
 * hyperparameter is dropped: that name has no value, and the tune block's error says why.
 */
class TunedUseDiagnostics extends Diagnostics {
  private readonly uses: { name: string; span: Span }[];
  constructor(
    private readonly inner: Diagnostics,
    decl: ModelDecl,
    private readonly values: ReadonlyMap<string, number>,
    private readonly broken: ReadonlySet<string>,
    private readonly tune: TuneSpec,
    private readonly defaults: boolean,
  ) {
    super();
    this.uses = tunedUses(decl.body, new Set([...values.keys(), ...broken]));
  }

  override error(span: Span, message: string): void {
    const use = this.uses.find((u) => span.start <= u.span.start && u.span.end <= span.end);
    if (use && this.broken.has(use.name)) return;
    const param = use && this.defaults ? this.tune.params.find((p) => p.name === use.name) : undefined;
    const note = param ? ` (with ${use!.name} = ${valueText(param.distribution, this.values.get(use!.name)!)}, its default; netc tune tries others)` : "";
    this.inner.error(span, message + note);
  }

  override get hasErrors(): boolean {
    return this.inner.hasErrors;
  }
}
