// The few wasm instructions the kernels use, for one element type: f32 (f32x4 vectors) or f64
// (f64x2). Kernels are written once against this interface and generated for either precision.
import type { Binaryen, ExprRef, WasmModule } from "./binaryen.js";

export type DType = "f32" | "f64";

export const ELEMENT_BYTES: Record<DType, 4 | 8> = { f32: 4, f64: 8 };
/** A v128 holds 16 bytes: four f32 or two f64 lanes. */
export const VECTOR_BYTES = 16;

export type CompareOp = "gt" | "ge" | "lt" | "le" | "eq" | "ne";

export class Simd {
  readonly bytes: 4 | 8;
  readonly lanes: number;
  private readonly ops: Binaryen["Module"]["prototype"]["f32x4"] | Binaryen["Module"]["prototype"]["f64x2"];

  constructor(
    readonly binaryen: Binaryen,
    readonly m: WasmModule,
    readonly dtype: DType,
  ) {
    this.bytes = ELEMENT_BYTES[dtype];
    this.lanes = VECTOR_BYTES / this.bytes;
    this.ops = dtype === "f32" ? m.f32x4 : m.f64x2;
  }

  // Vectors. Alignment hints are the element size: buffers are element-aligned, not 16-aligned
  // (V8 emits unaligned moves either way).
  load(offset: number, ptr: ExprRef): ExprRef {
    return this.m.v128.load(offset, this.bytes, ptr);
  }
  /** One element from memory, copied to every lane (a single broadcast load on x64). */
  loadSplat(offset: number, ptr: ExprRef): ExprRef {
    return this.dtype === "f32" ? this.m.v128.load32_splat(offset, 4, ptr) : this.m.v128.load64_splat(offset, 8, ptr);
  }
  store(offset: number, ptr: ExprRef, value: ExprRef): ExprRef {
    return this.m.v128.store(offset, this.bytes, ptr, value);
  }
  /** Stores the first `count` lanes of `value` (count < lanes): the ragged end of a row. */
  storeFirstLanes(offset: number, ptr: () => ExprRef, value: () => ExprRef, count: number): ExprRef[] {
    const { m } = this;
    if (this.dtype === "f64") return [m.v128.store64_lane(offset, 8, 0, ptr(), value())];
    const out: ExprRef[] = [];
    if (count >= 2) out.push(m.v128.store64_lane(offset, 8, 0, ptr(), value()));
    if (count % 2 === 1) out.push(m.v128.store32_lane(offset + (count - 1) * 4, 4, count - 1, ptr(), value()));
    return out;
  }
  splat(value: number): ExprRef {
    const bytes = new Uint8Array(VECTOR_BYTES);
    const lanes = this.dtype === "f32" ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
    lanes.fill(value);
    return this.m.v128.const(bytes);
  }
  /** Every kernel's parameter 0 is the batch's row count; this is it as a float in every lane. */
  batchRows(): ExprRef {
    const { m, binaryen } = this;
    const rows = m.local.get(0, binaryen.i32);
    return this.dtype === "f32" ? m.f32x4.splat(m.f32.convert_u.i32(rows)) : m.f64x2.splat(m.f64.convert_u.i32(rows));
  }
  /** A float64 function parameter in every lane (rounded to f32 in single precision). */
  floatParam(local: number): ExprRef {
    const { m, binaryen } = this;
    const value = m.local.get(local, binaryen.f64);
    return this.dtype === "f32" ? m.f32x4.splat(m.f32.demote(value)) : m.f64x2.splat(value);
  }
  zero(): ExprRef {
    return this.splat(0);
  }
  add(a: ExprRef, b: ExprRef): ExprRef {
    return this.ops.add(a, b);
  }
  sub(a: ExprRef, b: ExprRef): ExprRef {
    return this.ops.sub(a, b);
  }
  mul(a: ExprRef, b: ExprRef): ExprRef {
    return this.ops.mul(a, b);
  }
  div(a: ExprRef, b: ExprRef): ExprRef {
    return this.ops.div(a, b);
  }
  /** NaN-propagating, like Math.min / Math.max. */
  min(a: ExprRef, b: ExprRef): ExprRef {
    return this.ops.min(a, b);
  }
  max(a: ExprRef, b: ExprRef): ExprRef {
    return this.ops.max(a, b);
  }
  /** `a < b ? b : a` per lane: relu as pmax(0, x) gives 0 for NaN, like `x > 0 ? x : 0`. */
  pmax(a: ExprRef, b: ExprRef): ExprRef {
    return this.ops.pmax(a, b);
  }
  neg(a: ExprRef): ExprRef {
    return this.ops.neg(a);
  }
  abs(a: ExprRef): ExprRef {
    return this.ops.abs(a);
  }
  sqrt(a: ExprRef): ExprRef {
    return this.ops.sqrt(a);
  }
  compare(op: CompareOp, a: ExprRef, b: ExprRef): ExprRef {
    return this.ops[op](a, b);
  }
  /** Lanes of `then` where `mask` is all ones, else of `otherwise`. */
  select(mask: ExprRef, then: ExprRef, otherwise: ExprRef): ExprRef {
    return this.m.v128.bitselect(then, otherwise, mask);
  }

  // Scalars of the element type (packing loops copy single elements).
  loadScalar(offset: number, ptr: ExprRef): ExprRef {
    return this.dtype === "f32" ? this.m.f32.load(offset, 4, ptr) : this.m.f64.load(offset, 8, ptr);
  }
  storeScalar(offset: number, ptr: ExprRef, value: ExprRef): ExprRef {
    return this.dtype === "f32" ? this.m.f32.store(offset, 4, ptr, value) : this.m.f64.store(offset, 8, ptr, value);
  }
}

/** A function's locals after its parameters; each kernel allocates what it needs by type. */
export class Locals {
  private readonly types: number[] = [];
  constructor(private readonly params: number) {}
  add(type: number): number {
    this.types.push(type);
    return this.params + this.types.length - 1;
  }
  get vars(): readonly number[] {
    return this.types;
  }
}
