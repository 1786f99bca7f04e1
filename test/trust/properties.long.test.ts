// Random networks at full size: 200 per run, or NETC_PROPERTY_RUNS.
import { vi } from "vitest";
import { describeRandomNetworks } from "./properties.js";

const RUNS = Number(process.env.NETC_PROPERTY_RUNS ?? 200);
vi.setConfig({ testTimeout: Math.max(300_000, RUNS * 2_000) });

describeRandomNetworks(RUNS, 8);
