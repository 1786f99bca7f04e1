// `netc compile` and `netc check`.
import { basename } from "node:path";
import { printAst } from "../grammar/index.js";
import { analyze, compile, compileToGraph, EmittedCodeError, formatBytes, NetcError } from "../compiler/index.js";
import { formatDiagnostic, NetcError as DiagError } from "../diagnostics/index.js";
import { printGraph } from "../compiler/ir/printer.js";
import { backendFlags, numberFlag, parseArgs, singleOperand, stringFlag, UsageError } from "./args.js";
import { CHECK, COMPILE } from "./commands.js";
import { readText } from "./io.js";
import { languageName, outputLanguage } from "./language.js";
import { writeOutput } from "./outputs.js";
import type { Output } from "./main.js";
import { inputDecl } from "../compiler/model.js";

export async function compileCommand(argv: string[], out: Output): Promise<number> {
  const args = parseArgs(argv, COMPILE);
  const file = singleOperand(args, COMPILE);
  const target = stringFlag(args, "out");
  const language = outputLanguage(target, args.flags.has("js"));
  const source = readText(file, ".net file");
  const dump = stringFlag(args, "dump");
  if (dump !== undefined && !["ast", "ir", "grad"].includes(dump)) throw new UsageError(`--dump must be one of ast, ir, grad; got '${dump}'`);
  const options = {
    file,
    model: stringFlag(args, "model"),
    maxBatch: numberFlag(args, "max-batch", { integer: true, min: 1, max: 1_000_000 }),
    verify: args.flags.has("verify"),
    ...backendFlags(args),
  };
  try {
    if (dump === "ast") {
      const { program, diagnostics } = analyze(source);
      if (diagnostics.length > 0) throw new DiagError(diagnostics, file, source);
      out.stdout(printAst(program));
      return 0;
    }
    if (dump === "ir" || dump === "grad") {
      const { graph } = compileToGraph(source, options);
      out.stdout(printGraph(graph, { only: dump === "ir" ? "forward" : "backward" }));
      return 0;
    }
    if (args.flags.has("stats") && !target) {
      out.stdout(statsText(compileToGraph(source, options))); // no code wanted: skip emitting it
      return 0;
    }
    const result = await compile(source, { ...options, language });
    if (target) {
      writeOutput(target, "trainer", result.code, { force: args.flags.has("force"), inputs: [{ path: file, flag: "FILE.net" }] });
      out.stderr(`wrote ${target} (model ${result.model.name}, ${languageName(language)}, ${result.code.length} bytes)`);
    } else if (!args.flags.has("stats")) {
      out.stdout(result.code);
    }
    if (args.flags.has("stats")) out.stdout(statsText(result));
    return 0;
  } catch (err) {
    if (err instanceof NetcError || err instanceof EmittedCodeError) {
      out.stderr(err.message);
      return 1;
    }
    throw err;
  }
}

export function checkCommand(argv: string[], out: Output): number {
  const args = parseArgs(argv, CHECK);
  const file = singleOperand(args, CHECK);
  const source = readText(file, ".net file");
  const { models, diagnostics } = analyze(source);
  for (const d of diagnostics) out.stderr(formatDiagnostic(d, file, source));
  if (diagnostics.some((d) => d.severity === "error")) {
    const n = diagnostics.filter((d) => d.severity === "error").length;
    out.stderr(`${n} error${n === 1 ? "" : "s"} in ${basename(file)}`);
    return 1;
  }
  out.stdout(`${file}: ok (${models.map((m) => `model ${m.name}`).join(", ") || "no models"})`);
  return 0;
}

function statsText(r: Pick<Awaited<ReturnType<typeof compile>>, "model" | "plan" | "graph">): string {
  const { model, plan, graph } = r;
  const paramCount = model.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const rows = [
    `model ${model.name}: input ${inputDecl(model)} -> output ${model.output.name}[${model.output.shape.join(", ")}], ${model.params.length} tensors, ${paramCount} parameters`,
    `graph: ${graph.nodes.filter((n) => !n.grad).length} forward nodes, ${graph.nodes.filter((n) => n.grad).length} backward nodes`,
    `memory at max batch ${plan.maxBatch}:`,
    `  parameters        ${formatBytes(plan.bytes.params)}`,
    `  optimizer state   ${formatBytes(plan.bytes.optimizer)} (${model.train.optimizer.kind})`,
    `  gradients         ${formatBytes(plan.bytes.gradients)}`,
    ...(plan.bytes.state > 0 ? [`  running stats     ${formatBytes(plan.bytes.state)} (x2: current and next step's)`] : []),
    `  work buffers      ${formatBytes(plan.bytes.work)} in ${plan.arrays.length} arrays (${formatBytes(plan.bytes.workUnshared)} without sharing)`,
    `  input copies      ${formatBytes(plan.bytes.inputs)} (chunks of larger batches, standardized inputs)`,
    `  total             ${formatBytes(plan.bytes.total)}`,
  ];
  return rows.join("\n");
}
