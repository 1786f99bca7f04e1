// Golden files of the IR, as the printer writes it (`netc compile --dump ir|grad`): for every
// example the forward graph and the backward graph of the training step, and for a model with
// layers that behave differently in evaluation (batchnorm, dropout) the evaluation graph.
// Regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run test/ir/golden.test.ts
import { describe, expect, it } from "vitest";
import { compileToGraph } from "../../compiler/index.js";
import { printGraph } from "../../compiler/ir/printer.js";
import { expectGolden } from "../support/golden.js";
import { EXAMPLES, exampleSource } from "../support/helpers.js";

const THIS_FILE = "test/ir/golden.test.ts";

describe("golden files of the IR", () => {
  it.each(EXAMPLES)("%s.net: forward and backward IR match test/golden/ir/%s.*.txt", (name) => {
    const { graph, evalGraph } = compileToGraph(exampleSource(name), { file: `examples/${name}.net` });
    const forward = printGraph(graph, { only: "forward" });
    const backward = printGraph(graph, { only: "backward" });
    expect(backward).toMatch(/^grad:/m); // a backward graph that really has gradients
    expectGolden(`ir/${name}.forward.txt`, forward, THIS_FILE);
    expectGolden(`ir/${name}.backward.txt`, backward, THIS_FILE);
    if (evalGraph !== graph) expectGolden(`ir/${name}.eval.txt`, printGraph(evalGraph), THIS_FILE);
  });
});
