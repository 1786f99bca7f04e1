// netc/register: `node --import netc/register app.js` on a program that imports a .net file,
// with the entry compiled as the package ships it (scripts/build-cli.mjs into a scratch dist/).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/helpers.js";
import { loadNetFile } from "../../lib/hooks.js";
import { BROKEN, BROKEN_DIAGNOSTICS, scratchProject, XOR } from "./fixtures.js";

// Inside the checkout, so the bundle finds the packages it leaves external in node_modules.
mkdirSync(join(ROOT, "test/tmp"), { recursive: true });
const dist = mkdtempSync(join(ROOT, "test/tmp/dist-"));
const project = scratchProject({ "broken.net": BROKEN, "broken.js": 'import "./broken.net";\nconsole.log("ran anyway");\n' });
beforeAll(() => execFileSync(process.execPath, ["scripts/build-cli.mjs", dist], { cwd: ROOT }));
afterAll(() => {
  rmSync(dist, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

const run = (app: string) => spawnSync(process.execPath, ["--import", join(dist, "register.js"), app], { cwd: project, encoding: "utf8" });
const cacheDir = join(project, "node_modules/.cache/netc");

describe("netc/register", () => {
  it("imports a .net file as its compiled module, and caches it by content", () => {
    const first = run("app.js");
    expect([first.status, first.stdout, first.stderr]).toEqual([0, "xor true\n", ""]);
    const cached = readdirSync(cacheDir);
    expect(cached).toHaveLength(1);
    expect(readFileSync(join(cacheDir, cached[0]!), "utf8")).toContain("export function createModel(");
    // The second run takes the module from the cache: a marked copy there is what runs.
    writeFileSync(join(cacheDir, cached[0]!), 'export function createModel() { return { info: { name: "from cache" }, fit: () => ({ losses: [1, 0] }) }; }\n');
    expect(run("app.js").stdout).toBe("from cache true\n");
  });

  it("keys the cache by the source: an edited model compiles again", async () => {
    const dir = mkdtempSync(join(ROOT, "test/tmp/cache-"));
    try {
      const file = join(project, "edited.net");
      writeFileSync(file, XOR);
      const first = await loadNetFile(file, dir);
      expect(first).toMatchObject({ cached: false });
      expect(await loadNetFile(file, dir)).toEqual({ ...first, cached: true });
      writeFileSync(file, XOR.replace("dense 8 tanh", "dense 4 tanh"));
      const edited = await loadNetFile(file, dir);
      expect(edited).toMatchObject({ cached: false });
      expect("code" in edited && edited.code).not.toBe("code" in first && first.code);
      expect(readdirSync(dir)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints every diagnostic of a broken .net file with its caret and exits 1 before the program runs", () => {
    const r = run("broken.js");
    expect([r.status, r.stdout, r.stderr]).toEqual([1, "", BROKEN_DIAGNOSTICS]);
  });
});
