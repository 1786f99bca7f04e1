// The sequence layers against PyTorch's own modules, in float64: netc's lstm, gru and rnn
// against torch.nn.LSTM, GRU and RNN (batch_first, one layer, zero initial state) loaded with
// netc's weights transposed (weight_ih_l0 = W_ihᵀ, ...), embedding against nn.Embedding, and
// attention against nn.MultiheadAttention with in_proj = [Wq; Wk; Wv]ᵀ and out_proj = Woᵀ (a
// causal one with the upper-triangular mask). The outputs and every weight's gradient of
// sum(output · R) for a random R must agree to 1e-9. Needs torch under the system Python, as
// the PyTorch export tests do; skipped without it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileSource, makeRng, randomArray, randomizeWeights } from "../support/helpers.js";
import { PYTHON, torchMissing } from "../support/python.js";

const HAVE_TORCH = torchMissing() === null;
const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Each case: a model whose output is the layer's (flattened), and the PyTorch module that computes it.
const CASES: { name: string; input: string; body: string; width: number; torch: string }[] = [
  { name: "lstm", input: "x[5, 3]", body: "p = flatten(lstm(x, 9))", width: 45, torch: "lstm" },
  { name: "gru", input: "x[5, 3]", body: "p = flatten(gru(x, 9))", width: 45, torch: "gru" },
  { name: "rnn", input: "x[5, 3]", body: "p = flatten(rnn(x, 9))", width: 45, torch: "rnn" },
  { name: "embedding", input: "s[5]: index(7)", body: "p = flatten(embedding(s, 3))", width: 15, torch: "embedding" },
  { name: "attention", input: "x[5, 6]", body: "p = flatten(attention(x, heads: 2))", width: 30, torch: "attention" },
  { name: "causal attention", input: "x[5, 6]", body: "p = flatten(attention(x, heads: 3, causal: true))", width: 30, torch: "causal" },
];

const DRIVER = String.raw`
import json, sys
import torch
torch.set_default_dtype(torch.float64)
spec = json.load(open(sys.argv[1]))
out = {}
def t(name, w, transpose=False):
    v = torch.tensor(w[name]["data"]).view(w[name]["shape"])
    return v.t().contiguous() if transpose else v
for case in spec:
    w, kind, rows = case["weights"], case["torch"], case["rows"]
    x = torch.tensor(case["x"]).view([rows] + case["shape"])
    if kind in ("lstm", "gru", "rnn"):
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[kind]
        m = cls(x.shape[2], case["hidden"], batch_first=True)
        names = {"weight_ih_l0": ("p.W_ih", True), "weight_hh_l0": ("p.W_hh", True), "bias_ih_l0": ("p.b_ih", False), "bias_hh_l0": ("p.b_hh", False)}
        with torch.no_grad():
            for pt, (netc, tr) in names.items(): getattr(m, pt).copy_(t(netc, w, tr))
        y = m(x)[0]
        params = {netc: getattr(m, pt) for pt, (netc, _) in names.items()}
        grads = {netc: (lambda g, tr: g.t() if tr else g) for pt, (netc, tr) in names.items()}
        transposed = {netc: tr for pt, (netc, tr) in names.items()}
    elif kind == "embedding":
        m = torch.nn.Embedding(case["vocab"], 3)
        with torch.no_grad(): m.weight.copy_(t("p.W", w))
        y = m(x.long())
        params, transposed = {"p.W": m.weight}, {"p.W": False}
    else:
        d = x.shape[2]
        m = torch.nn.MultiheadAttention(d, case["heads"], batch_first=True)
        with torch.no_grad():
            m.in_proj_weight.copy_(torch.cat([t("p.Wq", w, True), t("p.Wk", w, True), t("p.Wv", w, True)]))
            m.in_proj_bias.copy_(torch.cat([t("p.bq", w), t("p.bk", w), t("p.bv", w)]))
            m.out_proj.weight.copy_(t("p.Wo", w, True))
            m.out_proj.bias.copy_(t("p.bo", w))
        T = x.shape[1]
        mask = torch.ones(T, T, dtype=torch.bool).triu(1) if kind == "causal" else None
        y = m(x, x, x, attn_mask=mask, need_weights=False)[0]
        params = {"p.Wqkv": m.in_proj_weight, "p.bqkv": m.in_proj_bias, "p.Wo": m.out_proj.weight, "p.bo": m.out_proj.bias}
        transposed = {"p.Wqkv": True, "p.bqkv": False, "p.Wo": True, "p.bo": False}
    r = torch.tensor(case["r"]).view(y.shape)
    (y * r).sum().backward()
    g = {}
    for name, p in params.items():
        v = p.grad.t() if transposed[name] else p.grad
        g[name] = v.contiguous().reshape(-1).tolist()
    out[case["name"]] = {"y": y.detach().reshape(-1).tolist(), "grads": g}
json.dump(out, sys.stdout)
`;

