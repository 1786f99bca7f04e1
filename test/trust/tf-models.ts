// Hand-written tfjs versions of the example networks and of generated networks, plus the
// optimizers, written from the language definition and PyTorch's update rules rather than
// from netc's code. tfjs computes in float32 on its cpu backend.
import * as tf from "@tensorflow/tfjs";
import type { OptimizerSpec, TrainSpec } from "../../compiler/model.js";
import type { Printed } from "./netgen.js";

export type W = Record<string, tf.Tensor>;
/** Loss of a batch: x [n, in]; y [n, out], or class indices [n] for class(K) targets. */
export type TfLoss = (w: W, x: tf.Tensor, y: tf.Tensor) => tf.Scalar;

const dense = (w: W, h: tf.Tensor, name: string) => tf.add(tf.matMul(h as tf.Tensor2D, w[`${name}.W`] as tf.Tensor2D), w[`${name}.b`]!);
const affine = (w: W, h: tf.Tensor, W: string, b: string) => tf.add(tf.matMul(h as tf.Tensor2D, w[W] as tf.Tensor2D), w[b]!);
const oneHot = (labels: tf.Tensor, k: number) => tf.cast(tf.oneHot(tf.cast(labels, "int32"), k), "float32");

/** Mean over every element of −[y log p + (1 − y) log(1 − p)]. */
export const bce = (p: tf.Tensor, y: tf.Tensor): tf.Scalar =>
  tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))))) as tf.Scalar;
/** Batch mean of −Σₖ yₖ log pₖ. */
export const crossEntropy = (p: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(p)), -1))) as tf.Scalar;
export const mse = (p: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.square(tf.sub(p, y))) as tf.Scalar;

/** The examples, one function each, naming their weights as netc documents them. */
export const EXAMPLE_MODELS: Record<string, TfLoss> = {
  logistic: (w, x, y) => bce(tf.sigmoid(dense(w, x, "p")), y),
  xor: (w, x, y) => bce(tf.sigmoid(dense(w, tf.tanh(dense(w, x, "layer1")), "layer2")), y),
  lecture: (w, x, y) => {
    const h = tf.sigmoid(affine(w, x, "W1", "b1"));
    return bce(tf.sigmoid(affine(w, h, "W2", "b2")), y);
  },
  regression: (w, x, y) => mse(dense(w, tf.tanh(dense(w, x, "layer1")), "layer2"), y),
  iris: (w, x, label) => {
    const h1 = tf.relu(dense(w, x, "h1"));
    const h2 = tf.add(h1, tf.relu(dense(w, h1, "h2")));
    return crossEntropy(tf.softmax(dense(w, h2, "p")), oneHot(label, 3));
  },
  "deep-plain": (w, x, label) => {
    let h = x;
    let i = 1;
    for (; `layer${i + 1}.W` in w; i++) h = tf.relu(dense(w, h, `layer${i}`));
    return crossEntropy(tf.softmax(dense(w, h, `layer${i}`)), oneHot(label, 2));
  },
};

/** A generated network (see netgen.ts) in tfjs. */
export function specModel(p: Printed): TfLoss {
  const { kind, width: K, fused } = p.spec.head;
  return (w, x, y) => {
    let h = x;
    for (const l of p.layers) {
      const z = affine(w, h, l.W, l.b);
      const a = l.act === "softmax" ? tf.softmax(z) : l.act === "none" ? z : tf[l.act](z);
      h = l.residual ? tf.add(h, a) : a;
    }
    const target = kind === "class" ? oneHot(y, K) : y;
    if (kind === "mse") return mse(h, target);
    const q = fused ? h : tf.add(tf.mul(0.8, h), kind === "bce" ? 0.1 : 0.2 / K);
    return kind === "bce" ? bce(q, target) : crossEntropy(q, target);
  };
}

/** Why this training setup has no tfjs counterpart here, or undefined when it has one. */
export function unsupportedTraining(t: TrainSpec): string | undefined {
  if (t.clipNorm > 0) return "gradient clipping";
  if (t.schedule.kind !== "constant" || t.warmup > 0) return "a learning-rate schedule";
  if (t.frozen.length > 0 || t.paramLr.length > 0) return "frozen or per-parameter learning rates";
  return undefined;
}

/** One optimizer step per call, PyTorch's update rules; weight decay is L2 except for adamw. */
export function makeOptimizer(spec: OptimizerSpec, weights: Record<string, tf.Variable>) {
  const h = (k: string) => spec[k] as number;
  const state = new Map<string, tf.Tensor[]>();
  let step = 0;
  return (grads: Record<string, tf.Tensor>) => {
    step++;
    for (const [name, v] of Object.entries(weights)) {
      const next = tf.tidy(() => {
        let g = grads[name]!;
        if (spec.weight_decay > 0 && spec.kind !== "adamw") g = tf.add(g, tf.mul(spec.weight_decay, v));
        const [s0, s1] = state.get(name) ?? [tf.zerosLike(v), tf.zerosLike(v)];
        let update: tf.Tensor;
        let kept: tf.Tensor[] = [];
        switch (spec.kind) {
          case "sgd":
            update = tf.mul(spec.lr, g);
            break;
          case "momentum":
          case "nesterov": {
            const vel = tf.add(tf.mul(h("beta"), s0!), g);
            update = tf.mul(spec.lr, spec.kind === "momentum" ? vel : tf.add(g, tf.mul(h("beta"), vel)));
            kept = [vel];
            break;
          }
          case "rmsprop":
          case "adagrad": {
            const sq = spec.kind === "rmsprop" ? tf.add(tf.mul(h("alpha"), s0!), tf.mul(1 - h("alpha"), tf.square(g))) : tf.add(s0!, tf.square(g));
            update = tf.div(tf.mul(spec.lr, g), tf.add(tf.sqrt(sq), h("eps")));
            kept = [sq];
            break;
          }
          default: {
            const m = tf.add(tf.mul(h("beta1"), s0!), tf.mul(1 - h("beta1"), g));
            const s = tf.add(tf.mul(h("beta2"), s1!), tf.mul(1 - h("beta2"), tf.square(g)));
            const mHat = tf.div(m, 1 - h("beta1") ** step);
            const vHat = tf.div(s, 1 - h("beta2") ** step);
            update = tf.div(tf.mul(spec.lr, mHat), tf.add(tf.sqrt(vHat), h("eps")));
            if (spec.kind === "adamw") update = tf.add(update, tf.mul(spec.lr * spec.weight_decay, v));
            kept = [m, s];
          }
        }
        return [tf.sub(v, update), ...kept];
      });
      state.get(name)?.forEach((t) => t.dispose());
      v.assign(next[0]!);
      next[0]!.dispose();
      state.set(name, next.slice(1));
    }
  };
}
