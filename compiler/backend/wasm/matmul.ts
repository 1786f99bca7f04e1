// Shape-specialized, register-tiled SIMD matrix products C = A·B with a fused elementwise
// epilogue, in f32x4 or f64x2. A dense layer needs three: x@W (forward), dY@Wᵀ (input
// gradient, B transposed) and xᵀ@dY (weight gradient, A transposed).
//
// Layout, after XNNPACK's wasmsimd GEMM microkernels: C is cut into tiles of `rows` × (`vecs`
// vectors) that live in registers for the whole k loop; each k step loads `vecs` vectors of B's
// row k and broadcasts one element of A per tile row (a broadcast load), then multiplies and
// adds (wasm SIMD has no fused multiply-add without relaxed SIMD). Column panels are the outer
// loop so a panel of B (k × tile width) stays in L1 while the row tiles stream A. A transposed
// B is first packed into such panels; a transposed A only changes A's strides.
//
// Every dimension is a constant except the batch, which may be m or k and arrives as the
// kernel's first parameter (times a constant: a stack of rows [B,T,d] is B·T rows). Columns
// past a ragged row end are computed on whatever memory follows (lanes are independent) and
// never stored; memory keeps 16 spare bytes at its end.
//
// A recurrent layer's step products (kernels.ts recurrentStepSpec) need three more things: rows
// of A and C further apart than k and n (a step's rows of a [B,T,·] tape), a second parameter
// (the step) that moves A and C, and accumulators that start from a value (the bias, or what C
// holds) so each sum is formed in the JavaScript backend's order, bit for bit.
import type { ExprRef } from "./binaryen.js";
import { emitVector, type Expr, type Index, type Site } from "./expr.js";
import { Loops, type Count } from "./loops.js";
import { Locals, VECTOR_BYTES, type DType, type Simd } from "./simd.js";

/** A dimension: a constant, or the batch size passed to the kernel times `times` (default 1; at most `max` in all). */
export type Dim = number | { batch: true; max: number; times?: number };

export interface Operand {
  addr: number;
  /** A stored [k × m] (read as its transpose), B stored [n × k]. */
  trans: boolean;
}

export interface MatmulSpec {
  name: string;
  m: Dim;
  k: Dim;
  n: number;
  a: Operand;
  b: Operand;
  /** What the tile writes; `acc` is A·B at (i, j). */
  outputs: { addr: number; expr: Expr }[];
  /** Scratch bytes (packBytes) for B in panels; needed when B is transposed or tile.packB. */
  pack?: number;
  tile?: Partial<Tile>;
  /** Elements from one row of (untransposed) A, and of C and its `elem` loads, to the next; default k and n. */
  rowStride?: { a?: number; c?: number };
  /** The kernel takes a second parameter s (the step) and A and C start s × `step` elements further on. */
  step?: number;
  /** What each accumulator starts from (a `col` or `elem` load), instead of 0. */
  init?: Expr;
  /** B is packed by a separate export of this name (called once for many products), not by the kernel. */
  packExport?: string;
}

export interface Tile {
  /** Rows of C per register tile. */
  rows: number;
  /** Vectors of C per tile row (tile width = vecs × lanes columns). */
  vecs: number;
  /** k steps per loop iteration. */
  unrollK: number;
  /** Copy a non-transposed B into panels too (contiguous k stream). */
  packB: boolean;
}

/** Chosen with bench/wasm-kernels.ts on the W4/W5 shapes: 4 × 2 vectors (8 accumulators of
 *  x64's 16 vector registers) was best in both precisions; unrolling k and packing an
 *  untransposed B did not pay. */
export const DEFAULT_TILE: Record<DType, Tile> = {
  f32: { rows: 4, vecs: 2, unrollK: 1, packB: false },
  f64: { rows: 4, vecs: 2, unrollK: 1, packB: false },
};

/** A dimension's largest value: the constant, or the batch's maximum. */
export const maxOf = (d: Dim): number => (typeof d === "number" ? d : d.max);
const timesOf = (d: Dim): number => (typeof d === "number" ? 1 : (d.times ?? 1));

