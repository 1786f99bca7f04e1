// `netc graph`: the model's compiled graph as an SVG picture (or DOT text), one node per
// statement by default or every op with `--detail ops`.
import { analyze, compileToGraph } from "../compiler/index.js";
import type { ModelDecl } from "../grammar/ast.js";
import { graphToDot, renderDot } from "./plots/graph-dot.js";
import { parseArgs, singleOperand, stringFlag, UsageError } from "./args.js";
import { GRAPH } from "./commands.js";
import { readText } from "./io.js";
import { writeOutput } from "./outputs.js";
import type { Output } from "./main.js";

/** Op-level pictures with more nodes than this take Graphviz minutes (examples/deep.net: 510 nodes forward lay out in 2 s, 960 backward did not finish in 10 minutes). */
const LARGE_PICTURE = 700;

export async function graphCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, GRAPH);
  const file = singleOperand(args, GRAPH);
  const detail = stringFlag(args, "detail") ?? "layers";
  if (detail !== "layers" && detail !== "ops") throw new UsageError(`--detail must be layers or ops; got '${detail}'`);
  const source = readText(file, ".net file");
  const { model, graph } = compileToGraph(source, { file, model: stringFlag(args, "model") });
  // compileToGraph succeeded, so the program parses and holds this model.
  const decl = analyze(source).program.decls.find((d): d is ModelDecl => d.kind === "model" && d.name.name === model.name)!;
  const dot = graphToDot(graph, model, { decl, text: source }, { backward: args.flags.has("backward"), detail });
  const nodes = dot.match(/^ {2}n\d+ \[/gm)?.length ?? 0;
  if (!args.flags.has("dot") && nodes > LARGE_PICTURE) {
    out.stderr(`netc graph: the op-level picture of model ${model.name} has ${nodes} nodes; Graphviz may take minutes to lay it out (the default --detail layers draws one node per statement)`);
  }
  const text = args.flags.has("dot") ? dot : await renderDot(dot, model.name);
  const target = stringFlag(args, "out");
  if (!target) {
    out.stdout(text);
    return 0;
  }
  writeOutput(target, "graph", text, { force: args.flags.has("force"), inputs: [{ path: file, flag: "MODEL.net" }] });
  out.stderr(`wrote ${target} (model ${model.name}, ${args.flags.has("dot") ? "DOT" : "SVG"})`);
  return 0;
}
