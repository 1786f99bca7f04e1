// PyTorch export: the exported module, optimizer, schedule and training loop, run by Debian's
// python3-torch under the system Python, continue training from a netc weights file (optimizer
// moments, step and epoch counters, shuffle generator) and land where netc lands: 20 steps,
// every epoch's loss and every weight and running statistic within 1e-9 in float64. Between
// them the cases use every optimizer, schedule, loss and forward op.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../compiler/index.js";
import { loadGenerated } from "../cli/load.js";
import { serializeWeights } from "../data/weights.js";
import { exportTorch } from "../export/torch/index.js";
import { ROOT } from "./support/helpers.js";
import { PYTHON, torchMissing } from "./support/python.js";
import { trained, type Trained } from "./export-support.js";

const missing = torchMissing();
const HAVE_TORCH = missing === null;
if (missing) console.warn(`SKIPPING the PyTorch export tests: ${missing}`);

const MODELS: Record<string, string> = {
  // Class target, fused softmax + cross-entropy, batchnorm and layernorm, most activations,
  // Adam with L2, a step schedule with warm-up, clipping, a parameter group and a frozen tensor.
  classes: `block mix(x, n) {
  a = gelu(dense(x, n))
  b = elu(dense(x, n), 0.5) + leaky_relu(dense(x, n), 0.1)
  return concat(a, b)
}
model classes {
  input x[4]
  target y: class(3)
  param W[4, 6] = uniform(-1, 1) frozen
  h = mix(x, 3)
  s = softplus(h) - swish(h) * clip(h, -0.5, 0.5) + pow(abs(h), 1.5) + sqrt(square(h) + 1) - mish(h)
  m = layernorm(tanh(x @ W) + batchnorm(s), 1e-3)
  d = max(m, 0.1) - min(m, -0.2) / exp(-relu(m))
  e = exp(log_softmax(d)) + log(sigmoid(d)) - mean(d)
  p = softmax(dense(e, 3))
  output p
  loss cross_entropy(p, y)
  train { optimizer adam(lr: 0.01, weight_decay: 0.001); schedule step(every: 2, gamma: 0.5); warmup 3; clip_norm 0.5; param_lr h, 0.003; batch 8 }
}`,
  // Several regression losses and a weight penalty; momentum with a cosine schedule.
  regression: `model regression {
  input x[3]
  target y[2]
  h1 = tanh(dense(x, 6))
  p = dense(h1, 2)
  output p
  loss mse(p, y) + 0.5 * huber(p, y, 0.3) + 0.1 * mae(p, y, reduce: sum) + 0.001 * l2(h1.W)
  train { optimizer momentum(lr: 0.05, beta: 0.8); schedule cosine(min: 0.001); epochs 6 }
}`,
  binary: `model binary {
  input x[2]
  target y[1]
  layers {
    dense 5 relu
    batchnorm
    dense 1 sigmoid
  }
  loss bce
  train { optimizer nesterov(lr: 0.1, weight_decay: 0.01); schedule exponential(gamma: 0.9) }
}`,
  logits: `model logits {
  input x[2]
  target y[1]
  z = dense(elu(dense(x, 4)), 1)
  output z
  loss bce_logits(z, y)
  train { optimizer rmsprop(lr: 0.01, weight_decay: 0.001) }
}`,
  classlogits: `model classlogits {
  input x[3]
  target y: class(4)
  z = dense(leaky_relu(dense(x, 5)), 4)
  output z
  loss cross_entropy_logits(z, y) + 0.01 * l1(z.W)
  train { optimizer adagrad(lr: 0.1) }
}`,
  // Losses on probabilities that are not straight from sigmoid/softmax, so they stay unfused.
  unfused: `model unfused {
  input x[3]
  target y[2]
  z = dense(tanh(dense(x, 4)), 2)
  q = 0.8 * softmax(z) + 0.1
  r = 0.5 * sigmoid(z) + 0.25
  output q
  loss cross_entropy(q, y) + bce(r, y)
  train { optimizer adamw(lr: 0.02) }
}`,
  sgd: `model sgd {
  input x[2]
  target y[1]
  h = relu(dense(x, 3)) + relu(dense(x, 3, init: normal(0, 0.5)))
  p = sigmoid(dense(h, 1, init: uniform(-0.3, 0.3)))
  output p
  loss bce(p, y, reduce: sum)
  train { optimizer sgd(lr: 0.05); seed 11 }
}`,
};

