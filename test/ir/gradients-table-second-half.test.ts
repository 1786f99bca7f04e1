// The second half of the op × shape gradient table (the first half is in gradients.test.ts):
// a file of its own so the two halves run in parallel.
import { vi } from "vitest";
import { describeGradientTable } from "./gradient-table.js";
import { GRADIENT_CASES } from "./gradient-cases.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

const HALF = Math.ceil(GRADIENT_CASES.length / 2);
describeGradientTable(
  "gradients match central finite differences through the emitted code (second half of the table)",
  GRADIENT_CASES.slice(HALF),
);
