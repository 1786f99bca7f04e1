// netc/vite, netc/esbuild (and netc/rollup, the same unplugin object): a bundle that imports a
// .net file contains its compiled module and runs; a broken one fails the build with every
// diagnostic; in Vite's dev server an edited .net file reloads the page with the new model.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build as esbuild } from "esbuild";
import { build as viteBuild, createServer, type Rollup } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import netcEsbuild from "../../lib/esbuild.js";
import netcVite from "../../lib/vite.js";
import { BROKEN, BROKEN_DIAGNOSTICS, scratchProject, XOR } from "./fixtures.js";

const project = scratchProject({ "broken.net": BROKEN, "broken.js": 'import "./broken.net";\n' });
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** Runs a bundled program and returns what it printed. */
async function runBundle(code: string): Promise<string> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void printed.push(args.join(" "));
  try {
    await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  } finally {
    console.log = log;
  }
  return printed.join("\n");
}

const viteConfig = { root: project, configFile: false as const, logLevel: "silent" as const, plugins: [netcVite()] };
const inProject = <T>(f: () => Promise<T>): Promise<T> => {
  // Diagnostics name the file relative to the working directory, as the CLI does.
  const cwd = process.cwd();
  process.chdir(project);
  return f().finally(() => process.chdir(cwd));
};

describe("bundler plugins", () => {
  it("a Vite build bundles the compiled model, and the bundle trains it", async () => {
    const out = (await viteBuild({ ...viteConfig, build: { write: false, minify: false, rollupOptions: { input: join(project, "app.js") } } })) as Rollup.RollupOutput;
    const chunk = out.output.find((o): o is Rollup.OutputChunk => o.type === "chunk" && o.isEntry)!;
    expect(chunk.code).toContain("function createModel(");
    expect(await runBundle(chunk.code)).toBe("xor true");
  });

  it("a Vite build of a broken .net file fails with every diagnostic", async () => {
    const failing = inProject(() => viteBuild({ ...viteConfig, build: { write: false, rollupOptions: { input: join(project, "broken.js") } } }));
    await expect(failing).rejects.toThrow(BROKEN_DIAGNOSTICS.trimEnd());
  });

  it("an esbuild bundle runs the model; a broken .net file is a build error", async () => {
    const ok = await esbuild({ entryPoints: [join(project, "app.js")], bundle: true, format: "esm", write: false, logLevel: "silent", plugins: [netcEsbuild()] });
    expect(await runBundle(ok.outputFiles[0]!.text)).toBe("xor true");
    const failing = inProject(() => esbuild({ entryPoints: [join(project, "broken.js")], bundle: true, write: false, logLevel: "silent", plugins: [netcEsbuild()] }));
    await expect(failing).rejects.toThrow("broken.net:4:19: error: unknown initializer 'nonsense'");
  });

  it("Vite's dev server reloads the page when an imported .net file changes, and serves the new model", async () => {
    const server = await createServer({ ...viteConfig, server: { port: 0, strictPort: false, watch: { usePolling: true, interval: 50 } } });
    try {
      await server.listen();
      const sent: { type: string }[] = [];
      const hot = server.environments.client.hot;
      const send = hot.send.bind(hot);
      hot.send = ((payload: { type: string }) => (sent.push(payload), send(payload as never))) as typeof hot.send;
      await server.transformRequest("/app.js");
      const before = (await server.transformRequest("/xor.net"))!.code;
      expect(before).toContain("export function createModel(");
      writeFileSync(join(project, "xor.net"), XOR.replace("model xor", "model xor2"));
      await expect.poll(() => sent.map((p) => p.type), { timeout: 30_000, interval: 100 }).toContain("full-reload");
      const after = (await server.transformRequest("/xor.net"))!.code;
      expect(after).toContain("(model xor2)");
    } finally {
      writeFileSync(join(project, "xor.net"), XOR);
      await server.close();
    }
  });
});
