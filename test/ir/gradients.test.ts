// Every op's derivative, checked against central finite differences through the emitted code
// (test/support/finite-differences.ts): one table of ops × shapes × batch sizes. Each case is a
// tiny model whose loss depends on the op; `gradients` (the generated backward pass) must agree
// with differences of `loss` (the generated forward pass) for every trainable weight. Layers
// that behave differently in training (batchnorm, dropout) are checked in training mode with the
// dropout mask held fixed.
import { vi } from "vitest";
import { describeGradientTable } from "./gradient-table.js";
import { GRADIENT_CASES } from "./gradient-cases.js";
import { describeModelGradients } from "./model-gradients.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

const HALF = Math.ceil(GRADIENT_CASES.length / 2);
describeGradientTable(
  "gradients match central finite differences through the emitted code (first half of the table)",
  GRADIENT_CASES.slice(0, HALF),
);

describeModelGradients("js");
