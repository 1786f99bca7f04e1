// The language server, driven by a real LSP client (vscode-jsonrpc) over the stdio of
// `netc lsp --stdio` started through bin/netc.mjs: initialize, open a file with an error and get
// its diagnostics at the CLI's position, fix it, then hover, go to definition and complete.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze } from "../compiler/analyze.js";
import { BUILTINS } from "../compiler/lower/functions.js";
import { TRAIN_SETTINGS } from "../compiler/lower/train.js";
import { OPTIMIZER_DEFAULTS } from "../compiler/optim/index.js";
import { DISTRIBUTIONS, TUNE_SETTINGS } from "../compiler/lower/tune.js";
import { analyzeText } from "../lsp/analysis.js";
import { DISTRIBUTION_DOCS, SETTING_DOCS, TUNE_SETTING_DOCS } from "../lsp/docs.js";
import { hoverAt } from "../lsp/hover.js";
import { definitionOf, symbolAt } from "../lsp/symbols.js";
import { ROOT } from "./support/helpers.js";

const URI = "file:///work/demo.net";
const EXTENSION = JSON.parse(readFileSync(join(ROOT, "editors/vscode/package.json"), "utf8"));

// Line 8 (`h2 = h1 + dense(x, 8)`) adds [B,16] and [B,8]: the error the server must report.
const BROKEN = `block residual(x, n) {
  return x + relu(dense(x, n))
}
model demo {
  input x[4]
  target y: class(3)
  h1 = relu(dense(x, 16))
  h2 = h1 + dense(x, 8)
  p = softmax(dense(h2, 3))
  output p
  loss cross_entropy(p, y) + 0.01 * l2(h1.W)
  train { optimizer adam(lr: 0.01); epochs 10 }
}
`;
const FIXED = BROKEN.replace("h2 = h1 + dense(x, 8)", "h2 = residual(h1, 16)");

interface Diagnostics {
  uri: string;
  diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; message: string; severity: number; source: string }[];
}

let server: ChildProcess;
let conn: MessageConnection;
const published: Diagnostics[] = [];
let waiting: ((d: Diagnostics) => void) | undefined;

function nextDiagnostics(): Promise<Diagnostics> {
  return new Promise((resolve) => {
    waiting = resolve;
  });
}

/** Position of the `k`-th occurrence of `needle` in FIXED (0-based line and character). */
function at(needle: string, k = 0, delta = 0): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i <= k; i++) offset = FIXED.indexOf(needle, offset + 1);
  const before = FIXED.slice(0, offset + delta);
  return { line: before.split("\n").length - 1, character: before.length - before.lastIndexOf("\n") - 1 };
}

beforeAll(async () => {
  // Exactly what the VS Code extension runs: its default command, plus the --stdio its client adds.
  const [command, ...args] = EXTENSION.contributes.configuration.properties["netc.server.command"].default as string[];
  server = spawn(command!, [...args, "--stdio"], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  conn = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  conn.onNotification("textDocument/publishDiagnostics", (d: Diagnostics) => {
    published.push(d);
    waiting?.(d);
    waiting = undefined;
  });
  conn.listen();
}, 30_000);

afterAll(() => {
  conn?.dispose();
  if (server && server.exitCode === null) server.kill();
});

describe("netc lsp", () => {
  it("initializes with hover, definition and completion", async () => {
    const result = await conn.sendRequest<{ capabilities: Record<string, unknown>; serverInfo: { name: string } }>("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
    expect(result.serverInfo.name).toBe("netc");
    expect(result.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true, completionProvider: {} });
    await conn.sendNotification("initialized", {});
  }, 30_000);

  it("publishes a file's errors with the CLI's message at the CLI's line and column", async () => {
    const diagnostics = nextDiagnostics();
    await conn.sendNotification("textDocument/didOpen", { textDocument: { uri: URI, languageId: "netc", version: 1, text: BROKEN } });
    const d = await diagnostics;
    expect(d.uri).toBe(URI);
    const cli = analyze(BROKEN).diagnostics;
    expect(cli).toHaveLength(1);
    expect(cli[0]!.span).toMatchObject({ line: 8, col: 8 });
    expect(d.diagnostics).toEqual([{
      range: { start: { line: 7, character: 7 }, end: { line: 7, character: 23 } },
      message: cli[0]!.message,
      severity: 1,
      source: "netc",
    }]);
    expect(d.diagnostics[0]!.message).toContain("shape mismatch: 'h1' has shape [B,16] but 'dense(x, 8)' has shape [B,8]");
  });

  it("clears them when the edit fixes the file", async () => {
    const diagnostics = nextDiagnostics();
    await conn.sendNotification("textDocument/didChange", { textDocument: { uri: URI, version: 2 }, contentChanges: [{ text: FIXED }] });
    expect((await diagnostics).diagnostics).toEqual([]);
  });

  it("hovers a binding with its shape and the parameters it makes", async () => {
    const hover = await conn.sendRequest<{ contents: { value: string }; range: unknown }>("textDocument/hover", { textDocument: { uri: URI }, position: at("h1", 0, 1) });
    expect(hover.contents.value).toContain("h1: [B,16]");
    expect(hover.contents.value).toContain("80 parameters: `h1.W` [4,16], `h1.b` [16]");
    expect(hover.range).toEqual({ start: at("h1"), end: at("h1", 0, 2) });
    const inBlock = await conn.sendRequest<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri: URI }, position: at("x + relu") });
    expect(inBlock.contents.value).toContain("x: [B,16] (in h2)");
    const model = await conn.sendRequest<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri: URI }, position: at("demo") });
    expect(model.contents.value).toContain("model demo: x[4] -> p[3]");
    expect(model.contents.value).toContain(`${4 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3} parameters`);
  });

  it("goes from a name to its binding, from h1.W to the dense call that made it, from a call to its block", async () => {
    const def = (needle: string, k = 0) => conn.sendRequest<{ uri: string; range: { start: unknown; end: unknown } }>("textDocument/definition", { textDocument: { uri: URI }, position: at(needle, k) });
    expect((await def("h2, 3")).range.start).toEqual(at("h2 ="));
    const w = await def("h1.W");
    expect(w.uri).toBe(URI);
    expect(w.range).toEqual({ start: at("dense(x, 16)"), end: at("dense(x, 16)", 0, "dense(x, 16)".length) });
    expect((await def("residual", 1)).range.start).toEqual(at("residual"));
  });

  it("completes train settings, optimizers and functions from the compiler's own tables", async () => {
    let version = 3;
    const complete = async (text: string, position: { line: number; character: number }) => {
      await conn.sendNotification("textDocument/didChange", { textDocument: { uri: URI, version: version++ }, contentChanges: [{ text }] });
      const items = await conn.sendRequest<{ label: string; detail?: string }[]>("textDocument/completion", { textDocument: { uri: URI }, position });
      return items.map((i: { label: string }) => i.label);
    };
    const lines = FIXED.split("\n");
    const trainLine = lines.findIndex((l) => l.includes("train {"));
    const withLine = (line: string) => [...lines.slice(0, trainLine), line, ...lines.slice(trainLine)].join("\n");
    expect(await complete(withLine("  train { optimizer "), { line: trainLine, character: "  train { optimizer ".length })).toEqual(Object.keys(OPTIMIZER_DEFAULTS));
    expect(await complete(withLine("  train { optimizer adam(be"), { line: trainLine, character: "  train { optimizer adam(be".length })).toEqual(Object.keys(OPTIMIZER_DEFAULTS.adam));
    expect(await complete(withLine("  train { ep"), { line: trainLine, character: "  train { ep".length })).toEqual(TRAIN_SETTINGS);
    const fns = await complete(withLine("  q = rel"), { line: trainLine, character: "  q = rel".length });
    expect(fns).toEqual(expect.arrayContaining([...Object.keys(BUILTINS), "residual", "h1", "x"]));
    const layers = await complete(withLine("  layers {\n    dense 4 "), { line: trainLine + 1, character: "    dense 4 ".length });
    expect(layers).toEqual(expect.arrayContaining(["relu", "tanh", "softmax", "gelu"]));
    expect(layers).not.toContain("dense");
  });

  it("shuts down and exits when the client says so", async () => {
    const exited = new Promise<number | null>((resolve) => server.on("exit", (code) => resolve(code)));
    await conn.sendRequest("shutdown");
    await conn.sendNotification("exit");
    expect(await exited).toBe(0);
  });
});

