// What a module compiled for the wasm backend adds to the JavaScript one: the wasm bytes
// (base64, instantiated synchronously in createModel by the prelude's instantiateKernels),
// every array declared as a view of the module's one linear memory, inputs copied into that memory at the start of each
// call (a loop: no subarray, nothing allocated), and kernels that run in wasm called by name (a
// recurrent kernel's step products from inside its JavaScript time loop).
import type { StepProducts } from "../backend/js/context.js";
import type { StepKernel, WasmBuild } from "../backend/wasm/index.js";
import type { Kernel } from "../schedule.js";
import type { NameManager } from "./names.js";

export interface WasmEmit {
  /** Declarations of the instance, its memory and its kernels (before any array). */
  prelude: string[];
  /** `new Float64Array(...)` for an array of `elements` at byte `offset` of the memory. */
  array(elements: number, offset: number): string;
  /** Views of the input and target copies. */
  inputView: string;
  targetView: string;
  /** Statements copying the caller's x (and y) into the memory. */
  copyInputs(x: string, y: string | null, rows: string): string;
  call(kernel: Kernel, rows: string): string | undefined;
  products(kernel: Kernel, rows: string): StepProducts | undefined;
  /** The call updating one learning-rate segment in wasm, or undefined when updates run in JavaScript. */
  update(segment: number, args: { rate: string; clip: string; corr1: string; corr2: string }): string | undefined;
}

/** The parts of a wasm build the instance declarations need (the trainer's and the predictor's). */
interface Kernels {
  dtype: WasmBuild["dtype"];
  wasm: Uint8Array;
  calls: ReadonlyMap<Kernel, string>;
  /** Step products of recurrent kernels, called with (rows, t). */
  steps?: ReadonlyMap<Kernel, StepKernel>;
  /** Update kernels, called with (rows, rate, clip, corr1, corr2). */
  updates?: readonly string[];
}

interface KernelsEmit {
  /** Declarations of the instance, its memory and its kernels (before any array). */
  prelude: string[];
  array(elements: number, offset: number): string;
  call(kernel: Kernel, rows: string): string | undefined;
  products(kernel: Kernel, rows: string): StepProducts | undefined;
  /** The expression naming the kernels' exports. */
  kernels: string;
}

/** The instance, the memory every array is a view of, and calls of the kernels by name. */
export function wasmKernelsEmit(build: Kernels, names: NameManager): KernelsEmit {
  const type = build.dtype === "f32" ? "Float32Array" : "Float64Array";
  const instance = names.claim("wasmInstance");
  const heap = names.claim("heap");
  const kernels = names.claim("wasmKernels");
  const exportsType = [
    ...[...new Set(build.calls.values())].filter(Boolean).map((k) => `${k}(rows: number): void`),
    ...[...(build.steps?.values() ?? [])].flatMap((s) => [s.product, ...(s.pack ? [s.pack] : [])]).map((k) => `${k}(rows: number, t: number): void`),
    ...(build.updates ?? []).map((k) => `${k}(rows: number, rate: number, clip: number, corr1: number, corr2: number): void`),
  ].join("; ");
  const base64 = Buffer.from(build.wasm).toString("base64");
  return {
    prelude: [
      "// The wasm SIMD kernels and the one linear memory every array below is a view of.",
      `const ${instance} = instantiateKernels(${JSON.stringify(base64)});`,
      `const ${heap} = ${instance}.heap;`,
      `const ${kernels} = ${instance}.exports as unknown as { ${exportsType} };`,
    ],
    array: (elements, offset) => `new ${type}(${heap}, ${offset}, ${elements})`,
    call: (kernel, rows) => {
      const name = build.calls.get(kernel);
      // "": a kernel fused into a later wasm kernel (a convolution into its bias and activation).
      if (name === "") return "// computed in wasm by the elementwise kernel it feeds";
      return name ? `${kernels}.${name}(${rows});` : undefined;
    },
    products: (kernel, rows) => {
      const step = build.steps?.get(kernel);
      if (!step) return undefined;
      return { setup: step.pack ? `${kernels}.${step.pack}(${rows}, 0);` : "", step: (t) => `${kernels}.${step.product}(${rows}, ${t});` };
    },
    kernels,
  };
}

/** A loop copying `rows` rows of `arg` into the memory view `view` (nothing allocated). */
export function copyRows(view: string, arg: string, width: number, rows: string, i: string): string {
  return `for (let ${i} = 0; ${i} < ${rows} * ${width}; ${i}++) ${view}[${i}] = ${arg}[${i}]!;`;
}

export function wasmEmit(build: WasmBuild, names: NameManager, widths: { input: number; target: number; maxBatch: number }): WasmEmit {
  const core = wasmKernelsEmit(build, names);
  const inputView = names.claim("inputMem");
  const targetView = names.claim("targetMem");
  const i = names.claim("copyAt");
  return {
    prelude: [
      ...core.prelude,
      `const ${inputView} = ${core.array(widths.maxBatch * widths.input, build.layout.input)};`,
      `const ${targetView} = ${core.array(widths.maxBatch * widths.target, build.layout.target)};`,
    ],
    array: core.array,
    inputView,
    targetView,
    copyInputs: (x, y, rows) => [copyRows(inputView, x, widths.input, rows, i), ...(y ? [copyRows(targetView, y, widths.target, rows, i)] : [])].join("\n"),
    update: (segment, a) => {
      const name = build.updates[segment];
      return name ? `${core.kernels}.${name}(0, ${a.rate}, ${a.clip}, ${a.corr1}, ${a.corr2});` : undefined;
    },
    call: core.call,
    products: core.products,
  };
}
