// The examples of README.md and of the user guides in docs/ (DOCUMENTS, in reading order: later
// blocks may use what earlier ones wrote), run as a reader would run them, in a scratch copy of
// the repository (every top-level entry linked, so nothing in the repository is written):
//   ```sh     each command runs with `sh -c`; it must exit 0, and the files it names with `-o`
//             or `--out` must exist afterwards
//   ```ts     runs as a module with tsx; `console.log(...); // ≈ [a, b]` must print numbers
//             that round to a, b
//   ```       (no language) a listing whose first line is `# examples/NAME.net` must be that
//             file; one that starts with `model` or `block` is a .net program without errors
// A block preceded by `<!-- readme-test: skip: REASON -->` is not run (only for what truly
// cannot run here: installing packages, the test suite itself, a fragment of a program), and
// `<!-- readme-test: excerpt of examples/NAME.net -->` marks a ts block that must appear, as
// written, in the module `netc compile` makes of that file. Every other block is prose.
// `<!-- readme-test: long: test/FILE.test.ts REASON -->` before a block (a long training, a
// search) leaves it to `npm run test:long` (readme.long.test.ts), which runs every block as
// written: `npm test` (readme.test.ts) runs the rest, and the named test file, which must exist,
// covers what the block does in npm test. Nothing later may depend on such a block's files.
import { exec } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze, compile, formatDiagnostic } from "../../compiler/index.js";
import { STACK_TRACE } from "../support/cli.js";
import { exampleSource, ROOT } from "../support/helpers.js";

/** The blocks that opt out, by their first line: each needs a reason in its marker. */
const OPTED_OUT = [
  "npm ci", // the quick start: reinstalls node_modules (its `npm start` runs in beforeAll)
  "npm ci          # install exactly what package-lock.json pins", // also runs the test suite and the benchmarks
  "npm pack                                  # in this repository: writes netc-0.1.0.tgz", // installs into another project (test/package/install.long.test.ts runs it)
  'import { predict, predictBatch, classify, labels } from "./iris.predict.js";', // x, n and out are the reader's
  "cd editors/vscode && npm install && cd ../..", // needs VS Code
];

/**
 * Files the README's commands assume the reader has: their own model `my` (training writes
 * MODEL.weights.json, named after the model) and a CSV with a `species` column (here: iris).
 */
const READER_FILES: Record<string, () => string> = {
  "my.net": () => exampleSource("iris").replace(/^model iris \{/m, "model my {"),
  "measurements.csv": () => readFileSync(join(ROOT, "examples/data/iris.csv"), "utf8"),
};

/** README.md, then the guides whose commands and code a reader runs, in the order to read them. */
const DOCUMENTS = [
  "README.md",
  "docs/training.md",
  "docs/library.md",
  "docs/export.md",
  "docs/editors.md",
  "docs/generated-module.md",
  "docs/explain.md",
  "docs/tune.md",
  "docs/cartpole.md",
  "docs/backends.md",
  "docs/language.md",
];

interface Block {
  /** The document, and its `file:line` for messages. */
  file: string;
  at: string;
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  text: string;
  marker?: string;
}

function readmeBlocks(file: string, readme: string): Block[] {
  const lines = readme.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === "") before--;
    const marker = /^<!--\s*readme-test:\s*(.*?)\s*-->$/.exec(lines[before]?.trim() ?? "")?.[1];
    blocks.push({ file, at: `${file}:${start + 1}`, lang: open[1]!, line: start + 1, text: body.join("\n"), marker });
  }
  return blocks;
}

/** A block's `long:` marker: the test file that covers it in npm test, or undefined. */
function longOnly(b: Block): string | undefined {
  return /^long:\s*(\S+)/.exec(b.marker ?? "")?.[1];
}

const BLOCKS = DOCUMENTS.flatMap((file) => readmeBlocks(file, readFileSync(join(ROOT, file), "utf8")));
const skipped = (b: Block) => b.marker?.startsWith("skip") ?? false;
const firstLine = (b: Block) => b.text.split("\n")[0]!;
const isListing = (b: Block) => b.lang === "" && /^# examples\/[\w-]+\.net/.test(b.text);
const isProgram = (b: Block) => b.lang === "" && /^(model|block)\s/.test(b.text);
const RUN = BLOCKS.filter((b) => !skipped(b) && (b.lang === "sh" || b.lang === "ts" || isListing(b) || isProgram(b)));

let dir = "";
const run = promisify(exec);
// `npx netc ...` runs as `netc ...` with a `netc` on PATH that starts bin/netc.mjs: npm's own
// start-up is most of a short command's time, and npx's first install of this folder runs its
// `prepare`, which would rebuild dist/ under the other test files' feet. `npx netc` itself is
// run on an installed package by test/package/install.long.test.ts.
const shell = (command: string) =>
  run(command.replace(/^npx netc /, "netc "), { cwd: dir, env: { ...process.env, NO_COLOR: "1", PATH: `${join(dir, ".readme-bin")}:${process.env.PATH}` }, maxBuffer: 1 << 26 });

/** Lines of a shell block that are commands: no blanks, no comments, no trailing comments. */
function commands(text: string): string[] {
  return text.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim()).filter((l) => l && !l.startsWith("#"));
}

