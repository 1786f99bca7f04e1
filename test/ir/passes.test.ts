// The IR and its passes: verification after every pass, hash-consing, the loss fusions whose
// gradient is p − y, and the clean-up invariants (no duplicate nodes, no dead nodes).
import { describe, expect, it } from "vitest";
import { analyze, compileToGraph } from "../../compiler/index.js";
import { Builder } from "../../compiler/ir/builder.js";
import type { Graph, Node } from "../../compiler/ir/graph.js";
import { verify } from "../../compiler/ir/verify.js";
import { rewrite, liveNodes } from "../../compiler/passes/rewrite.js";
import { simplify } from "../../compiler/passes/simplify.js";
import { ALL_OPS, EXAMPLES, exampleSource, HOSTILE_NAMES } from "../support/helpers.js";

const SOURCES: [string, string][] = [...EXAMPLES.map((n): [string, string] => [n, exampleSource(n)]), ["all-ops", ALL_OPS], ["hostile-names", HOSTILE_NAMES]];

function graphOf(source: string): Graph {
  return compileToGraph(source, { verify: true }).graph;
}

const key = (n: Node) => `${n.op}(${n.inputs.map((i) => i.id).join(",")})${JSON.stringify(n.attrs)}`;

describe("verify", () => {
  it.each(SOURCES)("%s: passes on the lowered forward graph and after every pass", (_, source) => {
    const { models, diagnostics } = analyze(source);
    expect(diagnostics).toEqual([]);
    for (const m of models) expect(() => verify(m.forward, "lowering")).not.toThrow();
    const graph = graphOf(source); // verify: true runs it after autodiff and every simplify round
    expect(() => verify(graph, "final")).not.toThrow();
    expect([...graph.outputs.keys()].filter((k) => k.startsWith("grad:")).length).toBe(models[0]!.params.length);
  });

  it("rejects a node whose stored shape disagrees with its op's rule, and an input used before definition", () => {
    const b = new Builder();
    const x = b.input("x", ["B", 2]);
    const t = b.unary("tanh", x);
    const lying: Node = { ...t, id: 99, shape: ["B", 3] };
    expect(() => verify({ nodes: [x, lying], outputs: new Map([["predict", lying]]), labels: new Map() }, "test")).toThrow(
      "verify after test: node %99 (tanh): shape [B,3] but rule gives [B,2]",
    );
    expect(() => verify({ nodes: [t, x], outputs: new Map([["predict", t]]), labels: new Map() }, "test")).toThrow("is not defined before use");
  });
});

describe("hash-consing", () => {
  it("building the same expression twice gives the same node", () => {
    const b = new Builder();
    const x = b.input("x", ["B", 2]);
    const W = b.param("W", [2, 3]);
    const bias = b.param("b", [3]);
    const first = b.unary("sigmoid", b.add(b.matmul(x, W), bias));
    const count = b.nodes.length;
    const second = b.unary("sigmoid", b.add(b.matmul(x, W), bias));
    expect(second).toBe(first);
    expect(b.nodes.length).toBe(count);
    expect(b.const(-0)).toBe(b.const(0));
    // Different attributes or operand order are different nodes.
    const M = b.param("M", [2, 2]);
    expect(b.matmul(x, M, false, false)).not.toBe(b.matmul(x, M, false, true));
    expect(b.add(bias, b.matmul(x, W))).not.toBe(b.add(b.matmul(x, W), bias));
  });

  it("the same source expression written twice in a model lowers to one node", () => {
    const source = "model m {\n  input x[2]\n  target y[2]\n  param W[2, 2]\n  a = tanh(x @ W)\n  b = tanh(x @ W)\n  p = a + b\n  output p\n  loss mse(p, y)\n}\n";
    const forward = analyze(source).models[0]!.forward;
    expect(forward.nodes.filter((n) => n.op === "tanh")).toHaveLength(1);
    const p = forward.outputs.get("predict")!;
    expect(p.inputs[0]).toBe(p.inputs[1]);
  });
});

