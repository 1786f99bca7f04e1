// Start-up: `netc check` must not load the emitter, prettier, ts-morph, vega or Graphviz, and
// bin/netc.mjs runs the compiled dist/ only while it is at least as new as every source in it.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROOT } from "./run.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const HEAVY = ["prettier", "ts-morph", "vega", "vega-lite", "@viz-js/viz", "typescript"];
// Inside the checkout, so the bundle finds the packages it leaves external in node_modules.
mkdirSync(join(ROOT, "test/tmp"), { recursive: true });
const out = mkdtempSync(join(ROOT, "test/tmp/dist-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));
beforeAll(() => {
  execFileSync(process.execPath, ["scripts/build-cli.mjs", out], { cwd: ROOT });
});

/** Every module a chunk loads before it runs: its static imports, transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  if (!file.startsWith("./")) return seen; // a package or node: builtin
  const text = readFileSync(join(out, file), "utf8");
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gms)) staticClosure(m[1] ?? m[2]!, seen);
  return seen;
}

describe("start-up", () => {
  it("check loads none of the heavy packages; compile and train load theirs on demand", () => {
    const main = readFileSync(join(out, "main.js"), "utf8");
    const compileChunk = main.match(/import\("(\.\/compile-[\w-]+\.js)"\)/)![1]!;
    const loaded = [...staticClosure("./main.js"), ...staticClosure(compileChunk)];
    for (const heavy of HEAVY) expect(loaded, heavy).not.toContain(heavy);
    const all = readdirSync(out).filter((f) => f.endsWith(".js")).map((f) => readFileSync(join(out, f), "utf8")).join("\n");
    expect(all).toMatch(/from "prettier"|import\("prettier"\)/);
  });

  it("the compiled CLI checks a file", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", `const { main } = await import(${JSON.stringify(join(out, "main.js"))}); process.exitCode = await main(["check", "examples/xor.net"]);`], { cwd: ROOT, encoding: "utf8" });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "examples/xor.net: ok (model xor)\n", ""]);
  });

  it("bin/netc.mjs uses dist/ while it is fresh and the sources once one of them is newer", () => {
    // A copy of bin/ beside a dist/ whose main says that it ran; everything else links to the repo.
    const fake = mkdtempSync(join(tmpdir(), "netc-bin-"));
    try {
      cpSync(join(ROOT, "bin"), join(fake, "bin"), { recursive: true });
      for (const d of readdirSync(ROOT)) if (d !== "bin" && d !== "dist" && !d.startsWith(".")) symlinkSync(join(ROOT, d), join(fake, d));
      const dist = join(fake, "dist");
      cpSync(out, dist, { recursive: true });
      writeFileSync(join(dist, "main.js"), 'export async function main() { process.stdout.write("from dist\\n"); return 0; }\n');
      const run = () => spawnSync(process.execPath, [join(fake, "bin/netc.mjs"), "check", "examples/xor.net"], { cwd: ROOT, encoding: "utf8" });
      const future = new Date(Date.now() + 60_000);
      utimesSync(join(dist, "build.json"), future, future);
      expect(run().stdout).toBe("from dist\n");
      utimesSync(join(dist, "build.json"), new Date(0), new Date(0)); // every source is newer now
      expect(run().stdout).toBe("examples/xor.net: ok (model xor)\n");
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});
