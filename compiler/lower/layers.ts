// `layers { dense 8 tanh; dense 1 sigmoid }`: sequential sugar. Layer k is bound to the name
// `layer<k>` (so its weights are `layer1.W`, `layer1.b`); the last layer is the output.
import type { LayerSpec, Span } from "../../grammar/ast.js";
import type { Node } from "../ir/graph.js";
import type { LowerContext } from "./context.js";
import { lowerExpr } from "./expr.js";
import { ACTIVATIONS } from "./functions.js";
import { didYouMean } from "../../diagnostics/suggest.js";

/** Layer lines are calls with the previous layer as first argument: `dropout 0.2` is dropout(prev, 0.2). */
export const LAYER_KINDS = ["dense", "embedding", "rnn", "gru", "lstm", "last", "attention", "conv2d", "maxpool2d", "avgpool2d", "flatten", "batchnorm", "layernorm", "dropout"];
export const LAYER_ACTIVATIONS: readonly string[] = ACTIVATIONS.filter((a) => a !== "exp" && a !== "log");

/** Every layer by its name, in order (the last is the output); a failed layer ends the list. */
export function lowerLayers(ctx: LowerContext, layers: LayerSpec[], input: Node, span: Span): { name: string; node: Node; span: Span }[] {
  let prev: Node | undefined = input;
  let name = "";
  const named: { name: string; node: Node; span: Span }[] = [];
  layers.forEach((layer, i) => {
    name = `layer${i + 1}`;
    if (!LAYER_KINDS.includes(layer.kind.name) && !LAYER_ACTIVATIONS.includes(layer.kind.name)) {
      const hint = didYouMean(layer.kind.name, [...LAYER_KINDS, ...LAYER_ACTIVATIONS]);
      ctx.diags.error(layer.kind.span, `unknown layer '${layer.kind.name}'${hint} (expected one of: ${LAYER_KINDS.join(", ")}, or an activation)`);
      prev = undefined;
      return;
    }
    const act = layer.activation;
    if (act && !LAYER_ACTIVATIONS.includes(act.name)) {
      ctx.diags.error(act.span, `unknown activation '${act.name}'${didYouMean(act.name, LAYER_ACTIVATIONS)} (expected one of: ${LAYER_ACTIVATIONS.join(", ")})`);
      prev = undefined;
      return;
    }
    if (!prev) return;
    ctx.binding = name;
    ctx.b.origin = { span: layer.span, grad: false };
    const scope = { vars: new Map([["(prev)", { value: { kind: "tensor" as const, node: prev }, span: layer.span }]]), later: new Map() };
    const x = { value: { kind: "name" as const, name: "(prev)", span: layer.span }, span: layer.span };
    const dense = { kind: "call" as const, callee: layer.kind, args: [x, ...layer.args], span: layer.span };
    const expr = act && act.name !== "identity" ? { kind: "call" as const, callee: act, args: [{ value: dense, span: layer.span }], span: layer.span } : dense;
    const v = lowerExpr(ctx, expr, scope);
    prev = v.kind === "tensor" ? ctx.b.name(v.node, name) : undefined;
    if (prev) named.push({ name, node: prev, span: layer.span });
  });
  if (layers.length === 0) ctx.diags.error(span, `'layers' is empty`);
  return prev ? named : [];
}
