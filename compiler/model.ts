// What lowering produces for one `model`: the forward graph plus everything the emitter and
// the runtime need to know about the model's interface, parameters and training settings.
import type { Span } from "../grammar/ast.js";
import type { Graph, Node } from "./ir/graph.js";

export type InitSpec =
  | { kind: "zeros" }
  | { kind: "ones" }
  | { kind: "normal"; mean: number; std: number }
  | { kind: "uniform"; lo: number; hi: number }
  | { kind: "xavier" }
  | { kind: "he" };

export interface ParamSpec {
  /** Name as the user sees it: `W1`, `h1.W`, `layer2.b`. */
  name: string;
  shape: number[];
  init: InitSpec;
  node: Node;
  span: Span;
}

export type OptimizerSpec =
  | { kind: "sgd"; lr: number }
  | { kind: "momentum"; lr: number; beta: number }
  | { kind: "adam"; lr: number; beta1: number; beta2: number; eps: number };

export interface TrainSpec {
  optimizer: OptimizerSpec;
  epochs: number;
  batch: number;
  seed: number;
}

export interface ModelIR {
  name: string;
  span: Span;
  input: { name: string; width: number };
  /** `classes` is set for `class(K)` targets, whose rows hold one class index each. */
  target: { name: string; width: number; classes?: number };
  output: { name: string; width: number };
  /** `softmax`/`sigmoid` heads make the model a classifier; the runtime uses this for accuracy. */
  head: "softmax" | "sigmoid" | "other";
  params: ParamSpec[];
  /** Forward graph with outputs `predict` and `loss`. */
  forward: Graph;
  train: TrainSpec;
}
