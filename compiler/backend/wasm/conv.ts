// Shape-specialized SIMD 2-d convolution (conv2d's forward pass, and its input derivative for
// stride 1) with a fused elementwise epilogue, in f32x4 or f64x2. Every size is a constant except the number of images, which may
// be the batch passed at run time; the output stays [N, F, OH, OW].
//
// Vectors run along an output row: `lanes` neighbouring output pixels of one filter, so a
// register tile (`vecs` pixel vectors × `filters` filters) stores straight into the NCHW output.
// Each image is first copied into a zeroed scratch area with its padding (and, for a stride s > 1,
// split into s × s phase planes: padded pixel (r, c) goes to phase (r mod s, c mod s) at
// (r div s, c div s)), so that every tap of every output pixel reads a valid element and the
// `lanes` inputs of a tap are contiguous: no border cases and no strided loads in the hot loop.
// A tap reads zeros where the JavaScript kernel skips it: the sum is the same for finite weights
// (w·0 = ±0 changes no sum); channels are added in a different order than JavaScript's per-channel
// partial sums, which changes float64 results only in the last bits.
//
// The loop nest per image: copy it into scratch; for each group of `filters` filters, for each
// tile of pixel vectors (straight-line over the whole plane when it is small, else over blocks of
// rows), `filters` × `vecs` accumulators over the channels and the k×k taps (taps unrolled, each
// weight a broadcast load), then the epilogue (bias, activation) and the stores.
import type { ExprRef } from "./binaryen.js";
import { emitVector, type Expr, type Index } from "./expr.js";
import { Loops } from "./loops.js";
import type { Dim } from "./matmul.js";
import { ELEMENT_BYTES, Locals, VECTOR_BYTES, type DType, type Simd } from "./simd.js";

/** A convolution's sizes, shared by its forward kernel and its weight derivative's. */
export interface ConvShape {
  name: string;
  /** Images per call: a constant or the batch (the kernel's parameter). */
  n: Dim;
  C: number;
  H: number;
  W: number;
  F: number;
  k: number;
  stride: number;
  padding: number;
}

export interface ConvSpec extends ConvShape {
  /** Byte addresses of the images [N,C,H,W] and the weights [F,C,k,k]. */
  x: number;
  w: number;
  /**
   * What each output element becomes; `acc` is the convolution at it. Loads index the output's
   * element ("elem": a buffer shaped like the output), its filter ("row": one value per filter,
   * a bias) or one value ("scalar").
   */
  outputs: { addr: number; expr: Expr }[];
  /**
   * Where weight (filter f, channel c, tap ki·k + kj) is, in elements: f·filterStride +
   * c·channelStride + tap, the tap mirrored (ki, kj → k-1-ki, k-1-kj) when `flipped`. Default
   * [F,C,k,k] as stored; conv2d's input derivative (a stride-1 convolution of the output gradient)
   * reads the same array with filters and channels swapped and taps flipped.
   */
  weights?: { filterStride: number; channelStride: number; flipped: boolean };
  /** Scratch bytes (convScratchBytes) for one padded image; only this kernel uses them. */
  scratch?: number;
  tile?: Partial<ConvTile>;
}

export interface ConvTile {
  /** Pixel vectors per register tile. */
  vecs: number;
  /** Filters per register tile. */
  filters: number;
}

/** 4 pixel vectors × 4 filters (16 accumulators) measured best on W6 in f32 (4×2, 4×3,
 *  2×4, 8×2, 4×6, 4×8 were 5–20% slower); f64 barely cares. */
export const DEFAULT_CONV_TILE: ConvTile = { vecs: 4, filters: 4 };

/** Up to this many pixel vectors a plane's tiles are straight-line code; larger planes loop over rows. */
const PLANE_VECTORS = 64;

interface Geometry {
  OH: number;
  OW: number;
  /** Pixel vectors per output row. */
  V: number;
  /** A phase plane's rows and row length (the padded image when the stride is 1). */
  SH: number;
  SW: number;
  /** Elements per channel in scratch: stride² phase planes. */
  chan: number;
}

