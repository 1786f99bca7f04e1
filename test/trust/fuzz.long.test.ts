// The fuzzer at full size: about 5,800 inputs per run; NETC_FUZZ_SCALE=5 tries five times as many.
import { vi } from "vitest";
import { describeFuzzing } from "./fuzz.js";

vi.setConfig({ testTimeout: 1_200_000 });

describeFuzzing(Number(process.env.NETC_FUZZ_SCALE ?? 1), 4);
