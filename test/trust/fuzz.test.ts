// The fuzzer at a tenth of its full size (the full run: fuzz.long.test.ts, `npm run test:long`).
import { vi } from "vitest";
import { describeFuzzing } from "./fuzz.js";

vi.setConfig({ testTimeout: 120_000 });

describeFuzzing(0.1, 1);
