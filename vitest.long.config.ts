// `npm run test:long`: the long runs `npm test` leaves out — the full-size fuzzing and
// random-network runs, the checks on the 20-layer examples, and the scale tests (minutes,
// gigabytes). Files named `*.long.test.ts` or `*.long.ts`.
import { defineConfig } from "vitest/config";

export default defineConfig({
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
