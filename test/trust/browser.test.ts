// Generated wasm-backend modules in headless Chromium (Debian's `chromium`, driven by
// playwright-core): the page instantiates a trainer, trains a few steps and predicts, and loads
// a standalone wasm predictor; the numbers must be Node's. The same driver code runs in both
// places: it is appended to the module as an exported function.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { emitPredictor } from "../../compiler/emit/predictor.js";
import { importJavaScript, toJavaScript } from "../../cli/load.js";
import { compileExample, compileSource, makeRng, randomArray } from "../support/helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`SKIPPING the browser tests: ${CHROMIUM} is missing (apt-get install chromium).`);

/**
 * Trains `steps` steps from the given weights, then predicts; plain arrays out (exact doubles).
 * The weights come from the test: initializers call Math.log and Math.cos, which differ (below).
 */
const TRAINER_DRIVER = `
export function drive({ x, y, n, steps, init }) {
  const model = createModel();
  model.setWeights(init);
  const X = Float64Array.from(x), Y = Float64Array.from(y);
  const losses = [];
  for (let s = 0; s < steps; s++) losses.push(model.trainStep(X, Y, n));
  const weights = Object.values(model.getWeights()).flatMap((t) => Array.from(t.data));
  return { losses, predictions: Array.from(model.predict(X, n)), weights };
}`;

const PREDICTOR_DRIVER = `
export function drive({ x, n }) {
  return { predictions: Array.from(predictBatch(Float64Array.from(x), n)), one: Array.from(predict(x.slice(0, inputWidth))) };
}`;

type Driven = Record<string, number[]>;

/** Imports `js` in the page (from a blob: URL) and runs its `drive` export there. */
async function driveInPage(page: Page, js: string, data: unknown): Promise<Driven> {
  // Passed as text: vitest rewrites import() in this file's own functions, which the page lacks.
  const run = `(async ({ js, data }) => {
    const url = URL.createObjectURL(new Blob([js], { type: "text/javascript" }));
    return (await import(url)).drive(data);
  })(${JSON.stringify({ js, data })})`;
  return page.evaluate(run);
}

async function driveInNode(js: string, data: unknown): Promise<Driven> {
  const mod = await importJavaScript<{ drive(data: unknown): Driven }>(js);
  return mod.drive(data);
}

describe.skipIf(!HAVE_CHROMIUM)("wasm modules in headless Chromium", () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    const { chromium } = await import("playwright-core");
    // Root in a container has no user namespaces for Chromium's sandbox.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const n = 16;
  const rng = makeRng(31);

  // Only IEEE arithmetic (the wasm matmuls, relu, mse, momentum) from given weights: every bit
  // must be Node's.
  const RELU_MLP = `model mlp {
  input x[6]
  target y[2]
  layers { dense 16 relu; dense 8 relu; dense 2 }
  loss mse
  train { optimizer momentum(lr: 0.01); batch ${n}; seed 3 }
}`;
  /** Random starting weights for every parameter of a compiled model, as setWeights takes them. */
  const initial = (model: { params: { name: string; shape: number[] }[] }) =>
    Object.fromEntries(model.params.map((p) => [p.name, { data: Array.from(randomArray(rng, p.shape.reduce((a, b) => a * b, 1), -0.5, 0.5)) }]));
  const mlpData = { x: Array.from(randomArray(rng, n * 6, -2, 2)), y: Array.from(randomArray(rng, n * 2, -1, 1)), n, steps: 5 };

  it.each(["f64", "f32"] as const)("a %s relu MLP trainer: the same losses, weights and predictions as in Node, bit for bit", async (precision) => {
    const { result } = await compileSource(RELU_MLP, { backend: "wasm", precision });
    expect(result.code).toContain("= instantiateKernels(");
    const js = toJavaScript(result.code) + TRAINER_DRIVER;
    const data = { ...mlpData, init: initial(result.model) };
    const inPage = await driveInPage(page, js, data);
    expect(inPage.losses![4]).toBeLessThan(inPage.losses![0]!);
    expect(inPage).toEqual(await driveInNode(js, data));
  });

  it("a standalone wasm predictor: the same predictions as in Node, bit for bit", async () => {
    const { result } = await compileSource(RELU_MLP, { backend: "wasm" });
    const weights = Object.fromEntries(result.model.params.map((p) => [p.name, randomArray(rng, p.shape.reduce((a, b) => a * b, 1), -1, 1)]));
    const ts = await emitPredictor({ model: result.model, evalGraph: result.evalGraph, source: RELU_MLP, file: "mlp.net", weights, backend: "wasm" }, { format: false });
    expect(ts).toContain("= instantiateKernels(");
    const js = toJavaScript(ts) + PREDICTOR_DRIVER;
    const inPage = await driveInPage(page, js, mlpData);
    expect(inPage.predictions).toHaveLength(n * 2);
    expect(inPage).toEqual(await driveInNode(js, mlpData));
  });

  // iris's softmax and cross-entropy kernels are JavaScript calling Math.exp and Math.log, which
  // Chromium's V8 and Node 20's round differently in the last bit for about one argument in ten
  // (measured here: exp, log, pow, tanh all differ somewhere). So: equal to 1e-12, relative.
  it("iris (Math.exp and Math.log in its JavaScript kernels): within 1e-12 of Node", async () => {
    const { result } = await compileExample("iris", { backend: "wasm", maxBatch: n });
    const js = toJavaScript(result.code) + TRAINER_DRIVER;
    const data = { x: Array.from(randomArray(rng, n * 4, 4, 8)), y: Array.from({ length: n }, (_, i) => i % 3), n, steps: 5, init: initial(result.model) };
    const inPage = await driveInPage(page, js, data);
    const inNode = await driveInNode(js, data);
    expect(Object.keys(inPage)).toEqual(Object.keys(inNode));
    for (const key of Object.keys(inNode)) {
      expect(inPage[key]).toHaveLength(inNode[key]!.length);
      inNode[key]!.forEach((v, i) => expect(Math.abs(inPage[key]![i]! - v), `${key}[${i}]`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
    }
  });
});
