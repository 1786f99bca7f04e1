#!/usr/bin/env node
// Compiles the CLI to JavaScript in dist/ (npm's `prepare` runs this on `npm ci`), so `netc`
// starts without transpiling TypeScript at run time. One bundle with code splitting: each
// command is its own chunk, loaded when run; the heavy packages (prettier, ts-morph, vega,
// Graphviz) stay external and are imported only by the commands that need them. dist/build.json
// lists every source file that went in; bin/netc.mjs uses dist/ only while none of them is newer.
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// Every package stays external: only netc's own sources are bundled.
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
export const EXTERNAL = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].flatMap((name) => [name, `${name}/*`]);

export async function buildCli(outdir = `${root}dist`) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    // netc tune's worker threads start from their own file (cli/tune/pool.ts names it).
    entryPoints: { main: "cli/main.ts", "tune-worker": "cli/tune/worker.ts" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir,
    external: EXTERNAL,
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/"));
  writeFileSync(`${outdir}/build.json`, `${JSON.stringify({ inputs: [...inputs, "package.json", "package-lock.json"] }, null, 1)}\n`);
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli(process.argv[2]);
