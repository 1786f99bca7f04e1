// The gradient checks on the wasm backend (matmuls and optimizer updates in wasm SIMD, the other
// kernels JavaScript over its memory): whole models as on JavaScript, and the op table at one
// shape per op — every op next to a wasm matmul, train-mode layers included — so this file costs
// about a third of the JavaScript table.
import { vi } from "vitest";
import { describeGradientTable } from "./gradient-table.js";
import { GRADIENT_CASES } from "./gradient-cases.js";
import { describeModelGradients } from "./model-gradients.js";

vi.setConfig({ testTimeout: 60_000 }); // the first wasm compile loads binaryen

describeModelGradients("wasm");

describeGradientTable("gradients on the wasm backend, one shape per op", GRADIENT_CASES, { backend: "wasm", lastShapeOnly: true, verify: false });
