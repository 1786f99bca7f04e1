// What lowering produces for one `model`: the forward graph plus everything the emitter and
// the runtime need to know about the model's interface, parameters and training settings.
import type { Span } from "../diagnostics/index.js";
import type { Graph, Node } from "./ir/graph.js";
import type { LossChunking } from "./prelude/api.js";

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
  /** False for parameters frozen by `freeze` or `param ... frozen`. */
  trainable: boolean;
  /** This parameter's own learning rate (the most specific `param_lr`), if it has one. */
  lr?: number;
}

/** Every optimizer has `lr` and `weight_decay`; the rest are its own hyperparameters. */
export interface OptimizerSpec {
  kind: "sgd" | "momentum" | "nesterov" | "rmsprop" | "adagrad" | "adam" | "adamw";
  lr: number;
  weight_decay: number;
  [hyper: string]: number | string;
}

export type ScheduleSpec =
  | { kind: "constant" }
  | { kind: "step"; every: number; gamma: number }
  | { kind: "exponential"; gamma: number }
  | { kind: "cosine"; min: number };

export interface TrainSpec {
  optimizer: OptimizerSpec;
  epochs: number;
  batch: number;
  seed: number;
  schedule: ScheduleSpec;
  /** Linear warm-up of the learning rate over this many epochs (0: none). */
  warmup: number;
  /** Clip gradients to this global L2 norm (0: no clipping). */
  clipNorm: number;
  /** Parameters (or name prefixes) that are not trained. */
  frozen: string[];
  /** Per-parameter learning rates, by name or name prefix. */
  paramLr: { name: string; lr: number }[];
  /** Element type of every array of the generated module (`precision f32`). */
  precision: Precision;
}

export type Precision = "f64" | "f32";

export interface StateSpec {
  name: string;
  shape: number[];
  /** Initial value of every element (0 for running means, 1 for running variances). */
  init: number;
}

export interface ModelIR {
  name: string;
  span: Span;
  /**
   * `width` values per row: the product of the per-row `shape` ([4], or [1, 8, 8] for images).
   * `index` is set for `input s[12]: index(27)`: every value is an id in [0, index).
   */
  input: { name: string; width: number; shape: number[]; index?: number };
  /**
   * `classes` is set for `class(K)` targets, whose rows hold one class index each, or one per
   * position (`positions`, equal to `width`) for `y[T]: class(K)`.
   */
  target: { name: string; width: number; classes?: number; positions?: number };
  /** `width` values per row: the row-major flattening of `shape` ([3], or [12, 27] for a class per position). */
  output: { name: string; width: number; shape: number[] };
  /** `softmax`/`sigmoid` heads make the model a classifier; the runtime uses this for accuracy. */
  head: "softmax" | "sigmoid" | "other";
  /** How a prediction becomes a class: the largest output, a 0.5 threshold, or not at all (regression). */
  classifier: "argmax" | "threshold" | null;
  params: ParamSpec[];
  /** Non-trainable state saved with the weights (batchnorm running statistics). */
  state: StateSpec[];
  /** Forward graph with outputs `predict` and `loss`. */
  forward: Graph;
  /** Whether, and how, the loss of many rows is the combination of the losses of chunks of them, in each mode. */
  lossChunks: { eval: LossChunking; train: LossChunking };
  train: TrainSpec;
  /** The `tune` block's search space, when the model has one (its names already replaced by values in `forward` and `train`). */
  tune?: TuneSpec;
}

/**
 * Fan-in and fan-out for xavier and he initialization, as PyTorch computes them: W[in, out] of
 * dense, and for a convolution's W[F, C, k, k] the channels times the kernel's area on each side.
 */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length < 2) return [shape[0] ?? 1, shape[0] ?? 1];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const area = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1]! * area, shape[0]! * area];
}

/** The input as the `.net` file declares it: `x[4]`, `img[1, 8, 8]`. */
export function inputDecl(model: Pick<ModelIR, "input">): string {
  const ids = model.input.index ? `: index(${model.input.index})` : "";
  return `${model.input.name}[${model.input.shape.join(", ")}]${ids}`;
}

export function trainableParams(model: ModelIR): ParamSpec[] {
  return model.params.filter((p) => p.trainable);
}

/** True when `pattern` (from `freeze` or `param_lr`) names the parameter: exactly, or as a prefix like `h1`. */
export function matchesParam(pattern: string, name: string): boolean {
  return name === pattern || name.startsWith(`${pattern}.`);
}

/** A `tune` block: the search space netc tune samples, and how it scores a trial. */
export type Distribution =
  | { kind: "choice"; values: number[]; texts: string[] }
  | { kind: "uniform"; lo: number; hi: number }
  | { kind: "loguniform"; lo: number; hi: number }
  | { kind: "int"; lo: number; hi: number };

export interface TunedParam {
  name: string;
  span: Span;
  distribution: Distribution;
}

export const TUNE_METRICS = ["val_loss", "val_acc"] as const;
export type TuneMetric = (typeof TUNE_METRICS)[number];

export interface TuneSpec {
  params: TunedParam[];
  /** Configurations to sample (netc tune --trials overrides it). */
  trials: number;
  metric: TuneMetric;
  /** Where `metric` was set, for the diagnostic when the model cannot report it. */
  metricSpan: Span | null;
  span: Span;
}

/** Class decisions per row: one per position for `y[T]: class(K)`, else one. */
export function classPositions(model: Pick<ModelIR, "target">): number {
  return model.target.positions ?? 1;
}
