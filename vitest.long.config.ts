// `npm run test:long`: the slow scale tests (minutes, gigabytes), kept out of `npm test`.
// Their files end in `.long.ts`, which vitest's default `*.test.ts` pattern does not pick up.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/long/**/*.long.ts"],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
  },
});