describe("VS Code extension", () => {
  it("contributes the netc language for .net files with the repository's grammar", () => {
    expect(EXTENSION.contributes.languages).toEqual([expect.objectContaining({ id: "netc", extensions: [".net"] })]);
    const [g] = EXTENSION.contributes.grammars;
    expect(g).toMatchObject({ language: "netc", scopeName: "source.netc" });
    expect(readFileSync(join(ROOT, "editors/vscode", g.path), "utf8")).toBe(readFileSync(join(ROOT, "editors/netc.tmLanguage.json"), "utf8"));
    expect(readFileSync(join(ROOT, "editors/vscode", EXTENSION.main), "utf8")).toContain('require("vscode-languageclient/node")');
  });
});

describe("language server tables", () => {
  it("documents exactly the compiler's training settings", () => {
    expect(Object.keys(SETTING_DOCS).sort()).toEqual([...TRAIN_SETTINGS].sort());
  });

  it("documents exactly the compiler's tune settings and distributions", () => {
    expect(Object.keys(TUNE_SETTING_DOCS).sort()).toEqual([...TUNE_SETTINGS].sort());
    expect(Object.keys(DISTRIBUTION_DOCS).sort()).toEqual([...DISTRIBUTIONS].sort());
  });
});

describe("hover and definition in a tune block", () => {
  const TUNED = `model m {
  tune { lr: loguniform(1e-4, 0.01); width: choice(8, 4); trials 9; metric val_acc }
  input x[4]
  target y: class(3)
  p = softmax(dense(relu(dense(x, width)), 3))
  output p
  loss cross_entropy
  train { optimizer adam(lr: lr) }
}`;
  const a = analyzeText(TUNED);
  const hover = (needle: string, nth = 0) => {
    let at = -1;
    for (let k = 0; k <= nth; k++) at = TUNED.indexOf(needle, at + 1);
    return (hoverAt(a, at + 1)?.contents as { value: string } | undefined)?.value ?? "";
  };

  it("a hyperparameter, where it is declared and where it is used: its distribution and its value outside a search", () => {
    expect(hover("width")).toContain("width: choice(8, 4)");
    expect(hover("width")).toContain("elsewhere (netc train, compile) it is 8");
    expect(hover("width", 1)).toContain("width: choice(8, 4)");
    expect(hover("lr", 2)).toContain("lr: loguniform(0.0001, 0.01)");
    expect(hover("lr", 2)).toContain("it is 0.001");
    const use = symbolAt(a.program, TUNED.indexOf("width", TUNED.indexOf("width") + 1) + 1)!;
    expect(definitionOf("width", use.decl)).toEqual(symbolAt(a.program, TUNED.indexOf("width") + 1)!.span);
  });

  it("settings and distributions", () => {
    expect(hover("trials")).toContain("configurations netc tune samples");
    expect(hover("metric")).toContain("what ranks the trials");
    expect(hover("loguniform")).toContain("distribution of a tune block's hyperparameter: a number whose logarithm is uniform");
  });
});
