// CLI start-up: wall time of `netc check examples/xor.net` (and `netc compile` for comparison)
// from the compiled dist/ and from the TypeScript sources through tsx, each run in a fresh
// process, and of `netc check` from the package installed in a fresh project (`npm pack`, then
// `npm install` of the tarball: dependencies from the npm cache when there). Writes the
// "startup" section of bench/RESULTS.md.
//   npm run bench:startup
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { replaceSection } from "./sections.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const RUNS = Number(process.env.NETC_STARTUP_RUNS ?? 10);

/** Wall and CPU (user + system) seconds of one run; CPU time is what a busy machine inflates least. */
function once(args: string[], env: Record<string, string> = {}, cwd = root, command = process.execPath): { wall: number; cpu: number } {
  const started = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "CPU %U %S", command, ...args], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  const [, user, sys] = /CPU ([\d.]+) ([\d.]+)/.exec(r.stderr)!;
  return { wall: Number(process.hrtime.bigint() - started) / 1e9, cpu: Number(user) + Number(sys) };
}

function measure(args: string[], env: Record<string, string> = {}, cwd = root, command = process.execPath): { median: number; min: number; max: number; cpu: number } {
  once(args, env, cwd, command); // warm the file cache
  const runs = Array.from({ length: RUNS }, () => once(args, env, cwd, command));
  const times = runs.map((r) => r.wall).sort((a, b) => a - b);
  const cpu = runs.map((r) => r.cpu).sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]!, max: times.at(-1)!, cpu: cpu[Math.floor(cpu.length / 2)]! };
}

/** A fresh project with the packed package installed, and examples/xor.net copied in. */
function installedProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "netc-startup-"));
  writeFileSync(join(dir, "package.json"), '{ "name": "startup", "private": true, "type": "module" }\n');
  execFileSync("npm", ["pack", "--pack-destination", dir], { cwd: root, stdio: "pipe" });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
  execFileSync("npm", ["install", `./${tarball}`, "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir, stdio: "pipe" });
  mkdirSync(join(dir, "examples"));
  copyFileSync(join(root, "examples/xor.net"), join(dir, "examples/xor.net"));
  return dir;
}

const project = installedProject(); // npm pack also builds dist/
const load = loadavg()[0]!;
const rows: [string, ReturnType<typeof measure>][] = [
  ["`node -e 0` (Node alone)", measure(["-e", "0"])],
  ["`netc check examples/xor.net`, dist/", measure(["bin/netc.mjs", "check", "examples/xor.net"])],
  ["`netc check examples/xor.net`, tsx (no dist/)", measure(["bin/netc.mjs", "check", "examples/xor.net"], { NETC_NO_DIST: "1" })],
  ["`netc compile examples/xor.net`, dist/", measure(["bin/netc.mjs", "compile", "examples/xor.net"])],
  ["`netc compile examples/xor.net`, tsx (no dist/)", measure(["bin/netc.mjs", "compile", "examples/xor.net"], { NETC_NO_DIST: "1" })],
  ["installed package: `node_modules/.bin/netc check examples/xor.net`", measure(["node_modules/.bin/netc", "check", "examples/xor.net"], {}, project)],
  ["installed package: `npx netc check examples/xor.net`", measure(["netc", "check", "examples/xor.net"], {}, project, "npx")],
];
rmSync(project, { recursive: true, force: true });
const s = (v: number) => `${v.toFixed(2)} s`;
const body = [
  "## CLI start-up",
  "",
  `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · ${cpus()[0]?.model.trim()} (${cpus().length} logical cores) · Node ${process.version} · 1-minute load average ${load.toFixed(1)} before the runs. ` +
    `Wall time of a fresh process, ${RUNS} runs each after one warm-up. Reproduce: \`npm run bench:startup\`.`,
  "",
  "| command | wall, median | min | max | CPU (user + sys), median |",
  "| --- | --- | --- | --- | --- |",
  ...rows.map(([name, m]) => `| ${name} | ${s(m.median)} | ${s(m.min)} | ${s(m.max)} | ${s(m.cpu)} |`),
  "",
  "`check` loads only the parser and the compiler's front and middle end; `compile` adds the emitter (ts-morph) and prettier.",
  "The installed package runs dist/ only; `npx` adds npm's own start-up to netc's.",
  "Before lazy loading and dist/, `netc check` took 2.5–4.7 s here (issue 15).",
].join("\n");
const path = `${root}bench/RESULTS.md`;
writeFileSync(path, replaceSection(existsSync(path) ? readFileSync(path, "utf8") : "", "startup", body));
process.stdout.write(`${body}\n`);
