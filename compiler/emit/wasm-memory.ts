// What a module compiled for the wasm backend adds to the JavaScript one: the wasm bytes
// (base64, instantiated synchronously in createModel by the prelude's instantiateKernels),
// every array declared as a view of the module's one linear memory, inputs copied into that memory at the start of each
// call (a loop: no subarray, nothing allocated), and kernels that run in wasm called by name.
import type { WasmBuild } from "../backend/wasm/index.js";
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
  /** The call updating one learning-rate segment in wasm, or undefined when updates run in JavaScript. */
  update(segment: number, args: { rate: string; clip: string; corr1: string; corr2: string }): string | undefined;
}

export function wasmEmit(build: WasmBuild, names: NameManager, widths: { input: number; target: number; maxBatch: number }): WasmEmit {
  const type = build.dtype === "f32" ? "Float32Array" : "Float64Array";
  const instance = names.claim("wasmInstance");
  const heap = names.claim("heap");
  const kernels = names.claim("wasmKernels");
  const inputView = names.claim("inputMem");
  const targetView = names.claim("targetMem");
  const exportsType = [
    ...[...new Set(build.calls.values())].map((k) => `${k}(rows: number): void`),
    ...build.updates.map((k) => `${k}(rows: number, rate: number, clip: number, corr1: number, corr2: number): void`),
  ].join("; ");
  const base64 = Buffer.from(build.wasm).toString("base64");
  const array = (elements: number, offset: number) => `new ${type}(${heap}, ${offset}, ${elements})`;
  const prelude = [
    "// The wasm SIMD kernels and the one linear memory every array below is a view of.",
    `const ${instance} = instantiateKernels(${JSON.stringify(base64)});`,
    `const ${heap} = ${instance}.heap;`,
    `const ${kernels} = ${instance}.exports as unknown as { ${exportsType} };`,
    `const ${inputView} = ${array(widths.maxBatch * widths.input, build.layout.input)};`,
    `const ${targetView} = ${array(widths.maxBatch * widths.target, build.layout.target)};`,
  ];
  const copy = (view: string, arg: string, width: number, rows: string) => {
    const i = `i_${view}`;
    return `for (let ${i} = 0; ${i} < ${rows} * ${width}; ${i}++) ${view}[${i}] = ${arg}[${i}]!;`;
  };
  return {
    prelude,
    array,
    inputView,
    targetView,
    copyInputs: (x, y, rows) => [copy(inputView, x, widths.input, rows), ...(y ? [copy(targetView, y, widths.target, rows)] : [])].join("\n"),
    update: (segment, a) => {
      const name = build.updates[segment];
      return name ? `${kernels}.${name}(0, ${a.rate}, ${a.clip}, ${a.corr1}, ${a.corr2});` : undefined;
    },
    call: (kernel, rows) => {
      const name = build.calls.get(kernel);
      return name ? `${kernels}.${name}(${rows});` : undefined;
    },
  };
}
