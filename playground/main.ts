// The playground page: edit a .net model (the grammar's highlighting, the compiler's diagnostics
// inline as you type), compile it on the local server (server.ts), train it on xor in a Web
// Worker with a live loss chart, then download the standalone predictor with the trained weights.
import { basicSetup, EditorView } from "codemirror";
import { linter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { netLanguage } from "./highlight.js";
import { drawLossChart } from "./chart.js";
import type { FromWorker } from "./worker.js";

interface Diagnostic {
  severity: "error" | "warning";
  message: string;
  span: { line: number; col: number; start: number; end: number };
}

const XOR_MODEL = `model xor {
  input  x[2]
  target y[1]
  layers {
    dense 8 tanh
    dense 1 sigmoid
  }
  loss bce
  train { optimizer sgd(lr: 1.0); epochs 600; batch 4; seed 7 }
}
`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string) => ($("status").textContent = text);

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await response.json()) as T;
}

function toEditor(diagnostics: Diagnostic[], length: number): CmDiagnostic[] {
  return diagnostics.map((d) => {
    const from = Math.min(d.span.start, length);
    return { from, to: Math.min(Math.max(d.span.end, from + 1), length), severity: d.severity, message: d.message };
  });
}

const view = new EditorView({
  doc: XOR_MODEL,
  parent: $("editor"),
  extensions: [
    basicSetup,
    netLanguage,
    linter(async (v) => {
      const source = v.state.doc.toString();
      const { diagnostics } = await post<{ diagnostics: Diagnostic[] }>("/api/check", { source });
      return toEditor(diagnostics, source.length);
    }),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) invalidate();
    }),
  ],
});

let compiled: { source: string; code: string } | undefined;
let weights: Record<string, number[]> | undefined;
let worker: Worker | undefined;

function invalidate(): void {
  compiled = undefined;
  weights = undefined;
  $<HTMLButtonElement>("train").disabled = true;
  $<HTMLButtonElement>("download").disabled = true;
}

$("compile").addEventListener("click", async () => {
  const source = view.state.doc.toString();
  status("compiling…");
  const result = await post<{ code?: string; diagnostics: Diagnostic[]; formatted?: string }>("/api/compile", { source });
  view.dispatch(setDiagnostics(view.state, toEditor(result.diagnostics, source.length)));
  if (result.code === undefined) {
    status(result.formatted ?? "compile failed");
    return;
  }
  compiled = { source, code: result.code };
  status(`compiled: ${result.code.length} bytes of JavaScript`);
  $<HTMLButtonElement>("train").disabled = false;
});

$("train").addEventListener("click", () => {
  if (!compiled) return;
  worker?.terminate();
  worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  const losses: number[] = [];
  $<HTMLButtonElement>("download").disabled = true;
  status("training…");
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.kind === "loss") {
      losses.push(...message.losses);
      drawLossChart($("chart") as unknown as SVGSVGElement, losses);
      status(`epoch ${losses.length}: loss ${losses.at(-1)!.toFixed(5)}`);
    } else if (message.kind === "done") {
      weights = message.weights;
      status(`trained ${losses.length} epochs: loss ${losses[0]!.toFixed(5)} → ${losses.at(-1)!.toFixed(5)}`);
      $("status").dataset.first = String(losses[0]);
      $("status").dataset.last = String(losses.at(-1));
      $<HTMLButtonElement>("download").disabled = false;
    } else {
      status(`training failed: ${message.message}`);
    }
  };
  worker.postMessage({ code: compiled.code });
});

$("download").addEventListener("click", async () => {
  if (!compiled || !weights) return;
  const result = await post<{ code?: string; error?: string }>("/api/predictor", { source: compiled.source, weights });
  if (result.code === undefined) {
    status(result.error ?? "no predictor");
    return;
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([result.code], { type: "text/javascript" }));
  link.download = "predictor.js";
  link.click();
  URL.revokeObjectURL(link.href);
});
