// W6 and W7 in jax-js, the same math as netc: the CNN with lax.conv (NCHW input, OIHW kernels —
// PyTorch's layouts, padding 1 on each side), nn.relu, and 2×2 max pooling as a reshape to
// [n, C, H/2, 2, W/2, 2] and a max over the two window axes (jax-js has reduceWindow, but its
// max-pool gradient path is the same reduction); the LSTM unrolled over its 16 steps with
// np.matmul and np.split into the gates i, f, g, o. One jit of valueAndGrad plus the SGD update
// per step, as for the MLPs (jaxjs.ts).
import type { Batch, Workload } from "../shared.js";
import { CNN, LSTM, type Params } from "../models.js";
import type { Engine } from "./types.js";

type Jax = typeof import("@jax-js/jax");
type JArray = InstanceType<Jax["numpy"]["Array"]>;
type Tree = Record<string, JArray>;

export function jaxModel(jax: Jax, precision: "f32" | "f64", w: Workload, params: Params, batches: Batch[]): Engine {
  const { numpy: np, nn, lax, tree, jit, valueAndGrad } = jax;
  const dtype = precision === "f32" ? np.float32 : np.float64;
  const array = (a: Float64Array, shape: number[]) =>
    np.array(precision === "f32" ? Float32Array.from(a) : Float64Array.from(a), { dtype }).reshape(shape);
  let p: Tree = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, array(t.data, t.shape)]));
  const K = w.sizes[1]!;
  let logits: (p: Tree, x: JArray, n: number) => JArray;
  let inputShape: (n: number) => number[];
  let convert = (x: Float64Array, n: number) => x.subarray(0, n * w.sizes[0]!);

  // Every array argument is consumed (jax-js reference counting): `.ref` for each extra use.
  if (w.model === "cnn") {
    const S = CNN.image;
    const block = (x: JArray, W: JArray, b: JArray) => {
      const z = nn.relu(lax.conv(x, W, [1, 1], [[1, 1], [1, 1]]).add(b.reshape([-1, 1, 1])));
      const [n, C, H, Wd] = z.shape as [number, number, number, number];
      return np.max(z.reshape([n, C, H / 2, 2, Wd / 2, 2]), [3, 5]);
    };
    inputShape = (n) => [n, 1, S, S];
    logits = (p, x, n) => {
      const c2 = block(block(x, p["c1.W"]!, p["c1.b"]!), p["c2.W"]!, p["c2.b"]!);
      const h = nn.relu(np.matmul(c2.reshape([n, -1]), p["h.W"]!).add(p["h.b"]!));
      return np.matmul(h, p["p.W"]!).add(p["p.b"]!);
    };
  } else {
    const { T, F, n: h } = LSTM;
    // Time-major [T·n, F] (converted once with the data): the input products of all steps are one matmul.
    inputShape = (n) => [T * n, F];
    convert = (x, n) => {
      const out = new Float64Array(n * T * F);
      for (let r = 0; r < n; r++) for (let t = 0; t < T; t++) out.set(x.subarray((r * T + t) * F, (r * T + t + 1) * F), (t * n + r) * F);
      return out;
    };
    logits = (p, x, n) => {
      const xw = np.unstack(np.matmul(x, p["s.W_ih"]!).add(p["s.b_ih"]!).reshape([T, n, 4 * h]), 0);
      const Whh = p["s.W_hh"]!, bhh = p["s.b_hh"]!;
      let hs = np.zeros([n, h], { dtype }), cs = np.zeros([n, h], { dtype });
      for (let t = 0; t < T; t++) {
        const last = t === T - 1;
        const z = xw[t]!.add(np.matmul(hs, last ? Whh : Whh.ref)).add(last ? bhh : bhh.ref);
        const [zi, zf, zg, zo] = np.split(z, 4, 1) as [JArray, JArray, JArray, JArray];
        cs = nn.sigmoid(zf).mul(cs).add(nn.sigmoid(zi).mul(np.tanh(zg)));
        hs = nn.sigmoid(zo).mul(np.tanh(cs.ref));
      }
      cs.dispose();
      return np.matmul(hs, p["p.W"]!).add(p["p.b"]!);
    };
  }
  const xs = batches.map((b) => array(convert(b.x, b.n), inputShape(b.n)));
  const ys = batches.map((b) => array(b.y, [b.n, K]));
  const n = w.batch;
  const loss = (p: Tree, x: JArray, y: JArray): JArray => y.mul(nn.logSoftmax(logits(p, x, n))).sum().neg().div(n);
  const step = jit((p: Tree, x: JArray, y: JArray) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(p), x, y);
    return [value, tree.map((a: JArray, g: JArray) => a.sub(g.mul(w.lr)), p, grads)] as [JArray, Tree];
  });
  const forward = jit((p: Tree, x: JArray) => nn.softmax(logits(p, x, n)));
  return {
    step(i) {
      const [value, next] = step(p, xs[i]!.ref, ys[i]!.ref);
      p = next;
      return value.dataSync()[0]!;
    },
    predict(x, rows) {
      if (rows !== n) throw new Error(`jax-js ${w.id} predicts batches of ${n} rows`);
      return forward(tree.ref(p), array(convert(x, rows), inputShape(rows))).dataSync();
    },
  };
}
