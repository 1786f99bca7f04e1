// convnetjs 0.3: per-sample forward/backward with gradients accumulated over batch_size samples,
// then one plain SGD step with the mean gradient — exactly minibatch SGD. Softmax + CE is
// native. For the BCE workloads it has no sigmoid/BCE head, so they use a 2-way softmax with
// class 0's weights at zero and lr/2: for a single layer (W1) that is exactly logistic
// regression; for W2 the hidden layer then learns at half the rate (not exact).
import convnetjs from "convnetjs";
import type { Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

export const convnet: EngineDef = {
  name: "convnetjs",
  exact: (w: Workload) =>
    w.head === "softmax-ce" || w.sizes.length === 2 ? true : "2-way softmax for sigmoid/BCE; hidden layer at lr/2",
  tolerance: 1e-6,
  async create(w, layers, batches) {
    const binary = w.head === "sigmoid-bce";
    const inW = w.sizes[0]!, outW = w.sizes[w.sizes.length - 1]!;
    const net = new convnetjs.Net();
    net.makeLayers([
      { type: "input", out_sx: 1, out_sy: 1, out_depth: inW },
      ...w.sizes.slice(1, -1).map((n) => ({ type: "fc", num_neurons: n, activation: w.hidden })),
      { type: "softmax", num_classes: binary ? 2 : outW },
    ]);
    const fcs = net.layers.filter((l) => l.layer_type === "fc");
    layers.forEach((L, l) => {
      const last = l === layers.length - 1;
      const fc = fcs[l]!;
      fc.filters.forEach((f) => f.w.fill(0));
      fc.biases.w.fill(0);
      // Binary: the model's single output is class 1's logit; class 0's stays at zero.
      const shift = binary && last ? 1 : 0;
      for (let j = 0; j < L.outputs; j++) {
        fc.biases.w[j + shift] = L.b[j]!;
        for (let k = 0; k < L.inputs; k++) fc.filters[j + shift]!.w[k] = L.W[k * L.outputs + j]!;
      }
    });
    const trainer = new convnetjs.Trainer(net, { method: "sgd", learning_rate: binary ? w.lr / 2 : w.lr, momentum: 0, batch_size: w.batch, l2_decay: 0 });
    const toVol = (x: Float64Array, i: number) => {
      const v = new convnetjs.Vol(1, 1, inW, 0);
      v.w.set(x.subarray(i * inW, (i + 1) * inW));
      return v;
    };
    const data = batches.map((b) => ({ vols: Array.from({ length: b.n }, (_, i) => toVol(b.x, i)), labels: b.labels }));
    return {
      step(i) {
        const { vols, labels } = data[i]!;
        let sum = 0;
        for (let s = 0; s < vols.length; s++) sum += trainer.train(vols[s]!, labels[s]!).cost_loss;
        return sum / vols.length;
      },
      predict(x, n) {
        const out: number[] = [];
        for (let i = 0; i < n; i++) {
          const p = net.forward(toVol(x, i)).w;
          if (binary) out.push(p[1]!);
          else out.push(...p);
        }
        return out;
      },
    };
  },
};
