// `layers` names are bindings like any other, the loss shorthand works inside expressions, and
// diagnostics suggest the name that was probably meant.
import { describe, expect, it } from "vitest";
import { analyze, compile } from "../../compiler/index.js";
import { loadGenerated } from "../../cli/load.js";

const errors = (source: string) => analyze(source).diagnostics.map((d) => `${d.span.line}:${d.span.col} ${d.message}`);
const net = (body: string) => `model m {\n  input x[2]\n  target y[1]\n${body}\n}\n`;

describe("layer names", () => {
  it.each([
    ["a loss over a layer", "  layers { dense 4 tanh; dense 1 sigmoid }\n  loss mse(layer2, y, reduce: sum)"],
    ["output naming the last layer", "  layers { dense 4 tanh; dense 1 sigmoid }\n  output layer2\n  loss bce(layer2, y)"],
    ["a penalty on a layer's weights with the shorthand", "  layers { dense 4 tanh; dense 1 sigmoid }\n  loss bce + 0.01 * l2(layer1.W)"],
    ["a layer in a later expression", "  layers { dense 4 tanh; dense 1 }\n  q = sigmoid(layer2) + 0 * mean(layer1)\n  loss bce(q, y)"],
  ])("%s compiles", (_, body) => {
    expect(errors(net(body))).toEqual([]);
  });

  it("`output layer1` picks an inner layer as the output", () => {
    const { models } = analyze(`model m {\n  input x[2]\n  target y[4]\n  layers { dense 4 tanh; dense 1 sigmoid }\n  output layer1\n  loss mse(layer1, y)\n}\n`);
    expect(models[0]!.output).toEqual({ name: "layer1", width: 4, shape: [4] });
  });

  it("a layer name before its block, and a second output, are errors", () => {
    expect(errors(net("  h = tanh(layer1)\n  layers { dense 4 tanh; dense 1 sigmoid }\n  loss bce"))).toEqual(["4:12 'layer1' is used before its definition (line 5)"]);
    expect(errors(net("  p = sigmoid(dense(x, 1))\n  layers { dense 4 tanh; dense 1 sigmoid }\n  output p\n  loss bce"))).toEqual(["6:3 the model already has an output ('layer2')"]);
  });

  it("the shorthand inside an expression is the loss of output and target plus the rest", async () => {
    const plain = await compile(net("  layers { dense 3 tanh; dense 1 sigmoid }\n  loss bce"), { format: false });
    const penalized = await compile(net("  layers { dense 3 tanh; dense 1 sigmoid }\n  loss bce + 0.01 * l2(layer1.W)"), { format: false });
    const a = (await loadGenerated(plain.code)).createModel({ seed: 3 });
    const b = (await loadGenerated(penalized.code)).createModel({ seed: 3 });
    const x = new Float64Array([0, 1, 1, 0, 0.5, 0.25]);
    const y = new Float64Array([1, 1, 0]);
    const w = a.getWeights()["layer1.W"]!.data;
    const l2 = w.reduce((s, v) => s + v * v, 0);
    expect(b.loss(x, y, 3)).toBeCloseTo(a.loss(x, y, 3) + 0.01 * l2, 12);
  });
});

describe("messages", () => {
  it("suggests activations, functions, names, parameters, settings and argument names", () => {
    const source = net([
      "  h1 = rleu(dense(x, 4))",
      "  h2 = tanh(dense(x, 4, inti: he))",
      "  h3 = tanh(h22)",
      "  layers { dense 3 tahn; dense 1 sigmoid }",
      "  loss bce + l2(layer1.w)",
      "  train { optimizer adma; epoch 3 }",
    ].join("\n"));
    expect(errors(source)).toEqual([
      "4:8 unknown function 'rleu'; did you mean 'relu'?",
      "5:25 'dense' has no argument named 'inti'; did you mean 'init'? (its arguments: x, n, init)",
      "6:13 unknown name 'h22'; did you mean 'h2'?",
      // Each activation once (identity used to be listed twice).
      expect.stringMatching(/^7:20 unknown activation 'tahn'; did you mean 'tanh'\? \(expected one of: sigmoid, tanh, relu, softmax, (\w+, )*identity, (?!.*identity)\w+(, \w+)*\)$/),
      "9:21 unknown optimizer 'adma'; did you mean 'adam'? (expected one of: sgd, momentum, nesterov, rmsprop, adagrad, adam, adamw)",
      "9:27 unknown training setting 'epoch'; did you mean 'epochs'? (expected one of: optimizer, epochs, batch, seed, schedule, warmup, clip_norm, freeze, param_lr, precision)",
    ]);
  });

  it("suggests a parameter that differs in case", () => {
    expect(errors(net("  layers { dense 3 tanh; dense 1 sigmoid }\n  loss bce + l2(layer1.w)"))).toEqual([
      "5:17 unknown parameter 'layer1.w'; did you mean 'layer1.W'? (parameters: layer1.W, layer1.b, layer2.W, layer2.b)",
    ]);
  });

  it("no suggestion for a short name that is merely one letter away", () => {
    expect(errors(net("  p = sigmoid(dense(q, 1))\n  output p\n  loss bce"))).toEqual(["4:21 unknown name 'q'"]);
  });

  it("'h1 @ h1' says which side is wrong instead of showing two equal shapes", () => {
    expect(errors(net("  h1 = tanh(dense(x, 16))\n  a = h1 @ h1\n  p = sigmoid(dense(a, 1))\n  output p\n  loss bce"))).toEqual([
      "5:7 the right side of '@' must be a matrix of fixed size (like a parameter [16,m]), but 'h1' has shape [B,16], a batch of rows (the left side 'h1' has shape [B,16])",
    ]);
  });

  it("dropout's rate is named as dropout's argument, not like a binding 'p'", () => {
    expect(errors(net("  h = dropout(tanh(dense(x, 4)), 1.5)\n  p = sigmoid(dense(h, 1))\n  output p\n  loss bce"))).toEqual([
      "4:34 argument 'p' of 'dropout' must be a probability in [0, 1), got '1.5'",
    ]);
  });

  it("the bare loss name outside a loss statement says where the shorthand works", () => {
    expect(errors(net("  p = sigmoid(dense(x, 1))\n  q = p + mse\n  output p\n  loss bce"))).toEqual([
      "5:11 unknown name 'mse' (the shorthand 'mse' for mse(OUTPUT, TARGET) works only in a 'loss' statement)",
    ]);
  });
});