export function convGeometry(spec: ConvShape, dtype: DType): Geometry {
  const lanes = VECTOR_BYTES / ELEMENT_BYTES[dtype];
  const { H, W, k, stride: s, padding: p } = spec;
  const OH = Math.floor((H + 2 * p - k) / s) + 1, OW = Math.floor((W + 2 * p - k) / s) + 1;
  const SH = Math.ceil((H + 2 * p) / s), SW = Math.ceil((W + 2 * p) / s);
  return { OH, OW, V: Math.ceil(OW / lanes), SH, SW, chan: s * s * SH * SW };
}

/** One padded image plus a vector of slack (a ragged pixel vector reads past its row), in whole vectors. */
export function convScratchBytes(spec: ConvSpec, dtype: DType): number {
  const g = convGeometry(spec, dtype);
  return Math.ceil((spec.C * g.chan * ELEMENT_BYTES[dtype]) / VECTOR_BYTES) * VECTOR_BYTES + VECTOR_BYTES;
}

export function addConv(simd: Simd, spec: ConvSpec): void {
  new ConvGenerator(simd, spec).add();
}

/** A pixel vector of a tile: its output row (relative to the row block) and vector in the row. */
interface PixelVector {
  row: number;
  vec: number;
}

class ConvGenerator {
  private readonly locals = new Locals(1);
  private readonly loops: Loops;
  private readonly tile: ConvTile;
  private readonly g: Geometry;
  private readonly weights: NonNullable<ConvSpec["weights"]>;
  private readonly i32: number;
  private readonly v128: number;
  /** Input image pointer, output byte offset of the current filter group, weights of the group, filter byte offset. */
  private readonly px: number;
  private readonly pe: number;
  private readonly pw: number;
  private readonly pf: number;
  /** Per channel in a tile: scratch pointer and weights pointer; byte offsets of the row block (output, scratch). */
  private readonly ps: number;
  private readonly pwc: number;
  private readonly rowOut: number;
  private readonly rowIn: number;
  private readonly acc: number[];
  private readonly wv: number[];
  private readonly xv: number;
  private readonly out: number[];
  private readonly vectors: Set<number>;

  constructor(
    private readonly simd: Simd,
    private readonly spec: ConvSpec,
  ) {
    const { binaryen } = simd;
    this.i32 = binaryen.i32;
    this.v128 = binaryen.v128;
    this.loops = new Loops(binaryen, simd.m, this.locals);
    this.tile = { ...DEFAULT_CONV_TILE, ...spec.tile };
    this.g = convGeometry(spec, simd.dtype);
    this.weights = spec.weights ?? { filterStride: spec.C * spec.k * spec.k, channelStride: spec.k * spec.k, flipped: false };
    if (spec.scratch === undefined) throw new Error(`${spec.name}: a convolution needs its scratch area`);
    const add = (type: number) => this.locals.add(type);
    [this.px, this.pe, this.pw, this.pf, this.ps, this.pwc, this.rowOut, this.rowIn] = Array.from({ length: 8 }, () => add(this.i32));
    this.acc = Array.from({ length: this.tile.vecs * this.tile.filters }, () => add(this.v128));
    this.wv = Array.from({ length: this.tile.filters }, () => add(this.v128));
    this.xv = add(this.v128);
    this.out = spec.outputs.map(() => add(this.v128));
    this.vectors = new Set([...this.acc, ...this.wv, this.xv, ...this.out]);
  }

