// `npm run test:long`: the long runs `npm test` leaves out — the full-size fuzzing and
// random-network runs, and the checks on the 20-layer examples (gradients, tfjs cross-check,
// training on spirals). Files named `*.long.test.ts`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.long.test.ts"],
    isolate: false,
    maxWorkers: 2,
  },
});