export function tileOf(spec: MatmulSpec, dtype: DType): Tile {
  return { ...DEFAULT_TILE[dtype], ...spec.tile };
}

export function needsPack(spec: MatmulSpec, dtype: DType): boolean {
  return spec.b.trans || tileOf(spec, dtype).packB;
}

/** Scratch bytes for B in panels: every column panel k deep, the ragged one padded to vectors. */
export function packBytes(spec: MatmulSpec, dtype: DType): number {
  const lanes = VECTOR_BYTES / (dtype === "f32" ? 4 : 8);
  const padded = Math.ceil(spec.n / lanes) * lanes;
  return padded * maxOf(spec.k) * (dtype === "f32" ? 4 : 8);
}

interface Panel {
  vecs: number;
  /** Valid lanes of the last vector (= lanes unless the panel ends the row raggedly). */
  lastLanes: number;
  /** Bytes from B's row k to row k+1 in this panel. */
  strideB: number;
}

export function addMatmul(simd: Simd, spec: MatmulSpec): void {
  new MatmulGenerator(simd, spec).add();
}

/** Row strides of A (untransposed) and C in elements. */
const strideA = (spec: MatmulSpec): number | undefined => spec.rowStride?.a ?? (typeof spec.k === "number" ? spec.k : undefined);
const strideC = (spec: MatmulSpec): number => spec.rowStride?.c ?? spec.n;

class MatmulGenerator {
  private readonly locals: Locals;
  private readonly loops: Loops;
  private readonly tile: Tile;
  private readonly packed: boolean;
  private readonly i32: number;
  private readonly v128: number;
  private readonly iOff: number;
  private readonly jOff: number;
  private readonly eOff: number;
  private readonly pa: number;
  private readonly pb: number;
  private readonly acc: number[];
  private readonly bv: number[];
  private readonly av: number;
  private readonly out: number[];
  private readonly vectors: Set<number>;
  /** The batch dimension's extent (the first parameter times its `times`), and A's and C's step offset in bytes. */
  private readonly rows: number;
  private readonly stepBytes: number;

  constructor(
    private readonly simd: Simd,
    private readonly spec: MatmulSpec,
  ) {
    const { binaryen } = simd;
    this.locals = new Locals(spec.step === undefined ? 1 : 2);
    this.i32 = binaryen.i32;
    this.v128 = binaryen.v128;
    this.loops = new Loops(binaryen, simd.m, this.locals);
    this.tile = tileOf(spec, simd.dtype);
    this.packed = needsPack(spec, simd.dtype);
    if (this.packed && spec.pack === undefined) throw new Error(`${spec.name}: B needs a pack buffer`);
    if (!spec.a.trans && typeof spec.k !== "number" && maxOf(spec.m) > 1) throw new Error(`${spec.name}: A's row length is the batch`);
    if (spec.a.trans && typeof spec.m !== "number") throw new Error(`${spec.name}: transposed A's row length is the batch`);
    if (spec.b.trans && typeof spec.k !== "number") throw new Error(`${spec.name}: transposed B's row length is the batch`);
    if (spec.rowStride?.a !== undefined && spec.a.trans) throw new Error(`${spec.name}: a row stride for a transposed A`);
    const add = (type: number) => this.locals.add(type);
    this.rows = add(this.i32);
    this.stepBytes = add(this.i32);
    [this.iOff, this.jOff, this.eOff, this.pa, this.pb] = [add(this.i32), add(this.i32), add(this.i32), add(this.i32), add(this.i32)];
    this.acc = Array.from({ length: this.tile.rows * this.tile.vecs }, () => add(this.v128));
    this.bv = Array.from({ length: this.tile.vecs }, () => add(this.v128));
    this.av = add(this.v128);
    this.out = spec.outputs.map(() => add(this.v128));
    this.vectors = new Set([...this.acc, ...this.bv, this.av, ...this.out]);
  }

