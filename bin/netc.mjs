#!/usr/bin/env node
// Runs the CLI from dist/ (JavaScript compiled by `npm run build`, which `npm ci` runs) while it
// is up to date with the sources, otherwise the TypeScript sources through tsx's loader, so
// `npx netc` works right after `npm ci` and right after an edit alike. An installed package
// ships dist/ without the sources (and without tsx): there dist/ is all there is.
import { existsSync, readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);

function distIsFresh() {
  try {
    const built = statSync(new URL("dist/build.json", root)).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL("dist/build.json", root), "utf8"));
    return inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= built);
  } catch {
    return false; // no build, or a source file gone: the sources decide
  }
}

const installed = !existsSync(new URL("cli/main.ts", root));
let main;
if (installed || (process.env.NETC_NO_DIST !== "1" && distIsFresh())) {
  ({ main } = await import("../dist/main.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../cli/main.js"));
}
process.exitCode = await main(process.argv.slice(2));