// The sequence layers: an index input, embedding, the three recurrent layers, last, attention
// (causal and not) and a class per position.
MODELS.tokens = `model tokens {
  input s[5]: index(7)
  target y[5]: class(3)
  e = embedding(s, 4)
  h = lstm(e, 4) + rnn(e, 4)
  g = gru(h, 6)
  a = g + attention(g, heads: 2, causal: true) + attention(layernorm(g), heads: 3)
  p = softmax(dense(a, 3))
  output p
  loss cross_entropy + 0.01 * mean(square(last(h)))
  train { optimizer adam(lr: 0.01); batch 8 }
}`;

// The image layers: padded and strided convolutions, both poolings and flatten.
MODELS.images = `model images {
  input img[2, 6, 6]
  target y: class(3)
  c = relu(conv2d(img, 3, kernel: 3, stride: 2, padding: 1))
  a = flatten(maxpool2d(conv2d(img, 4, kernel: 3, padding: 1), 2)) + flatten(avgpool2d(conv2d(img, 4, kernel: 2, padding: 1), 2))
  p = softmax(dense(concat(a, flatten(c)), 3))
  output p
  loss cross_entropy
  train { optimizer adam(lr: 0.01); batch 8 }
}`;

const ROWS = 40, BATCH = 8, EPOCHS = 4; // 5 steps an epoch: 20 steps

const temp: string[] = [];
afterAll(() => temp.forEach((d) => rmSync(d, { recursive: true, force: true })));

const worst = new Map<string, number>();
afterAll(() => {
  if (process.env.NETC_SHOW_ERRORS) console.log([...worst].map(([k, v]) => `${k}: ${v.toExponential(2)}`).join("\n"));
});

interface PythonResult {
  history: number[];
  tensors: Record<string, number[]>;
  initial?: Record<string, number[]>;
}

function expectClose(actual: readonly number[], expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (process.env.NETC_SHOW_ERRORS) worst.set(what, Math.max(worst.get(what) ?? 0, err));
    if (!(err <= tol)) expect.fail(`${what}[${i}]: PyTorch ${actual[i]}, netc ${expected[i]} (difference ${err})`);
  }
}

// One Python process runs every case: importing torch costs a second or two.
const DRIVER = String.raw`
import importlib.util, json, sys
import torch
spec = json.load(open(sys.argv[1]))
out = {}
for case in spec:
    mod_spec = importlib.util.spec_from_file_location(case["name"], case["module"])
    mod = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(mod)
    model, trainer = mod.create()
    tensors = lambda: {n: t.detach().reshape(-1).tolist() for n, t in mod._tensors(model).items()}
    initial = tensors()
    x = torch.tensor(case["x"], dtype=torch.float64).view(case["rows"], -1)
    y = torch.tensor(case["y"], dtype=torch.float64)
    if not case["classes"]:
        y = y.view(case["rows"], -1)
    history = trainer.fit(x, y, epochs=case["epochs"], batch=case["batch"])
    out[case["name"]] = {"history": history, "tensors": tensors(), "initial": initial}
json.dump(out, sys.stdout)
`;

