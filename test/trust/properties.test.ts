// Random networks, 25 per run (the full 200: properties.long.test.ts, `npm run test:long`).
import { vi } from "vitest";
import { describeRandomNetworks } from "./properties.js";

vi.setConfig({ testTimeout: 120_000 });

describeRandomNetworks(25, 3);
