// jax-js (@jax-js/jax) on its wasm device, float32 and float64: the parameters as a pytree,
// the loss written with jax.numpy, and one `jit` of valueAndGrad plus the SGD update, so each
// step is one compiled program. The loss is read back every step (dataSync, which also frees
// it). Node 20 has no Float16Array, which jax-js touches for float64: a stub stands in.
import type { Batch, Layer, Workload } from "../shared.js";
import type { EngineDef } from "./types.js";

type Jax = typeof import("@jax-js/jax");
type JArray = InstanceType<Jax["numpy"]["Array"]>;
type Params = { W: JArray[]; b: JArray[] };

let loaded: Promise<Jax> | undefined;
function loadJax(): Promise<Jax> {
  const g = globalThis as { Float16Array?: unknown };
  g.Float16Array ??= class {};
  return (loaded ??= import("@jax-js/jax").then(async (jax) => {
    await jax.init("wasm"); // a bare init() probes navigator.gpu, which Node 20 lacks
    jax.defaultDevice("wasm");
    return jax;
  }));
}

function jaxEngine(precision: "f32" | "f64"): EngineDef {
  return {
    name: `jax-js-${precision}`,
    exact: () => true,
    // Its float64 exp/log/tanh are accurate to ~1e-8 (log sometimes 1e-6), not to float64.
    tolerance: precision === "f32" ? 1e-3 : 1e-4,
    async create(w: Workload, layers: Layer[], batches: Batch[], named) {
      const jax = await loadJax();
      if (w.model) return (await import("./jaxjs-models.js")).jaxModel(jax, precision, w, named, batches);
      const { numpy: np, nn, tree, jit, valueAndGrad } = jax;
      const dtype = precision === "f32" ? np.float32 : np.float64;
      const data = (a: Float64Array) => (precision === "f32" ? Float32Array.from(a) : Float64Array.from(a));
      const matrix = (a: Float64Array, rows: number, cols: number) => np.array(data(a), { dtype }).reshape([rows, cols]);
      const inW = w.sizes[0]!, outW = w.sizes[w.sizes.length - 1]!;
      let params: Params = {
        W: layers.map((L) => matrix(L.W, L.inputs, L.outputs)),
        b: layers.map((L) => np.array(data(L.b), { dtype })),
      };
      const xs = batches.map((b) => matrix(b.x, b.n, inW));
      const ys = batches.map((b) => matrix(b.y, b.n, outW));
      const act = { relu: nn.relu, tanh: np.tanh, sigmoid: nn.sigmoid }[w.hidden];

      // Every array argument is consumed (jax-js reference counting): each is used exactly once.
      const logits = (p: Params, x: JArray): JArray => {
        let h = x;
        p.W.forEach((W, l) => {
          const z = np.matmul(h, W).add(p.b[l]!);
          h = l < p.W.length - 1 ? act(z) : z;
        });
        return h;
      };
      const loss = (p: Params, x: JArray, y: JArray): JArray => {
        const z = logits(p, x);
        const n = w.batch;
        if (w.head === "softmax-ce") return y.mul(nn.logSoftmax(z)).sum().neg().div(n);
        // mean of softplus(z) − y·z: binary cross-entropy on logits
        return nn.softplus(z.ref).sub(y.mul(z)).sum().div(n);
      };
      const step = jit((p: Params, x: JArray, y: JArray) => {
        const [value, grads] = valueAndGrad(loss)(tree.ref(p), x, y);
        return [value, tree.map((a: JArray, g: JArray) => a.sub(g.mul(w.lr)), p, grads)] as [JArray, Params];
      });
      const forward = jit((p: Params, x: JArray) => (w.head === "softmax-ce" ? nn.softmax(logits(p, x)) : nn.sigmoid(logits(p, x))));

      return {
        step(i) {
          const [value, next] = step(params, xs[i]!.ref, ys[i]!.ref);
          params = next;
          return value.dataSync()[0]!;
        },
        predict(x, n) {
          return forward(tree.ref(params), matrix(x.subarray(0, n * inW), n, inW)).dataSync();
        },
      };
    },
  };
}

export const jaxF32 = jaxEngine("f32");
export const jaxF64 = jaxEngine("f64");