describe.skipIf(!HAVE_TORCH)("sequence layers against torch.nn", () => {
  it("lstm, gru, rnn, embedding and attention (causal too): outputs and weight gradients within 1e-9", async () => {
    const rows = 3;
    const spec = [];
    const netc = new Map<string, { y: Float64Array; grads: Record<string, Float64Array> }>();
    for (const c of CASES) {
      const source = `model t {\n  input ${c.input}\n  target y[${c.width}]\n  ${c.body}\n  output p\n  loss sum(p * y)\n  train { batch ${rows} }\n}`;
      const { module, result } = await compileSource(source, { maxBatch: rows, format: false });
      const model = module.createModel({ seed: 2 });
      const rng = makeRng(c.name.length * 31);
      randomizeWeights(model, rng, -0.8, 0.8);
      const ids = result.model.input.index;
      const x = ids ? Float64Array.from({ length: rows * result.model.input.width }, () => Math.floor(rng() * ids)) : randomArray(rng, rows * result.model.input.width);
      const r = randomArray(rng, rows * c.width);
      const { grads } = model.gradients(x, r, rows);
      const y = model.predict(x, rows).slice();
      const weights = Object.fromEntries(Object.entries(model.getWeights()).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }]));
      const hidden = result.model.params.find((p) => p.name === "p.W_hh")?.shape[0];
      const heads = /heads: (\d+)/.exec(c.body)?.[1];
      spec.push({ name: c.name, torch: c.torch, rows, shape: result.model.input.shape, x: Array.from(x), r: Array.from(r), weights, hidden, vocab: ids, heads: heads && Number(heads) });
      // PyTorch keeps q, k and v's projections in one tensor: compare netc's stacked the same way.
      const g = Object.fromEntries(Object.entries(grads).map(([k, t]) => [k, t.data]));
      if (c.torch === "attention" || c.torch === "causal") {
        const cat = (...a: Float64Array[]) => Float64Array.from(a.flatMap((t) => Array.from(t)));
        const d = result.model.input.shape[1]!;
        // Each [d, d] gradient's transpose is a block of rows of in_proj_weight's gradient; compared transposed back, the blocks sit side by side.
        const side = (...m: Float64Array[]) => Float64Array.from({ length: d * 3 * d }, (_, i) => m[Math.floor((i % (3 * d)) / d)]![Math.floor(i / (3 * d)) * d + (i % d)]!);
        netc.set(c.name, { y, grads: { "p.Wqkv": side(g["p.Wq"]!, g["p.Wk"]!, g["p.Wv"]!), "p.bqkv": cat(g["p.bq"]!, g["p.bk"]!, g["p.bv"]!), "p.Wo": g["p.Wo"]!, "p.bo": g["p.bo"]! } });
      } else netc.set(c.name, { y, grads: g });
    }
    const dir = mkdtempSync(join(tmpdir(), "netc-torch-seq-"));
    temp.push(dir);
    writeFileSync(join(dir, "driver.py"), DRIVER);
    writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
    const got = JSON.parse(execFileSync(PYTHON, [join(dir, "driver.py"), join(dir, "spec.json")], { encoding: "utf8", maxBuffer: 1 << 26 })) as Record<string, { y: number[]; grads: Record<string, number[]> }>;
    const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
      expect(a.length, what).toBe(b.length);
      for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) <= 1e-9 * Math.max(1, Math.abs(b[i]!)))) expect.fail(`${what}[${i}]: PyTorch ${b[i]}, netc ${a[i]}`);
    };
    for (const c of CASES) {
      const mine = netc.get(c.name)!, theirs = got[c.name]!;
      close(mine.y, theirs.y, `${c.name}: output`);
      expect(Object.keys(theirs.grads).sort(), c.name).toEqual(Object.keys(mine.grads).sort());
      for (const [k, v] of Object.entries(theirs.grads)) close(mine.grads[k]!, v, `${c.name}: gradient of ${k}`);
    }
  }, 120_000);
});
