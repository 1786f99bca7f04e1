// The packed package in a fresh project, as a user gets it: `npm pack`, `npm install` of the
// tarball (dependencies from the npm cache when there), then the CLI through npx, a program
// run with `node --import netc/register`, the compiler API, and a Vite build importing a .net
// file. `npm run test:long` (minutes: npm install).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/helpers.js";
import { BROKEN, BROKEN_DIAGNOSTICS, scratchProject } from "./fixtures.js";

const packs = mkdtempSync(join(tmpdir(), "netc-pack-"));
const project = scratchProject({
  "broken.net": BROKEN,
  "api.js": `import { readFileSync } from "node:fs";
import { check, compile } from "netc";
const source = readFileSync("xor.net", "utf8");
const { code, diagnostics } = await compile(source, { file: "xor.net", language: "javascript" });
console.log(diagnostics.length, code.includes("export function createModel("), check(readFileSync("broken.net", "utf8")).length);
`,
  "iris.net": readFileSync(join(ROOT, "examples/iris.net"), "utf8"),
  "vite.config.js": 'import netc from "netc/vite";\nexport default { plugins: [netc()], logLevel: "silent", build: { minify: false, rollupOptions: { input: "app.js" } } };\n',
});
const npm = (args: string[], cwd = project) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], { cwd, encoding: "utf8", stdio: "pipe" });
const run = (command: string, args: string[]) => spawnSync(command, args, { cwd: project, encoding: "utf8" });

beforeAll(() => {
  npm(["pack", "--pack-destination", packs], ROOT);
  const tarball = readdirSync(packs).find((f) => f.endsWith(".tgz"))!;
  npm(["install", join(packs, tarball), "vite@8.3.8"]);
});
afterAll(() => {
  rmSync(packs, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

describe("the packed package in a fresh project", () => {
  it("installs without the compiler's sources or tsx", () => {
    const installed = join(project, "node_modules/netc");
    expect(existsSync(join(installed, "dist/main.js"))).toBe(true);
    expect(existsSync(join(installed, "cli"))).toBe(false);
    expect(existsSync(join(project, "node_modules/tsx"))).toBe(false);
  });

  it("npx netc check and compile", () => {
    const check = run("npx", ["netc", "check", "xor.net"]);
    expect([check.status, check.stdout, check.stderr]).toEqual([0, "xor.net: ok (model xor)\n", ""]);
    const broken = run("npx", ["netc", "check", "broken.net"]);
    expect([broken.status, broken.stderr]).toEqual([1, `${BROKEN_DIAGNOSTICS}2 errors in broken.net\n`]);
    const compile = run("npx", ["netc", "compile", "xor.net", "-o", "xor.trainer.ts"]);
    expect(compile.status, compile.stderr).toBe(0);
    expect(existsSync(join(project, "xor.trainer.ts"))).toBe(true);
    const train = run("npx", ["netc", "train", "iris.net", "--data", "iris", "--epochs", "2", "--out", "out"]);
    expect(train.status, train.stderr).toBe(0); // the bundled iris data set ships with the package
  });

  it("node --import netc/register runs a program that imports a .net file", () => {
    const r = run(process.execPath, ["--import", "netc/register", "app.js"]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "xor true\n", ""]);
    expect(readdirSync(join(project, "node_modules/.cache/netc"))).toHaveLength(1);
  });

  it("import { compile, check } from \"netc\"", () => {
    const r = run(process.execPath, ["api.js"]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "0 true 2\n", ""]);
  });

  it("a Vite build imports a .net file, and its bundle trains the model", () => {
    const build = run("npx", ["vite", "build"]);
    expect(build.status, build.stderr).toBe(0);
    const bundle = readdirSync(join(project, "dist/assets")).find((f) => f.endsWith(".js"))!;
    const r = run(process.execPath, [join(project, "dist/assets", bundle)]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "xor true\n", ""]);
  });
});
