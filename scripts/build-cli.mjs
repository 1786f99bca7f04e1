#!/usr/bin/env node
// Compiles netc to JavaScript in dist/ (npm's `prepare` runs this on `npm ci`, `prepack` before
// `npm pack`), so neither the CLI nor the package's entries transpile TypeScript at run time. One
// bundle with code splitting: each CLI command is its own chunk, loaded when run, and the
// package's entries (lib/) share the compiler's chunks; the heavy packages (prettier, ts-morph,
// Graphviz; vega bundled, see BUNDLED) are imported only by the code that needs them. Also:
//   dist/prelude/     the prelude sources the emitter reads at run time (compiler/emit/prelude.ts),
//                     and declarations.json, their index, so the CLI does not parse them per run
//   dist/types/       declarations of the entries, emitted file by file (see emitTypes)
//   dist/build.json   every source file that went in; bin/netc.mjs uses dist/ only while none
//                     of them is newer
import { build } from "esbuild";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// Packages stay external, except chevrotain: it imports lodash-es function by function, some
// 600 module files that took Node 1–2 s to load on every `netc check`; bundled, they are the
// few functions it uses, in one chunk. Likewise vega and vega-lite (about 40 packages of small
// modules, loaded by every `netc train` for its loss plot): bundled into the plotting chunk,
// a training run takes about 0.6 s less CPU. Both stay dependencies: running from the sources
// (bin/netc.mjs after an edit) imports them from node_modules.
const BUNDLED = ["chevrotain", "vega", "vega-lite"];
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const packages = [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies].flatMap((deps) => Object.keys(deps ?? {}));
export const EXTERNAL = packages.filter((name) => !BUNDLED.includes(name)).flatMap((name) => [name, `${name}/*`]);

/** The package's entries (package.json `exports`), by their name in dist/. */
const LIB_ENTRIES = { index: "lib/index.ts", register: "lib/register.ts", hooks: "lib/hooks.ts", vite: "lib/vite.ts", rollup: "lib/rollup.ts", esbuild: "lib/esbuild.ts" };

export async function buildCli(outdir = `${root}dist`) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    // netc tune's worker threads start from their own file (cli/tune/pool.ts names it).
    // prelude-index writes dist/prelude/declarations.json below.
    entryPoints: { main: "cli/main.ts", "tune-worker": "cli/tune/worker.ts", "prelude-index": "compiler/emit/prelude.ts", ...LIB_ENTRIES },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir,
    external: EXTERNAL,
    define: { NETC_VERSION: JSON.stringify(pkg.version) }, // lib/cache.ts keys its cache with it
    metafile: true,
    logLevel: "warning",
  });
  const prelude = readdirSync(join(root, "compiler/prelude")).filter((f) => f.endsWith(".ts"));
  mkdirSync(join(outdir, "prelude"));
  for (const f of prelude) cpSync(join(root, "compiler/prelude", f), join(outdir, "prelude", f));
  const { writePreludeIndex } = await import(pathToFileURL(join(outdir, "prelude-index.js")).href);
  writePreludeIndex(pathToFileURL(join(outdir, "prelude/")));
  const typeSources = await emitTypes(outdir);
  writeBundledLicenses(outdir, Object.keys(result.metafile.inputs));
  const bundled = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("node_modules/"));
  const inputs = [...new Set([...bundled, ...prelude.map((f) => `compiler/prelude/${f}`), ...typeSources])];
  writeFileSync(`${outdir}/build.json`, `${JSON.stringify({ inputs: [...inputs, "package.json", "package-lock.json"] }, null, 1)}\n`);
  return result.metafile;
}

/**
 * dist/THIRD-PARTY-LICENSES.md: the license of every package whose code went into the bundle
 * (BUNDLED and what they import), as their licenses ask of a redistribution.
 */
function writeBundledLicenses(outdir, inputs) {
  const packages = new Set();
  for (const f of inputs) {
    const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f);
    if (m) packages.add(m[1]);
  }
  const sections = [...packages].sort().map((name) => {
    const dir = join(root, "node_modules", name);
    const { version, license } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const file = readdirSync(dir).find((f) => /^(licen[sc]e|copying)/i.test(f));
    const text = file ? readFileSync(join(dir, file), "utf8").trim() : `${license} (the package ships no license file)`;
    return `## ${name} ${version}\n\n\`\`\`\n${text}\n\`\`\`\n`;
  });
  writeFileSync(join(outdir, "THIRD-PARTY-LICENSES.md"), `# Packages bundled into dist/\n\n${sections.join("\n")}`);
}

/**
 * dist/types/: each entry's declarations by TypeScript's per-file declaration emit (the
 * isolatedDeclarations rules: every export is explicitly typed), following the relative imports
 * that remain in a declaration file, with the source tree's layout so those imports still
 * resolve. lib/net.d.ts is hand-written and copied. A file the per-file emit cannot declare
 * fails the build: the public types must stand on their own. Returns the files read.
 */
export async function emitTypes(outdir) {
  const { default: ts } = await import("typescript");
  const pending = Object.values(LIB_ENTRIES).filter((f) => f !== "lib/hooks.ts");
  const done = new Set();
  while (pending.length > 0) {
    const file = pending.pop();
    if (done.has(file)) continue;
    done.add(file);
    const out = ts.transpileDeclaration(readFileSync(join(root, file), "utf8"), {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, strict: true },
      reportDiagnostics: true,
    });
    if (out.diagnostics?.length) {
      const text = out.diagnostics.map((d) => `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`).join("\n");
      throw new Error(`declarations of the package's entries:\n${text}`);
    }
    const target = join(outdir, "types", file.replace(/\.ts$/, ".d.ts"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
    for (const [, spec] of out.outputText.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
      pending.push(relative(root, join(root, dirname(file), spec.replace(/\.js$/, ".ts"))));
    }
  }
  cpSync(join(root, "lib/net.d.ts"), join(outdir, "types/lib/net.d.ts"));
  return [...done, "lib/net.d.ts"];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli(process.argv[2]);
