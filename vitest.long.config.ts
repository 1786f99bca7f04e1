// `npm run test:long`: the long runs `npm test` leaves out — the full-size fuzzing and
// random-network runs, the checks on the 20-layer examples, and the scale tests (minutes,
// gigabytes). Files named `*.long.test.ts` or `*.long.ts`.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // "netc", the package's own entry (examples/rl imports it as an application would), is the
  // sources here, not the build in dist/ (which may be older than the sources under test).
  resolve: { alias: [{ find: /^netc$/, replacement: fileURLToPath(new URL("lib/index.ts", import.meta.url)) }] },
  test: {
    include: ["test/**/*.long.test.ts", "test/**/*.long.ts"],
    isolate: false,
    // The machine is shared: a test that takes 1 s alone can take 10 s under load; the scale
    // tests (a gigabyte of CSV) take minutes.
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    maxWorkers: 2,
  },
});