  add(): void {
    const { simd, spec } = this;
    const { m, binaryen } = simd;
    const times = Math.max(timesOf(spec.m), timesOf(spec.k));
    // Built anew for each function: a binaryen expression belongs to one function.
    const start = () => [
      this.set(this.rows, times === 1 ? m.local.get(0, this.i32) : m.i32.mul(m.local.get(0, this.i32), this.const(times))),
      this.set(this.stepBytes, spec.step === undefined ? this.const(0) : m.i32.mul(m.local.get(1, this.i32), this.const(spec.step * simd.bytes))),
    ];
    const params = spec.step === undefined ? binaryen.i32 : binaryen.createType([binaryen.i32, binaryen.i32]);
    const ownPack = this.packed && spec.packExport === undefined;
    const body = [...start(), ...(ownPack ? this.packB() : []), ...this.panels()];
    // A separate packing export takes the same parameters (and ignores them), so both share the locals' numbering.
    const pack = this.packed && spec.packExport !== undefined ? [...start(), ...this.packB()] : null;
    m.addFunction(spec.name, params, binaryen.none, this.locals.vars, m.block(null, body));
    m.addFunctionExport(spec.name, spec.name);
    if (pack) {
      m.addFunction(spec.packExport!, params, binaryen.none, this.locals.vars, m.block(null, pack));
      m.addFunctionExport(spec.packExport!, spec.packExport!);
    }
  }

  private get(local: number): ExprRef {
    return this.simd.m.local.get(local, this.vectors.has(local) ? this.v128 : this.i32);
  }
  private set(local: number, value: ExprRef): ExprRef {
    return this.simd.m.local.set(local, value);
  }
  private const(value: number): ExprRef {
    return this.simd.m.i32.const(value);
  }
  /** The batch dimension's extent: rows of C or A's columns, known at run time. */
  private batch(): ExprRef {
    return this.simd.m.local.get(this.rows, this.i32);
  }
  /** A dimension as an i32 expression. */
  private dim(d: Dim): ExprRef {
    return typeof d === "number" ? this.const(d) : this.batch();
  }

  private panelWidth(): number {
    return this.tile.vecs * this.simd.lanes;
  }

  /** Column panels: the full ones in a loop, then the ragged one. */
  private panels(): ExprRef[] {
    const { simd, spec, tile } = this;
    const width = this.panelWidth();
    const full = Math.floor(spec.n / width);
    const rest = spec.n - full * width;
    const bytes = simd.bytes;
    const stride = (w: number) => (this.packed ? w * bytes : spec.n * bytes);
    const out = [this.set(this.jOff, this.const(0))];
    if (full > 0) {
      const panel: Panel = { vecs: tile.vecs, lastLanes: simd.lanes, strideB: stride(width) };
      out.push(this.loops.repeat(full, [...this.rowTiles(panel), this.loops.advance(this.jOff, width * bytes)]));
    }
    if (rest > 0) {
      const vecs = Math.ceil(rest / simd.lanes);
      const panel: Panel = { vecs, lastLanes: rest - (vecs - 1) * simd.lanes, strideB: stride(vecs * simd.lanes) };
      out.push(...this.rowTiles(panel));
    }
    return out;
  }

  /** Row tiles of one panel: full tiles in a loop, then the remaining rows. */
  private rowTiles(panel: Panel): ExprRef[] {
    const { simd, spec, tile } = this;
    const { m } = simd;
    const out = [this.set(this.iOff, this.const(0))];
    const step = [this.loops.advance(this.iOff, tile.rows * simd.bytes)];
    if (typeof spec.m === "number") {
      out.push(this.loops.repeat(Math.floor(spec.m / tile.rows), [...this.microkernel(tile.rows, panel), ...step]));
      const rest = spec.m % tile.rows;
      if (rest > 0) out.push(...this.microkernel(rest, panel));
      return out;
    }
    out.push(this.loops.repeat(() => m.i32.div_u(this.batch(), this.const(tile.rows)), [...this.microkernel(tile.rows, panel), ...step]));
    const rest = () => m.i32.rem_u(this.batch(), this.const(tile.rows));
    for (let rows = 1; rows < tile.rows; rows++) {
      out.push(m.if(m.i32.eq(rest(), this.const(rows)), m.block(null, this.microkernel(rows, panel))));
    }
    return out;
  }

