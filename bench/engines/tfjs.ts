// TensorFlow.js (float32) on the cpu backend and on the wasm backend (XNNPACK, SIMD): the same
// dense layers as tf.variables, tf.fused.matMul where its gradient exists (linear, relu), the
// library's mean losses, and tf.train.sgd.
import * as tf from "@tensorflow/tfjs";
import type { Layer, Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

let quiet = false;
async function useBackend(name: "cpu" | "wasm"): Promise<void> {
  if (!quiet) {
    tf.env().set("PROD", true); // no debug checks
    quiet = true;
  }
  if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
  if (!(await tf.setBackend(name))) throw new Error(`tfjs backend ${name} failed to initialize`);
  await tf.ready();
}

function tfjsEngine(backend: "cpu" | "wasm"): EngineDef {
  return {
    name: `tfjs-${backend}`,
    exact: () => true,
    tolerance: 1e-3,
    async create(w: Workload, layers: Layer[], batches, params) {
      await useBackend(backend);
      if (w.model) return (await import("./tfjs-models.js")).tfjsModel(w, params, batches, backend);
      const Ws = layers.map((L) => tf.variable(tf.tensor2d(Float32Array.from(L.W), [L.inputs, L.outputs])));
      const bs = layers.map((L) => tf.variable(tf.tensor1d(Float32Array.from(L.b))));
      const inW = w.sizes[0]!, outW = w.sizes[w.sizes.length - 1]!;
      const xs = batches.map((b) => tf.tensor2d(Float32Array.from(b.x), [b.n, inW]));
      const ys = batches.map((b) => tf.tensor2d(Float32Array.from(b.y), [b.n, outW]));
      const optimizer = tf.train.sgd(w.lr);

      const logits = (x: tf.Tensor2D): tf.Tensor2D => {
        let h: tf.Tensor2D = x;
        layers.forEach((_, l) => {
          const hidden = l < layers.length - 1;
          if (!hidden || w.hidden === "relu") {
            h = tf.fused.matMul({ a: h, b: Ws[l]!, bias: bs[l]!, activation: hidden ? "relu" : "linear" }) as tf.Tensor2D;
          } else {
            const z: tf.Tensor2D = tf.add(tf.matMul(h, Ws[l]!), bs[l]!);
            h = w.hidden === "tanh" ? tf.tanh(z) : tf.sigmoid(z);
          }
        });
        return h;
      };
      const loss = (x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar =>
        w.head === "sigmoid-bce" ? tf.losses.sigmoidCrossEntropy(y, logits(x)) : tf.losses.softmaxCrossEntropy(y, logits(x));

      return {
        step(i) {
          const cost = optimizer.minimize(() => loss(xs[i]!, ys[i]!), true)!;
          const value = cost.dataSync()[0]!;
          cost.dispose();
          return value;
        },
        predict(x, n) {
          const p = tf.tidy(() => {
            const z = logits(tf.tensor2d(Float32Array.from(x.subarray(0, n * inW)), [n, inW]));
            return w.head === "sigmoid-bce" ? tf.sigmoid(z) : tf.softmax(z);
          });
          const out = p.dataSync();
          p.dispose();
          return out;
        },
      };
    },
  };
}

export const tfjsCpu = tfjsEngine("cpu");
export const tfjsWasm = tfjsEngine("wasm");