  add(): void {
    const { simd, spec } = this;
    const { m } = simd;
    const body = [
      ...this.zeroScratch(),
      this.set(this.px, this.const(spec.x)),
      this.set(this.pe, this.const(0)),
      this.loops.repeat(typeof spec.n === "number" ? spec.n : () => m.local.get(0, this.i32), [
        ...this.copyImage(),
        ...this.filterGroups(),
        this.loops.advance(this.px, spec.C * spec.H * spec.W * simd.bytes),
      ]),
    ];
    m.addFunction(spec.name, this.i32, simd.binaryen.none, this.locals.vars, m.block(null, body));
    m.addFunctionExport(spec.name, spec.name);
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

  /** Padding stays zero: images are copied into the same positions every time. */
  private zeroScratch(): ExprRef[] {
    const { simd, spec } = this;
    const vectors = convScratchBytes(spec, simd.dtype) / VECTOR_BYTES;
    return [this.set(this.ps, this.const(spec.scratch!)), this.loops.repeat(vectors, [simd.store(0, this.get(this.ps), simd.zero()), this.loops.advance(this.ps, VECTOR_BYTES)])];
  }

  /** The image at px into scratch, channel by channel: whole vectors along a row when the stride is 1, else element by element. */
  private copyImage(): ExprRef[] {
    const { simd, spec, g } = this;
    const { H, W, stride: s, padding: p } = spec;
    const bytes = simd.bytes;
    const dst = (r: number, c: number) => {
      const [R, Cc] = [r + p, c + p];
      return ((((R % s) * s + (Cc % s)) * g.SH + Math.floor(R / s)) * g.SW + Math.floor(Cc / s)) * bytes;
    };
    const copies: ExprRef[] = [];
    for (let r = 0; r < H; r++) {
      let c = 0;
      if (s === 1) {
        for (; c + simd.lanes <= W; c += simd.lanes) copies.push(simd.store(dst(r, c), this.get(this.ps), simd.load((r * W + c) * bytes, this.get(this.pwc))));
      }
      for (; c < W; c++) copies.push(simd.storeScalar(dst(r, c), this.get(this.ps), simd.loadScalar((r * W + c) * bytes, this.get(this.pwc))));
    }
    // pwc walks the source image here (it is free until the tiles).
    return [
      this.set(this.ps, this.const(spec.scratch!)),
      this.set(this.pwc, this.get(this.px)),
      this.loops.repeat(spec.C, [...copies, this.loops.advance(this.ps, g.chan * bytes), this.loops.advance(this.pwc, H * W * bytes)]),
    ];
  }

  private filterGroups(): ExprRef[] {
    const { spec, tile, g, simd } = this;
    const planeBytes = g.OH * g.OW * simd.bytes;
    const full = Math.floor(spec.F / tile.filters), rest = spec.F % tile.filters;
    const group = (filters: number) => [...this.rowBlocks(filters), this.loops.advance(this.pw, filters * this.weights.filterStride * simd.bytes), this.loops.advance(this.pf, filters * simd.bytes), this.loops.advance(this.pe, filters * planeBytes)];
    const out = [this.set(this.pw, this.const(spec.w)), this.set(this.pf, this.const(0)), this.loops.repeat(full, group(tile.filters))];
    if (rest > 0) out.push(...group(rest));
    return out;
  }

  /** The plane's pixel vectors in tiles: all at once when the plane is small, else blocks of rows in a loop. */
  private rowBlocks(filters: number): ExprRef[] {
    const { g, tile, simd } = this;
    const block = (rows: number) => {
      const vectors: PixelVector[] = [];
      for (let row = 0; row < rows; row++) for (let vec = 0; vec < g.V; vec++) vectors.push({ row, vec });
      const tiles: ExprRef[] = [];
      for (let i = 0; i < vectors.length; i += tile.vecs) tiles.push(...this.tileCode(vectors.slice(i, i + tile.vecs), filters));
      return tiles;
    };
    const out = [this.set(this.rowOut, this.const(0)), this.set(this.rowIn, this.const(0))];
    if (g.OH * g.V <= PLANE_VECTORS) return [...out, ...block(g.OH)];
    const rows = Math.max(1, Math.floor(tile.vecs / g.V));
    const advance = [this.loops.advance(this.rowOut, rows * g.OW * simd.bytes), this.loops.advance(this.rowIn, rows * g.SW * simd.bytes)];
    out.push(this.loops.repeat(Math.floor(g.OH / rows), [...block(rows), ...advance]));
    if (g.OH % rows > 0) out.push(...block(g.OH % rows));
    return out;
  }

  /** filters × vectors accumulators over every channel and tap, then the epilogue. */
  private tileCode(vectors: PixelVector[], filters: number): ExprRef[] {
    const { simd, spec, g, tile } = this;
    const { m } = simd;
    const { k, stride: s, C } = spec;
    const bytes = simd.bytes;
    const accOf = (f: number, v: number) => this.acc[f * tile.vecs + v]!;
    const stmts: ExprRef[] = [];
    for (let f = 0; f < filters; f++) for (let v = 0; v < vectors.length; v++) stmts.push(this.set(accOf(f, v), simd.zero()));
    const taps: ExprRef[] = [];
    for (let ki = 0; ki < k; ki++) {
      for (let kj = 0; kj < k; kj++) {
        const tap = this.weights.flipped ? (k - 1 - ki) * k + (k - 1 - kj) : ki * k + kj;
        for (let f = 0; f < filters; f++) taps.push(this.set(this.wv[f]!, simd.loadSplat((f * this.weights.filterStride + tap) * bytes, this.get(this.pwc))));
        const phase = ((ki % s) * s + (kj % s)) * g.SH * g.SW;
        vectors.forEach(({ row, vec }, v) => {
          const at = (phase + (row + Math.floor(ki / s)) * g.SW + vec * simd.lanes + Math.floor(kj / s)) * bytes;
          taps.push(this.set(this.xv, simd.load(at, this.get(this.ps))));
          for (let f = 0; f < filters; f++) {
            const a = accOf(f, v);
            taps.push(this.set(a, simd.add(this.get(a), simd.mul(this.get(this.xv), this.get(this.wv[f]!)))));
          }
        });
      }
    }
    stmts.push(
      this.set(this.ps, m.i32.add(this.get(this.rowIn), this.const(spec.scratch!))),
      this.set(this.pwc, this.get(this.pw)),
      this.loops.repeat(C, [...taps, this.loops.advance(this.ps, g.chan * bytes), this.loops.advance(this.pwc, this.weights.channelStride * bytes)]),
    );
    return [...stmts, ...this.epilogue(vectors, filters)];
  }

  private epilogue(vectors: PixelVector[], filters: number): ExprRef[] {
    const { simd, spec, g, tile } = this;
    const { m } = simd;
    const bytes = simd.bytes;
    // Output element offset of the tile's row block; eOff-like pointer recomputed per tile.
    const stmts: ExprRef[] = [this.set(this.ps, m.i32.add(this.get(this.pe), this.get(this.rowOut)))];
    const ragged = g.OW % simd.lanes;
    for (let f = 0; f < filters; f++) {
      vectors.forEach(({ row, vec }, v) => {
        const elem = (f * g.OH * g.OW + row * g.OW + vec * simd.lanes) * bytes;
        const offsets: Record<Index, { ptr: () => ExprRef; offset: number }> = {
          elem: { ptr: () => this.get(this.ps), offset: elem },
          row: { ptr: () => this.get(this.pf), offset: f * bytes },
          scalar: { ptr: () => this.const(0), offset: 0 },
          col: { ptr: () => { throw new Error(`${spec.name}: a convolution's epilogue has no columns`); }, offset: 0 },
        };
        const site = { acc: () => this.get(this.acc[f * tile.vecs + v]!), address: (index: Index) => offsets[index] };
        // Every output is computed before any is stored, so an output may overwrite an input.
        spec.outputs.forEach((o, i) => stmts.push(this.set(this.out[i]!, emitVector(simd, o.expr, site))));
        const lanes = vec === g.V - 1 && ragged > 0 ? ragged : simd.lanes;
        spec.outputs.forEach((o, i) => {
          const at = o.addr + elem;
          if (lanes === simd.lanes) stmts.push(simd.store(at, this.get(this.ps), this.get(this.out[i]!)));
          else stmts.push(...simd.storeFirstLanes(at, () => this.get(this.ps), () => this.get(this.out[i]!), lanes));
        });
      });
    }
    return stmts;
  }
}
