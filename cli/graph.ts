// `netc graph`: the model's compiled graph as an SVG picture (or DOT text).
import { compileToGraph } from "../compiler/index.js";
import { graphToDot, renderDot } from "./plots/graph-dot.js";
import { parseArgs, singleOperand, stringFlag } from "./args.js";
import { GRAPH } from "./commands.js";
import { readText, writeOutput } from "./io.js";
import type { Output } from "./main.js";

export async function graphCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, GRAPH);
  const file = singleOperand(args, GRAPH);
  const source = readText(file, ".net file");
  const { model, graph } = compileToGraph(source, { file, model: stringFlag(args, "model") });
  const dot = graphToDot(graph, model, { backward: args.flags.has("backward") });
  const text = args.flags.has("dot") ? dot : await renderDot(dot);
  const target = stringFlag(args, "out");
  if (!target) {
    out.stdout(text);
    return 0;
  }
  writeOutput(target, text, args.flags.has("force"));
  out.stderr(`wrote ${target} (model ${model.name}, ${args.flags.has("dot") ? "DOT" : "SVG"})`);
  return 0;
}
