// One test per bug the trust suite found, so each stays fixed. The comment on each says what
// broke and which test found it.
import { describe, expect, it, vi } from "vitest";
import { analyze, compileToGraph } from "../../compiler/index.js";
import { NameManager } from "../../compiler/emit/names.js";
import { makeRng } from "../support/helpers.js";
import { checkGradients } from "../support/finite-differences.js";
import { loadUnformatted } from "./support.js";

vi.setConfig({ testTimeout: 120_000 });

const model = (x: string, y: string, body = `p = sigmoid(dense(${x}, 1))`, loss = `bce(p, ${y})`) =>
  `model m {\n  input ${x}[2]\n  target ${y}[1]\n  ${body}\n  output p\n  loss ${loss}\n  train { optimizer sgd(lr: 0.5); batch 4; seed 3 }\n}\n`;

const X = new Float64Array([0.3, 0.6, 0.5, 0.1, 0.9, 0.9, 0.4, 0.5]);
const Y = new Float64Array([1, 0, 0, 1]);

describe("regressions", () => {
  // Found by the property test (names drawn from the emitter's own identifiers): an input or
  // target named like a local of the emitted `fit` or `gradients` (`order`, `grads`, `k`, ...)
  // produced a module that failed to load ("Identifier 'grads' has already been declared") or,
  // for `k`, read the loop counter instead of the data.
  it("input and target names that match locals of fit and gradients", async () => {
    const names = ["epochs", "batch", "order", "bx", "by", "history", "e", "epoch", "total", "start", "rows", "r", "src", "k", "value", "grads"];
    const plain = (await loadUnformatted(model("x", "y"))).model;
    const expected = { fit: plain.fit(X, Y, 4, { epochs: 3 }), grads: plain.gradients(X, Y, 4) };
    for (let i = 0; i < names.length; i += 2) {
      const [x, y] = [names[i]!, names[i + 1]!];
      const { model: m } = await loadUnformatted(model(x, y, `p = sigmoid(dense(${x}, 1))`, `bce(p, ${y})`));
      expect(m.fit(X, Y, 4, { epochs: 3 }), `${x}, ${y}`).toEqual(expected.fit);
      expect(m.gradients(X, Y, 4), `${x}, ${y}`).toEqual(expected.grads);
    }
  });

  // Found by the injection tests: softmax's kernel declared a fixed local `e`, so a softmax over
  // a tensor named `e` read its own uninitialized local ("Cannot access 'e' before initialization").
  it("softmax over a tensor named e", async () => {
    const source = `model m {\n  input e[2]\n  target y[3]\n  param W[2, 3]\n  param b[3]\n  s = e @ W + b\n  p = softmax(s)\n  output p\n  loss mse(p, y)\n}\n`;
    const { model: m } = await loadUnformatted(source);
    const rows = m.predict(new Float64Array([0.1, 0.2, 0.3, 0.4]), 2);
    expect(rows[0]! + rows[1]! + rows[2]!).toBeCloseTo(1, 12);
    expect([...rows].every(Number.isFinite)).toBe(true);
  });

  // Found by the tfjs cross-check: `gradients()` copied each gradient's whole shared work buffer,
  // so `p.b` of shape [1] came back with 4 values (the tail was another tensor's data).
  it("gradients() returns exactly as many values as each shape holds", async () => {
    const { model: m } = await loadUnformatted(model("x", "y"));
    const { grads } = m.gradients(X, Y, 4);
    for (const [name, g] of Object.entries(grads)) expect(g.data.length, name).toBe(g.shape.reduce((a, b) => a * b, 1));
  });

  // Found by the tfjs cross-check: the fused softmax + cross-entropy gradient was p − y, which is
  // the gradient only when each target row sums to 1; for other dense targets the reported loss
  // and its gradient disagreed (the loss was right). Now p·Σy − y (p − y for class targets).
  it("softmax + cross_entropy gradients for target rows that do not sum to 1", async () => {
    const source = `model m {\n  input x[3]\n  target y[3]\n  p = softmax(dense(x, 3))\n  output p\n  loss cross_entropy(p, y)\n}\n`;
    const { model: m } = await loadUnformatted(source);
    const rng = makeRng(5);
    const x = Float64Array.from({ length: 12 }, () => 2 * rng() - 1);
    const y = new Float64Array([1, 1, 0, 0, 0, 0, 0.2, 0.3, 0.9, 0, 1, 0]);
    const report = checkGradients(m, x, y, 4);
    expect(report.failures).toEqual([]);
    expect(report.checked).toBe(12);
  });

  // Found by the injection tests: built-in tables were plain objects looked up with names from
  // the source, so `toString(x)` or `init: constructor` crashed analyze ("Cannot read properties
  // of undefined (reading 'map')") and `optimizer toString` was accepted as an optimizer.
  it("names of Object.prototype members are unknown functions, initializers, optimizers and schedules", () => {
    const cases: [string, string, RegExp][] = [
      ["p = toString(x)", "", /unknown function 'toString'/],
      ["p = __proto__(x)", "", /unknown function '__proto__'/],
      ["p = dense(x, 1, init: constructor)", "", /unknown initializer 'constructor'/],
      ["p = dense(x, 1)", "optimizer toString", /unknown optimizer 'toString'/],
      ["p = dense(x, 1)", "optimizer hasOwnProperty(lr: 1)", /unknown optimizer 'hasOwnProperty'/],
      ["p = dense(x, 1)", "schedule valueOf", /unknown schedule 'valueOf'/],
    ];
    for (const [body, train, message] of cases) {
      const source = `model m {\n  input x[2]\n  target y[1]\n  ${body}\n  output p\n  loss mse(p, y)\n  train { ${train} }\n}\n`;
      expect(analyze(source).diagnostics.map((d) => d.message).join("\n"), `${body} ${train}`).toMatch(message);
    }
  });

  // Found by the fuzzer (a mutation repeating a `layers` line 2000 times): the autodiff's
  // reachability walk recursed once per node and overflowed the stack ("Maximum call stack size
  // exceeded", an uncaught RangeError instead of a compile).
  it("a network 2000 layers deep compiles", () => {
    const layers = "    dense 1 tanh\n".repeat(2000);
    const source = `model deep {\n  input x[1]\n  target y[1]\n  layers {\n${layers}  }\n  loss mse\n}\n`;
    const { model: m, graph } = compileToGraph(source);
    expect(m.params).toHaveLength(4000);
    expect(graph.outputs.get("grad:layer1.W")).toBeDefined();
  });

  // Found while fuzzing: each claim of a taken name probed suffixes from 1, so a function with
  // n locals named `v` cost O(n²); emitting a 2000-layer network took minutes (400 layers: 48 s).
  it("claiming the same name many times is linear and gives the same names as before", () => {
    const names = new NameManager(undefined, ["v_3"]);
    const started = performance.now();
    const got = Array.from({ length: 20_000 }, () => names.claim("v"));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(got.slice(0, 5)).toEqual(["v", "v_1", "v_2", "v_4", "v_5"]);
    expect(new Set(got).size).toBe(got.length);
    const child = names.child();
    expect(child.claim("v")).toBe("v_20001");
  });
});