  /** One register tile: rows × panel.vecs accumulators over all of k, then the epilogue. */
  private microkernel(rows: number, panel: Panel): ExprRef[] {
    const { simd, spec, tile } = this;
    const { m } = simd;
    const bytes = simd.bytes;
    const aStepK = spec.a.trans ? (spec.m as number) * bytes : bytes;
    const rowA = strideA(spec);
    const aRowBytes = spec.a.trans ? bytes : (rowA ?? 0) * bytes;
    const stmts: ExprRef[] = [];
    // A's tile starts at row i0: iOff = i0 × bytes (a batch-long row of A is the only row: i0 = 0).
    const aBase = spec.a.trans ? this.get(this.iOff) : m.i32.mul(this.get(this.iOff), rowA === undefined ? this.batch() : this.const(rowA));
    stmts.push(this.set(this.pa, m.i32.add(m.i32.add(aBase, this.get(this.stepBytes)), this.const(spec.a.addr))));
    // C's tile (and its elem loads) at row i0, column j0.
    stmts.push(this.set(this.eOff, m.i32.add(m.i32.add(m.i32.mul(this.get(this.iOff), this.const(strideC(spec))), this.get(this.jOff)), this.get(this.stepBytes))));
    // B's panel starts at column j0: jOff = j0 × bytes; a packed panel of width w starts at j0 × k.
    const bBase = this.packed ? m.i32.add(m.i32.mul(this.get(this.jOff), this.dim(spec.k)), this.const(spec.pack!)) : m.i32.add(this.get(this.jOff), this.const(spec.b.addr));
    stmts.push(this.set(this.pb, bBase));
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < panel.vecs; v++) stmts.push(this.set(this.acc[r * tile.vecs + v]!, spec.init ? emitVector(simd, spec.init, this.site(r, v)) : simd.zero()));
    }

    const step = (u: number): ExprRef[] => {
      const s: ExprRef[] = [];
      for (let v = 0; v < panel.vecs; v++) s.push(this.set(this.bv[v]!, simd.load(u * panel.strideB + v * VECTOR_BYTES, this.get(this.pb))));
      for (let r = 0; r < rows; r++) {
        s.push(this.set(this.av, simd.loadSplat(r * aRowBytes + u * aStepK, this.get(this.pa))));
        for (let v = 0; v < panel.vecs; v++) {
          const a = this.acc[r * tile.vecs + v]!;
          s.push(this.set(a, simd.add(this.get(a), simd.mul(this.get(this.av), this.get(this.bv[v]!)))));
        }
      }
      return s;
    };
    const advance = (u: number) => [this.loops.advance(this.pa, u * aStepK), this.loops.advance(this.pb, u * panel.strideB)];
    const unroll = tile.unrollK;
    const group = Array.from({ length: unroll }, (_, u) => step(u)).flat();
    if (typeof spec.k === "number") {
      stmts.push(this.loops.repeat(Math.floor(spec.k / unroll), [...group, ...advance(unroll)]));
      for (let u = 0; u < spec.k % unroll; u++) stmts.push(...step(u));
    } else {
      const groups: Count = () => m.i32.div_u(this.batch(), this.const(unroll));
      stmts.push(this.loops.repeat(groups, [...group, ...advance(unroll)]));
      if (unroll > 1) stmts.push(this.loops.repeat(() => m.i32.rem_u(this.batch(), this.const(unroll)), [...step(0), ...advance(1)]));
    }
    stmts.push(...this.epilogue(rows, panel));
    return stmts;
  }

  /** C's element offset of tile row r, vector v. */
  private elemOffset(r: number, v: number): number {
    return (r * strideC(this.spec) + v * this.simd.lanes) * this.simd.bytes;
  }

  /** Where the loads of tile row r, vector v read, and its accumulator. */
  private site(r: number, v: number): Site {
    const offsets: Record<Index, { ptr: () => ExprRef; offset: number }> = {
      elem: { ptr: () => this.get(this.eOff), offset: this.elemOffset(r, v) },
      col: { ptr: () => this.get(this.jOff), offset: v * VECTOR_BYTES },
      row: { ptr: () => this.get(this.iOff), offset: r * this.simd.bytes },
      scalar: { ptr: () => this.const(0), offset: 0 },
    };
    return { acc: () => this.get(this.acc[r * this.tile.vecs + v]!), address: (index: Index) => offsets[index] };
  }

  private epilogue(rows: number, panel: Panel): ExprRef[] {
    const { simd, spec } = this;
    const stmts: ExprRef[] = [];
    for (let r = 0; r < rows; r++) {
      for (let v = 0; v < panel.vecs; v++) {
        const elem = this.elemOffset(r, v);
        const site = this.site(r, v);
        // Every output is computed before any is stored, so an output may overwrite an input.
        spec.outputs.forEach((o, i) => stmts.push(this.set(this.out[i]!, emitVector(simd, o.expr, site))));
        const lanes = v === panel.vecs - 1 ? panel.lastLanes : simd.lanes;
        spec.outputs.forEach((o, i) => {
          const at = o.addr + elem;
          if (lanes === simd.lanes) stmts.push(simd.store(at, this.get(this.eOff), this.get(this.out[i]!)));
          else stmts.push(...simd.storeFirstLanes(at, () => this.get(this.eOff), () => this.get(this.out[i]!), lanes));
        });
      }
    }
    return stmts;
  }

  /** Copies B into column panels: panel p holds columns [p·w, (p+1)·w) as k rows of w. */
  private packB(): ExprRef[] {
    const { simd, spec } = this;
    const { m } = simd;
    const bytes = simd.bytes;
    const width = this.panelWidth();
    const full = Math.floor(spec.n / width);
    const rest = spec.n - full * width;
    const restWidth = Math.ceil(rest / simd.lanes) * simd.lanes;
    const src = this.pa, dst = this.pb, col = this.eOff, k = spec.k;
    const stmts: ExprRef[] = [this.set(col, this.const(spec.pack!))];
    if (spec.b.trans) {
      // B is stored [n × k]: read it in order, write each column of the panel with stride w.
      const kConst = k as number;
      stmts.push(this.set(src, this.const(spec.b.addr)));
      const column = (w: number) => [
        this.set(dst, this.get(col)),
        this.loops.repeat(kConst, [
          simd.storeScalar(0, this.get(dst), simd.loadScalar(0, this.get(src))),
          this.loops.advance(src, bytes),
          this.loops.advance(dst, w * bytes),
        ]),
        this.loops.advance(col, bytes),
      ];
      const panel = (cols: number, w: number) => [
        this.loops.repeat(cols, column(w)),
        this.loops.advance(col, (w * kConst - cols) * bytes),
      ];
      if (full > 0) stmts.push(this.loops.repeat(full, panel(width, width)));
      if (rest > 0) stmts.push(...panel(rest, restWidth));
      return stmts;
    }
    // B is stored [k × n]: copy each row's slice of the panel, vector by vector.
    const panel = (vecs: number) => [
      this.set(src, this.get(this.jOff)),
      this.loops.repeat(typeof k === "number" ? k : () => this.batch(), [
        ...Array.from({ length: vecs }, (_, v) => simd.store(v * VECTOR_BYTES, this.get(col), simd.load(spec.b.addr + v * VECTOR_BYTES, this.get(src)))),
        this.loops.advance(src, spec.n * bytes),
        this.loops.advance(col, vecs * VECTOR_BYTES),
      ]),
      this.loops.advance(this.jOff, vecs * VECTOR_BYTES),
    ];
    stmts.push(this.set(this.jOff, this.const(0)));
    if (full > 0) stmts.push(this.loops.repeat(full, panel(this.tile.vecs)));
    if (rest > 0) stmts.push(...panel(restWidth / simd.lanes));
    return stmts;
  }
}
