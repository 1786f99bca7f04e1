// `npm run test:long`: tests too slow for the everyday suite (minutes, gigabytes of data).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/long/**/*.long.ts"],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
  },
});
