// `npm test`: every test file except the long runs (`*.long.test.ts`, see vitest.long.config.ts).
// Test files share one module registry per worker (isolate: false): each compiled model is then
// cached once for the whole run instead of once per file, and the compiler is imported once.
// Tests keep no global state, so sharing is safe; both cores run test files.
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The longest files (tens of seconds each, mostly one chain of steps) start first. Without
 * timings from an earlier run (a fresh clone, as in CI) vitest orders files by size, and these
 * small files — the README test is five lines over test/cli/readme.ts — would start last and
 * run alone at the end.
 */
const LONGEST_FIRST = [
  "test/cli/readme.test.ts",
  "test/ir/gradients.test.ts",
  "test/ir/gradients-wasm.test.ts",
  "test/emit/no-alloc.test.ts",
  "test/emit/wasm-backend.test.ts",
  "test/emit/typecheck.test.ts",
  "test/export-onnx.test.ts",
  "test/cli/train-signals.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(name));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    const sorted = await super.sort(files);
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  // "netc", the package's own entry (examples/rl imports it as an application would), is the
  // sources here, not the build in dist/ (which may be older than the sources under test).
  resolve: { alias: [{ find: /^netc$/, replacement: fileURLToPath(new URL("lib/index.ts", import.meta.url)) }] },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.long.test.ts", "**/node_modules/**"],
    isolate: false,
    // The machine is shared: a test that takes 1 s alone can take 10 s under load.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
