// W6 and W7 in TensorFlow.js (float32), written with tf ops so they compute the same math as
// netc: the CNN in NHWC (the kernels transposed once from PyTorch's [F,C,k,k] to [k,k,C,F],
// padding 1) with tf.relu and tf.maxPool, the pooled planes transposed back to C-H-W order
// before flattening; the LSTM unrolled over its 16 steps from tf.matMul and the cell's
// equations (tf.layers.lstm would add its own initializers and a fused gate order;
// tf.basicLSTMCell has gate order i, j, f, o and a forget bias). tf.train.sgd updates.
import * as tf from "@tensorflow/tfjs";
import type { Batch, Workload } from "../shared.js";
import { CNN, LSTM, type Params } from "../models.js";
import type { Engine } from "./types.js";

export function tfjsModel(w: Workload, params: Params, batches: Batch[], backend: "cpu" | "wasm"): Engine {
  // The LSTM's formulation that each backend runs fastest (see below).
  const perGate = backend === "cpu";
  const v = (name: string, shape: number[], perm?: number[]) => {
    const t = tf.tensor(Float32Array.from(params[name]!.data), params[name]!.shape);
    return tf.variable(perm ? t.transpose(perm) : t.reshape(shape));
  };
  const K = w.sizes[1]!;
  const ys = batches.map((b) => tf.tensor2d(Float32Array.from(b.y), [b.n, K]));
  const dense = (x: tf.Tensor2D, W: tf.Variable, b: tf.Variable, relu: boolean): tf.Tensor2D =>
    tf.fused.matMul({ a: x, b: W as tf.Tensor2D, bias: b, activation: relu ? "relu" : "linear" }) as tf.Tensor2D;
  let logits: (x: tf.Tensor, training: boolean) => tf.Tensor2D;
  let inputShape: (n: number) => number[];
  let timeMajor = false;

  if (w.model === "cnn") {
    const S = CNN.image, k = CNN.k;
    // Kernels as [k·k·C, F] matrices (tap-major, channel-minor): reshaped to [k, k, C, F] for
    // tf.conv2d, used as they are by the im2col form.
    const kernel = (name: string) => {
      const [F, C] = params[name]!.shape as [number, number];
      return tf.variable(tf.tensor4d(Float32Array.from(params[name]!.data), [F, C, k, k]).transpose([2, 3, 1, 0]).reshape([k * k * C, F]));
    };
    const c1W = kernel("c1.W"), c1b = v("c1.b", [CNN.filters[0]]);
    const c2W = kernel("c2.W"), c2b = v("c2.b", [CNN.filters[1]]);
    const hW = v("h.W", params["h.W"]!.shape), hb = v("h.b", [CNN.hidden]);
    const pW = v("p.W", params["p.W"]!.shape), pb = v("p.b", [CNN.classes]);
    // Training convolves by im2col (the nine shifted views of the padded input concatenated, one
    // matMul): tfjs-wasm has no Conv2DBackpropFilter kernel, and on tfjs-cpu it is 1.6× faster
    // than tf.conv2d's gradients. Inference uses tf.conv2d.
    const conv = (x: tf.Tensor4D, W: tf.Variable, training: boolean): tf.Tensor4D => {
      const [n, H, Wd, C] = x.shape;
      if (!training) return tf.conv2d(x, W.reshape([k, k, C, W.shape[1]!]) as tf.Tensor4D, 1, "same");
      const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      const taps = Array.from({ length: k * k }, (_, t) => tf.slice(padded, [0, Math.floor(t / k), t % k, 0], [n, H, Wd, C]));
      const patches = tf.concat(taps, 3).reshape([n * H * Wd, k * k * C]) as tf.Tensor2D;
      return tf.matMul(patches, W as tf.Tensor2D).reshape([n, H, Wd, W.shape[1]!]);
    };
    const block = (x: tf.Tensor4D, W: tf.Variable, b: tf.Variable, training: boolean) =>
      tf.maxPool(tf.relu(tf.add(conv(x, W, training), b)) as tf.Tensor4D, 2, 2, "valid");
    inputShape = (n) => [n, S, S, 1];
    logits = (x, training) => {
      const c2 = block(block(x as tf.Tensor4D, c1W, c1b, training), c2W, c2b, training); // [n, 2, 2, 24]
      const flat = c2.transpose([0, 3, 1, 2]).reshape([x.shape[0]!, -1]) as tf.Tensor2D;
      return dense(dense(flat, hW, hb, true), pW, pb, false);
    };
  } else {
    const { T, F, n: h } = LSTM;
    // On tfjs-cpu one variable per gate (column block i, f, g, o of W_ih, W_hh, b_ih, b_hh):
    // splitting the gate columns out of one [n, 4h] product every step takes its slow strided
    // slice. On tfjs-wasm one [n, 4h] product and tf.split is faster.
    const columns = (name: string, rows: number, g: number, count: number) =>
      tf.variable(tf.tensor(Float32Array.from(params[name]!.data), [rows, 4 * h]).slice([0, g * h], [rows, count * h]));
    const blocks = (perGate ? [0, 1, 2, 3] : [0]).map((g) => {
      const count = perGate ? 1 : 4;
      return { Wih: columns("s.W_ih", F, g, count), Whh: columns("s.W_hh", h, g, count), bih: columns("s.b_ih", 1, g, count), bhh: columns("s.b_hh", 1, g, count), width: count * h };
    });
    const pW = v("p.W", [h, LSTM.classes]), pb = v("p.b", [LSTM.classes]);
    // Inputs time-major, [T·n, F] (converted once with the data), so a step's rows are contiguous.
    inputShape = (n) => [T * n, F];
    timeMajor = true;
    logits = (x) => {
      const n = x.shape[0]! / T;
      // The input products of every step at once, per gate; then the recurrence step by step.
      const xw = blocks.map((B) => tf.add(tf.matMul(x as tf.Tensor2D, B.Wih as tf.Tensor2D), B.bih));
      let hs: tf.Tensor2D = tf.zeros([n, h]), cs: tf.Tensor2D = tf.zeros([n, h]);
      for (let t = 0; t < T; t++) {
        const z = blocks.map((B, b) => tf.add(tf.add(tf.slice(xw[b]!, [t * n, 0], [n, B.width]), tf.matMul(hs, B.Whh as tf.Tensor2D)), B.bhh) as tf.Tensor2D);
        const [zi, zf, zg, zo] = perGate ? z : (tf.split(z[0]!, 4, 1) as tf.Tensor2D[]);
        cs = tf.add(tf.mul(tf.sigmoid(zf!), cs), tf.mul(tf.sigmoid(zi!), tf.tanh(zg!)));
        hs = tf.mul(tf.sigmoid(zo!), tf.tanh(cs));
      }
      return dense(hs, pW, pb, false);
    };
  }
  /** [n, T, F] rows → [T, n, F]. */
  const toTimeMajor = (x: Float64Array, n: number): Float32Array => {
    const { T, F } = LSTM, out = new Float32Array(n * T * F);
    for (let r = 0; r < n; r++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) out[(t * n + r) * F + f] = x[(r * T + t) * F + f]!;
    return out;
  };
  const convert = (x: Float64Array, n: number) => (timeMajor ? toTimeMajor(x, n) : Float32Array.from(x.subarray(0, n * w.sizes[0]!)));
  const xs = batches.map((b) => tf.tensor(convert(b.x, b.n), inputShape(b.n)));
  const optimizer = tf.train.sgd(w.lr);
  return {
    step(i) {
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys[i]!, logits(xs[i]!, true)) as tf.Scalar, true)!;
      const value = cost.dataSync()[0]!;
      cost.dispose();
      return value;
    },
    predict(x, n) {
      const p = tf.tidy(() => tf.softmax(logits(tf.tensor(convert(x, n), inputShape(n)), false)));
      const out = p.dataSync();
      p.dispose();
      return out;
    },
  };
}