describe.skipIf(!HAVE_TORCH)("PyTorch export", () => {
  const runs = new Map<string, Trained>();
  const histories = new Map<string, number[]>();
  let results: Record<string, PythonResult> = {};
  let fresh: { expected: Record<string, Float64Array>; got: PythonResult } | undefined;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-torch-"));
    temp.push(dir);
    const spec = [];
    for (const [name, source] of Object.entries(MODELS)) {
      // Two epochs in netc first, so the weights file carries moments, counters and generator state.
      const t = await trained(source, `${name}.net`, { rows: ROWS, epochs: 2, batch: BATCH });
      runs.set(name, t);
      writeFileSync(join(dir, `${name}.weights.json`), serializeWeights(t.weights));
      const module = join(dir, `${name}.py`);
      writeFileSync(module, exportTorch({ model: t.compiled.model, weightsPath: `${name}.weights.json`, file: `${name}.net`, source }));
      spec.push({ name, module, x: Array.from(t.x), y: Array.from(t.y), rows: ROWS, classes: t.compiled.model.target.classes !== undefined && t.compiled.model.target.positions === undefined, epochs: EPOCHS, batch: BATCH });
    }
    // And one without weights: the module starts from netc's own seeded initialization.
    const source = MODELS.sgd!;
    writeFileSync(join(dir, "fresh.py"), exportTorch({ model: runs.get("sgd")!.compiled.model, weightsPath: null, file: "sgd.net", source }));
    spec.push({ name: "fresh", module: join(dir, "fresh.py"), x: [0, 0], y: [0], rows: 1, classes: false, epochs: 0, batch: 1 });
    writeFileSync(join(dir, "driver.py"), DRIVER);
    writeFileSync(join(dir, "spec.json"), JSON.stringify(spec));
    const stdout = execFileSync(PYTHON, [join(dir, "driver.py"), join(dir, "spec.json")], { encoding: "utf8", maxBuffer: 1 << 26 });
    results = JSON.parse(stdout);
    const freshModel = (await loadGenerated((await compile(source, { format: false })).code)).createModel();
    fresh = { expected: Object.fromEntries(Object.entries(freshModel.getWeights()).map(([k, w]) => [k, w.data])), got: results.fresh! };
    // netc continues from the same point (its model object holds exactly the saved state).
    for (const [name, t] of runs) histories.set(name, t.trainer.fit(t.x, t.y, ROWS, { epochs: EPOCHS, batch: BATCH }).losses);
  }, 180_000);

  it.each(Object.keys(MODELS))("%s: 20 training steps in PyTorch equal netc's within 1e-9", (name) => {
    const t = runs.get(name)!;
    const got = results[name]!;
    // The starting point is the weights file, exactly.
    for (const w of t.weights.tensors) expectClose(got.initial![w.name]!, w.data, 0, `${name}: loaded ${w.name}`);
    expectClose(got.history, histories.get(name)!, 1e-9, `${name}: epoch loss`);
    const weights = t.trainer.getWeights();
    expect(Object.keys(got.tensors).sort()).toEqual(Object.keys(weights).sort());
    for (const [k, w] of Object.entries(weights)) expectClose(got.tensors[k]!, w.data, 1e-9, `${name}: ${k}`);
    // The steps really moved the weights: only the frozen W stays where it was, and attention's
    // key bias, which adds the same amount to every score of a row and so has gradient zero.
    const stays = (k: string) => (name === "classes" && k === "W") || k.endsWith(".bk");
    const moved = Object.keys(weights).filter((k) => got.tensors[k]!.some((v, i) => Math.abs(v - got.initial![k]![i]!) > 1e-6));
    expect(moved.sort()).toEqual(Object.keys(weights).filter((k) => !stays(k)).sort());
  });

  it("without a weights file, starts from netc's seeded initialization", () => {
    for (const [k, w] of Object.entries(fresh!.expected)) expectClose(fresh!.got.initial![k]!, w, 1e-12, `initial ${k}`);
  });
});

describe.skipIf(!HAVE_TORCH)("netc export --format torch", () => {
  it("writes a module that loads its weights file and runs as a script", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-torch-cli-"));
    temp.push(dir);
    writeFileSync(join(dir, "binary.net"), MODELS.binary!);
    const netc = (...args: string[]) => execFileSync(process.execPath, [join(ROOT, "bin/netc.mjs"), ...args], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    netc("export", "binary.net", "--format", "torch", "-o", "out/binary.py");
    const py = readFileSync(join(dir, "out/binary.py"), "utf8");
    expect(py).toMatch(/^# Generated by netc from binary\.net \(model binary\)/);
    expect(py).toContain("class Binary(torch.nn.Module):");
    expect(py).toContain("torch.optim.SGD(groups, lr=LR, momentum=0.9, nesterov=True, weight_decay=0.01)");
    const run = execFileSync(PYTHON, [join(dir, "out/binary.py")], { cwd: tmpdir(), encoding: "utf8" });
    expect(run).toBe(["binary: 31 parameters, optimizer SGD, 0 epochs done", "  layer1.W [2, 5]", "  layer1.b [5]", "  layer2.gamma [5]", "  layer2.beta [5]", "  layer3.W [5, 1]", "  layer3.b [1]", "  layer2.mean [5] (not trained)", "  layer2.var [5] (not trained)", ""].join("\n"));
  }, 60_000);
});
