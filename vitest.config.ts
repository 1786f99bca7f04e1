// `npm test`: every test file except the long runs (`*.long.test.ts`, see vitest.long.config.ts).
// Test files share one module registry per worker (isolate: false): each compiled model is then
// cached once for the whole run instead of once per file, and the compiler is imported once.
// Tests keep no global state, so sharing is safe; both cores run test files.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.long.test.ts", "**/node_modules/**"],
    isolate: false,
    // The machine is shared: a test that takes 1 s alone can take 10 s under load.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
