// `npm run playground`: the playground page (Vite's dev server over playground/) and the
// compiler behind it. The compiler runs here, in Node, not in the page: it reads its prelude
// from disk and lays out code with ts-morph. Endpoints (JSON in, JSON out):
//   POST /api/check      { source }           → { diagnostics }
//   POST /api/compile    { source }           → { code?, diagnostics, formatted? }   JavaScript
//   POST /api/predictor  { source, weights }  → { code? , error? }                  JavaScript
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { createServer, type Plugin, type ViteDevServer } from "vite";
import { compileToGraph, NetcError } from "../compiler/index.js";
import { check, compile, formatDiagnostic } from "../lib/index.js";

const FILE = "playground.net";
/** Largest request body: a .net source and the weights of a model small enough to train here. */
const MAX_BODY = 8 << 20;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error("request too large");
    chunks.push(chunk);
  }
  const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  if (typeof body !== "object" || body === null || typeof (body as { source?: unknown }).source !== "string") throw new Error("expected { source: string, ... }");
  return body as Record<string, unknown>;
}

async function predictor(source: string, weights: unknown): Promise<{ code?: string; error?: string }> {
  try {
    const { model, evalGraph } = compileToGraph(source, { file: FILE });
    if (typeof weights !== "object" || weights === null) return { error: "expected weights by name" };
    const values: Record<string, number[]> = {};
    for (const p of [...model.params, ...model.state]) {
      const w = (weights as Record<string, unknown>)[p.name];
      const size = p.shape.reduce((a, b) => a * b, 1);
      if (!Array.isArray(w) || w.length !== size || !w.every((v) => typeof v === "number" && Number.isFinite(v))) return { error: `weights '${p.name}': expected ${size} finite numbers` };
      values[p.name] = w as number[];
    }
    const { emitPredictor } = await import("../compiler/emit/predictor.js");
    return { code: await emitPredictor({ model, evalGraph, source, file: FILE, weights: values, labels: null, normalization: null }, { language: "javascript" }) };
  } catch (err) {
    if (err instanceof NetcError) return { error: err.message };
    throw err;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(body));
  };
  let body: Record<string, unknown>;
  try {
    body = await readJson(req);
  } catch (err) {
    return reply(400, { error: (err as Error).message });
  }
  const source = body.source as string;
  if (req.url === "/api/check") return reply(200, { diagnostics: check(source) });
  if (req.url === "/api/compile") {
    const { code, diagnostics } = await compile(source, { file: FILE, language: "javascript" });
    return reply(200, { code, diagnostics, formatted: diagnostics.map((d) => formatDiagnostic(d, FILE, source)).join("\n") });
  }
  if (req.url === "/api/predictor") return reply(200, await predictor(source, body.weights));
  reply(404, { error: "no such endpoint" });
}

const api: Plugin = {
  name: "netc-playground-api",
  configureServer(server) {
    server.middlewares.use((req, res, next) => {
      if (req.method !== "POST" || !req.url?.startsWith("/api/")) return next();
      handle(req, res).catch(next);
    });
  },
};

export async function startPlayground(port: number): Promise<ViteDevServer> {
  const server = await createServer({
    root: fileURLToPath(new URL(".", import.meta.url)),
    configFile: false,
    plugins: [api],
    server: { port, strictPort: true, host: "127.0.0.1", fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] } },
    logLevel: "warn",
  });
  await server.listen();
  return server;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 5173);
  await startPlayground(port);
  process.stdout.write(`netc playground: http://127.0.0.1:${port}/\n`);
}