/** The files a netc command says it writes: `-o FILE`, or `MODEL.*` under `--out DIR` for train. */
function outputsOf(command: string): string[] {
  const words = command.split(/\s+/);
  const after = (flag: string) => (words.includes(flag) ? words[words.indexOf(flag) + 1] : undefined);
  const o = after("-o");
  if (o) return [o];
  if (words[2] === "train") {
    const model = readFileSync(join(dir, words[3]!), "utf8").match(/^model\s+(\w+)/m)![1];
    return [`${after("--out") ?? "out"}/${model}.weights.json`];
  }
  return [];
}

/**
 * The examples of README.md and docs/ as tests: every block as written, or with `quick` (npm
 * test) all but those marked `long:`.
 */
export function describeReadme(quick: boolean): void {
  const run = quick ? RUN.filter((b) => longOnly(b) === undefined) : RUN;
  describe(quick ? "the examples of README.md and docs/ (long trainings left to test:long)" : "the examples of README.md and docs/, as written", () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "netc-readme-"));
      for (const entry of readdirSync(ROOT)) {
        if (["out", "runs", ".git"].includes(entry)) continue;
        symlinkSync(join(ROOT, entry), join(dir, entry), statSync(join(ROOT, entry)).isDirectory() ? "dir" : "file");
      }
      for (const [name, text] of Object.entries(READER_FILES)) writeFileSync(join(dir, name), text());
      mkdirSync(join(dir, ".readme-bin"));
      writeFileSync(join(dir, ".readme-bin/netc"), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "bin/netc.mjs")}" "$@"\n`, { mode: 0o755 });
      // The quick start's `npm start`, whose out/iris.weights.json later blocks use.
      const start = await shell("npm start");
      expect(start.stdout).toMatch(/^wrote out\/iris\.weights\.json, out\/iris\.best\.weights\.json, out\/iris\.ts, out\/iris\.predict\.ts, out\/iris\.loss\.svg$/m);
    }, 300_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("only the listed blocks opt out, each with a reason; a block left to test:long names the test that covers it", () => {
      const out = BLOCKS.filter(skipped);
      expect(out.map(firstLine)).toEqual(OPTED_OUT);
      for (const b of out) expect(b.marker, b.at).toMatch(/^skip: \S/);
      for (const b of BLOCKS.filter((b) => b.marker?.startsWith("long"))) {
        expect(b.marker, b.at).toMatch(/^long: test\/\S+\.test\.ts \S/);
        expect(existsSync(join(ROOT, longOnly(b)!)), `${b.at}: ${longOnly(b)}`).toBe(true);
      }
    });

    it("runs every guide in docs/ that holds commands or code", () => {
      const guides = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);
      const runnable = guides.filter((f) => /^```(sh|ts)\s*$/m.test(readFileSync(join(ROOT, f), "utf8")));
      expect(runnable.filter((f) => !DOCUMENTS.includes(f))).toEqual([]);
    });

    it("finds commands, a usage snippet, an excerpt, a listing and a program to check", () => {
      expect(RUN.filter((b) => b.lang === "sh").flatMap((b) => commands(b.text)).length).toBeGreaterThanOrEqual(6);
      expect(RUN.filter((b) => b.lang === "ts" && !b.marker).length).toBeGreaterThanOrEqual(1);
      expect(RUN.filter((b) => b.marker?.startsWith("excerpt of ")).length).toBeGreaterThanOrEqual(1);
      expect(RUN.filter(isListing).length).toBeGreaterThanOrEqual(1);
      expect(RUN.filter(isProgram).length).toBeGreaterThanOrEqual(1);
    });

    it.each(run.map((b) => [`${b.at} ${firstLine(b)}`, b] as const))("%s", async (_, block) => {
      if (block.lang === "sh") {
        for (const command of commands(block.text)) {
          const r = await shell(command).catch((e: { code: number; stderr: string }) => e);
          expect("code" in r ? r.code : 0, `${command}\n${r.stderr}`).toBe(0);
          expect(r.stderr, command).not.toMatch(STACK_TRACE);
          for (const file of outputsOf(command)) expect(existsSync(join(dir, file)), `${command} wrote ${file}`).toBe(true);
        }
      } else if (block.marker?.startsWith("excerpt of ")) {
        const file = block.marker.slice("excerpt of ".length);
        const { code } = await compile(readFileSync(join(ROOT, file), "utf8"), { file });
        expect(code, `${block.at} is not in the module compiled from ${file}`).toContain(block.text);
      } else if (block.lang === "ts") {
        const snippet = join(dir, `readme-${block.line}.ts`);
        writeFileSync(snippet, block.text);
        const { stdout, stderr } = await shell(`node --import tsx ${snippet}`);
        expect(stderr).toBe("");
        const approximations = [...block.text.matchAll(/console\.log\(.*\/\/\s*≈\s*\[([^\]]*)\]/g)].map((m) => m[1]!.split(",").map(Number));
        const printed = [...stdout.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]!.split(",").map(Number));
        expect(printed.length).toBeGreaterThanOrEqual(approximations.length);
        approximations.forEach((want, k) => expect(printed[k]!.map(Math.round), stdout).toEqual(want));
      } else if (isProgram(block)) {
        expect(analyze(block.text).diagnostics.map((d) => formatDiagnostic(d, block.at, block.text))).toEqual([]);
      } else {
        const [header, ...rest] = block.text.split("\n");
        const file = header!.slice(2).split(/\s/)[0]!;
        const body = readFileSync(join(ROOT, file), "utf8").split("\n").filter((l, i) => !(i === 0 && l.startsWith("#"))).join("\n");
        expect(body.trimEnd()).toBe(rest.join("\n").trimEnd());
      }
    }, 300_000);
  });
}