describe("loss fusions", () => {
  it("logistic.net: sigmoid + bce is fused; its backward graph is sub(p, y) and has no log", () => {
    const graph = graphOf(exampleSource("logistic"));
    const p = graph.outputs.get("predict")!;
    const y = graph.nodes.find((n) => n.op === "input" && n.attrs.name === "y")!;
    expect(p.op).toBe("sigmoid");
    expect(graph.nodes.some((n) => n.op === "sigmoid_bce_sum")).toBe(true);
    expect(graph.nodes.some((n) => n.op === "bce_sum")).toBe(false);
    expect(graph.nodes.some((n) => n.op === "log")).toBe(false);
    const backward = graph.nodes.filter((n) => n.grad);
    const pMinusY = backward.find((n) => n.op === "sub" && n.inputs[0] === p && n.inputs[1] === y);
    expect(pMinusY, "sub(p, y) in the backward graph").toBeDefined();
    // d loss / d z = (p − y) / B flows straight into the bias gradient.
    const dBias = graph.outputs.get("grad:p.b")!;
    expect(dBias.op).toBe("sum");
    const dz = dBias.inputs[0]!;
    expect(dz.inputs).toContain(pMinusY);
  });

  it("iris.net: softmax + cross_entropy is fused; the gradient at the logits is softmax − onehot", () => {
    const graph = graphOf(exampleSource("iris"));
    const p = graph.outputs.get("predict")!;
    expect(p.op).toBe("softmax");
    const fused = graph.nodes.find((n) => n.op === "softmax_ce_sum");
    expect(fused).toBeDefined();
    expect(graph.nodes.some((n) => n.op === "ce_sum")).toBe(false);
    expect(fused!.inputs[0]).toBe(p.inputs[0]); // the logits, not the probabilities
    const onehot = fused!.inputs[1]!;
    expect(onehot.op).toBe("onehot");
    expect(graph.nodes.some((n) => n.grad && n.op === "sub" && n.inputs[0] === p && n.inputs[1] === onehot)).toBe(true);
    expect(graph.nodes.some((n) => n.op === "log")).toBe(false);
  });

  it("cross_entropy on non-softmax probabilities keeps the unfused kernel", () => {
    const source = "model m {\n  input x[2]\n  target y[3]\n  p = sigmoid(dense(x, 3))\n  output p\n  loss cross_entropy(p, y)\n}\n";
    const ops = graphOf(source).nodes.map((n) => n.op);
    expect(ops).toContain("ce_sum");
    expect(ops).not.toContain("softmax_ce_sum");
  });
});

describe("clean-up invariants of the final graph", () => {
  it.each(SOURCES)("%s: no two nodes share op, inputs and attributes (CSE)", (_, source) => {
    const seen = new Map<string, number>();
    for (const n of graphOf(source).nodes) {
      const k = key(n);
      expect(seen.get(k), `%${n.id} duplicates %${seen.get(k)}: ${k}`).toBeUndefined();
      seen.set(k, n.id);
    }
  });

  it.each(SOURCES)("%s: every node is reachable from an output (DCE)", (_, source) => {
    const graph = graphOf(source);
    const live = liveNodes(graph);
    expect(graph.nodes.filter((n) => !live.has(n.id)).map((n) => `%${n.id} ${n.op}`)).toEqual([]);
  });

  it.each(SOURCES)("%s: simplification is at a fixed point", (_, source) => {
    const graph = graphOf(source);
    const again = rewrite(graph, simplify);
    expect(again.nodes.map(key)).toEqual(graph.nodes.map(key));
  });

  it("dead code, constant folding and identities are removed", () => {
    const source = "model m {\n  input x[2]\n  target y[1]\n  unused = tanh(dense(x, 4))\n  z = dense(x, 1) * 1 + 0 - -(2 * 3 - 6)\n  p = sigmoid(z)\n  output p\n  loss bce(p, y)\n}\n";
    const graph = graphOf(source);
    expect(graph.nodes.some((n) => n.op === "tanh")).toBe(false);
    expect(graph.nodes.filter((n) => n.op === "const").map((n) => n.attrs.value)).not.toContain(6);
    const z = graph.outputs.get("predict")!.inputs[0]!;
    expect(z.op).toBe("add"); // dense's x @ W + b, with the * 1, + 0 and − −0 gone
    expect(z.inputs.map((i) => i.op)).toEqual(["matmul", "param"]);
  });
});
