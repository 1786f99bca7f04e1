// brain.js 1.6: per-sample backprop with its own error signal. It cannot express the workloads
// exactly: one activation for every layer including the output (no softmax), an MSE-style delta
// (target − output)·act′, and per-sample updates. Configured as close as it gets: the hidden
// activation everywhere (sigmoid for W1), learning rate lr/n, no momentum. Its loss is its own
// mean squared error, printed but not comparable.
import brain from "brain.js";
import type { Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

const rows = (data: Float64Array, n: number, width: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * width, (i + 1) * width)));

export const brainjs: EngineDef = {
  name: "brain.js",
  exact: (w: Workload) =>
    `per-sample SGD (lr/${w.batch}), ${w.sizes.length === 2 ? "sigmoid" : w.hidden} on every layer incl. output, MSE delta; loss = its MSE`,
  tolerance: 0,
  async create(w, layers, batches) {
    const net = new brain.NeuralNetwork({ activation: w.sizes.length === 2 ? "sigmoid" : w.hidden, learningRate: w.lr / w.batch });
    net.trainOpts.momentum = 0; // the constructor's validation rejects 0, training does not
    net.sizes = w.sizes.slice();
    net.initialize();
    layers.forEach((L, l) => {
      for (let j = 0; j < L.outputs; j++) {
        net.biases[l + 1]![j] = L.b[j]!;
        for (let k = 0; k < L.inputs; k++) net.weights[l + 1]![j]![k] = L.W[k * L.outputs + j]!;
      }
    });
    const inW = w.sizes[0]!, outW = w.sizes[w.sizes.length - 1]!;
    const data = batches.map((b) => ({ xs: rows(b.x, b.n, inW), ys: rows(b.y, b.n, outW) }));
    return {
      step(i) {
        const { xs, ys } = data[i]!;
        let sum = 0;
        for (let s = 0; s < xs.length; s++) {
          // brain.js's trainPattern, unrolled so the error before the update can be read.
          net.runInput(xs[s]!);
          net.calculateDeltas(ys[s]!);
          const e = net.errors[net.outputLayer]!;
          for (let j = 0; j < e.length; j++) sum += (e[j]! * e[j]!) / e.length;
          net.adjustWeights();
        }
        return sum / xs.length;
      },
      predict: (x, n) => rows(x, n, inW).flatMap((row) => net.runInput(row).slice()),
    };
  },
};
