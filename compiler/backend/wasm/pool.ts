// Max pooling over non-overlapping k×k windows (stride k) of images [N,C,H,W], and its derivative
// (addMaxPoolBackward, at the end), in f32x4 or f64x2:
// a vector holds `lanes` neighbouring outputs of one row. Their window pixels sit k apart in the
// input row, so each (window row, window column) is gathered into a vector: for k ≤ 2 from two
// loads and one shuffle, otherwise lane by lane. The maximum follows the JavaScript kernel
// exactly (backend/js/pool.ts): pixels in row-major order, a later pixel wins when it is larger or
// NaN, so the first maximum and the last NaN win, as in PyTorch.
import type { ExprRef } from "./binaryen.js";
import { Loops } from "./loops.js";
import type { Dim } from "./matmul.js";
import { Locals, VECTOR_BYTES, type Simd } from "./simd.js";

export interface MaxPoolSpec {
  name: string;
  /** Images per call: a constant or the batch (the kernel's parameter). */
  n: Dim;
  C: number;
  H: number;
  W: number;
  k: number;
  x: number;
  out: number;
}

/** Up to this many output vectors a plane is straight-line code; larger planes loop over rows. */
const PLANE_VECTORS = 64;

export function addMaxPool(simd: Simd, spec: MaxPoolSpec): void {
  const { m, binaryen } = simd;
  const { i32, v128 } = binaryen;
  const locals = new Locals(1);
  const loops = new Loops(binaryen, m, locals);
  const [pin, pout] = [locals.add(i32), locals.add(i32)];
  const [best, v, lo, hi] = [locals.add(v128), locals.add(v128), locals.add(v128), locals.add(v128)];
  const { H, W, k } = spec;
  const bytes = simd.bytes, lanes = simd.lanes;
  const OH = Math.floor(H / k), OW = Math.floor(W / k), V = Math.ceil(OW / lanes);
  const get = (l: number, type = v128) => m.local.get(l, type);

  /** Lanes j < count of input elements at byte offsets first + j·k·bytes from pin. */
  const gather = (first: number, count: number): ExprRef[] => {
    if (count === lanes && k === 1) return [m.local.set(v, simd.load(first, get(pin, i32)))];
    if (count === lanes && k === 2) {
      // The second load may read one element past the row's last window (the memory's slack at its end).
      const load = [m.local.set(lo, simd.load(first, get(pin, i32))), m.local.set(hi, simd.load(first + VECTOR_BYTES, get(pin, i32)))];
      const mask = Array.from({ length: lanes }, (_, j) => Array.from({ length: bytes }, (_, b) => j * k * bytes + b)).flat();
      return [...load, m.local.set(v, m.i8x16.shuffle(get(lo), get(hi), mask))];
    }
    const ops = simd.dtype === "f32" ? m.f32x4 : m.f64x2;
    let value = simd.loadSplat(first, get(pin, i32));
    for (let j = 1; j < count; j++) value = ops.replace_lane(value, j as never, simd.loadScalar(first + j * k * bytes, get(pin, i32)));
    return [m.local.set(v, value)];
  };
  /** One output vector: row `r` (relative to pout's row), vector `c`. */
  const output = (r: number, c: number): ExprRef[] => {
    const count = Math.min(lanes, OW - c * lanes);
    const stmts: ExprRef[] = [];
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        stmts.push(...gather(((r * k + a) * W + c * lanes * k + b) * bytes, count));
        if (a === 0 && b === 0) stmts.push(m.local.set(best, get(v)));
        else {
          const wins = m.v128.or(simd.compare("gt", get(v), get(best)), simd.compare("ne", get(v), get(v)));
          stmts.push(m.local.set(best, simd.select(wins, get(v), get(best))));
        }
      }
    }
    const at = (r * OW + c * lanes) * bytes;
    if (count === lanes) stmts.push(simd.store(at, get(pout, i32), get(best)));
    else stmts.push(...simd.storeFirstLanes(at, () => get(pout, i32), () => get(best), count));
    return stmts;
  };
  const rows = (count: number): ExprRef[] => Array.from({ length: count }, (_, r) => Array.from({ length: V }, (_, c) => output(r, c)).flat()).flat();

  let plane: ExprRef[];
  if (OH * V <= PLANE_VECTORS) plane = [...rows(OH), loops.advance(pin, H * W * bytes), loops.advance(pout, OH * OW * bytes)];
  else {
    // Row by row; the rows past the last window (H mod k of them) are skipped at the plane's end.
    plane = [loops.repeat(OH, [...rows(1), loops.advance(pin, k * W * bytes), loops.advance(pout, OW * bytes)]), loops.advance(pin, (H - OH * k) * W * bytes)];
  }
  const planes = typeof spec.n === "number" ? spec.n * spec.C : () => m.i32.mul(m.local.get(0, i32), m.i32.const(spec.C));
  const body = [m.local.set(pin, m.i32.const(spec.x)), m.local.set(pout, m.i32.const(spec.out)), loops.repeat(planes, plane)];
  m.addFunction(spec.name, i32, binaryen.none, locals.vars, m.block(null, body));
  m.addFunctionExport(spec.name, spec.name);
}

export interface MaxPoolBackwardSpec extends MaxPoolSpec {
  /** The output gradient [N,C,OH,OW]; `out` is dx [N,C,H,W]. */
  g: number;
}

/**
 * dx of max pooling: each window's gradient to the pixel the forward pass picked (the same
 * comparisons, kept as lane masks: the last pixel that won), +0 everywhere else. For k = 2 a
 * window row's two masked vectors are interleaved into two stores; otherwise lane by lane.
 */
export function addMaxPoolBackward(simd: Simd, spec: MaxPoolBackwardSpec): void {
  const { m, binaryen } = simd;
  const { i32, v128 } = binaryen;
  const locals = new Locals(1);
  const loops = new Loops(binaryen, m, locals);
  const [pin, pout, pg] = [locals.add(i32), locals.add(i32), locals.add(i32)];
  const { H, W, k } = spec;
  const taps = k * k;
  const [best, later, gv, lo, hi] = Array.from({ length: 5 }, () => locals.add(v128));
  const v = Array.from({ length: taps }, () => locals.add(v128));
  const wins = Array.from({ length: taps }, () => locals.add(v128));
  const bytes = simd.bytes, lanes = simd.lanes;
  const OH = Math.floor(H / k), OW = Math.floor(W / k), V = Math.ceil(OW / lanes);
  const get = (l: number, type = v128) => m.local.get(l, type);
  const set = (l: number, value: ExprRef) => m.local.set(l, value);
  const ops = simd.dtype === "f32" ? m.f32x4 : m.f64x2;

  const gather = (into: number, first: number, count: number): ExprRef[] => {
    if (count === lanes && k === 1) return [set(into, simd.load(first, get(pin, i32)))];
    if (count === lanes && k === 2) {
      const mask = Array.from({ length: lanes }, (_, j) => Array.from({ length: bytes }, (_, b) => j * k * bytes + b)).flat();
      return [set(lo, simd.load(first, get(pin, i32))), set(hi, simd.load(first + VECTOR_BYTES, get(pin, i32))), set(into, m.i8x16.shuffle(get(lo), get(hi), mask))];
    }
    let value = simd.loadSplat(first, get(pin, i32));
    for (let j = 1; j < count; j++) value = ops.replace_lane(value, j as never, simd.loadScalar(first + j * k * bytes, get(pin, i32)));
    return [set(into, value)];
  };
  const output = (r: number, c: number): ExprRef[] => {
    const count = Math.min(lanes, OW - c * lanes);
    const pixel = (a: number, b: number) => ((r * k + a) * W + c * lanes * k + b) * bytes;
    const stmts: ExprRef[] = [];
    for (let t = 0; t < taps; t++) {
      stmts.push(...gather(v[t]!, pixel(Math.floor(t / k), t % k), count));
      if (t === 0) stmts.push(set(best, get(v[0]!)), set(wins[0]!, m.v128.const(new Uint8Array(VECTOR_BYTES).fill(0xff))));
      else {
        stmts.push(set(wins[t]!, m.v128.or(simd.compare("gt", get(v[t]!), get(best)), simd.compare("ne", get(v[t]!), get(v[t]!)))));
        stmts.push(set(best, simd.select(get(wins[t]!), get(v[t]!), get(best))));
      }
    }
    // The pixel that won last is the one picked: tap t's mask without any later tap's.
    stmts.push(set(gv, simd.load((r * OW + c * lanes) * bytes, get(pg, i32))), set(later, simd.zero()));
    for (let t = taps - 1; t >= 0; t--) {
      stmts.push(set(v[t]!, m.v128.and(get(gv), m.v128.andnot(get(wins[t]!), get(later)))));
      if (t > 0) stmts.push(set(later, m.v128.or(get(later), get(wins[t]!))));
    }
    if (count === lanes && k === 1) stmts.push(simd.store(pixel(0, 0), get(pout, i32), get(v[0]!)));
    else if (count === lanes && k === 2) {
      const pick = (half: number) => Array.from({ length: lanes }, (_, j) => (j % 2) * lanes + half * (lanes / 2) + Math.floor(j / 2)).flatMap((e) => Array.from({ length: bytes }, (_, b) => e * bytes + b));
      for (let a = 0; a < 2; a++) {
        stmts.push(simd.store(pixel(a, 0), get(pout, i32), m.i8x16.shuffle(get(v[a * 2]!), get(v[a * 2 + 1]!), pick(0))));
        stmts.push(simd.store(pixel(a, 0) + VECTOR_BYTES, get(pout, i32), m.i8x16.shuffle(get(v[a * 2]!), get(v[a * 2 + 1]!), pick(1))));
      }
    } else {
      for (let j = 0; j < count; j++) {
        for (let t = 0; t < taps; t++) stmts.push(simd.storeScalar(pixel(Math.floor(t / k), t % k) + j * k * bytes, get(pout, i32), ops.extract_lane(get(v[t]!), j as never)));
      }
    }
    return stmts;
  };
  const rows = (count: number): ExprRef[] => Array.from({ length: count }, (_, r) => Array.from({ length: V }, (_, c) => output(r, c)).flat()).flat();
  const planeBytes = H * W * bytes;
  let plane: ExprRef[];
  if (OH * V <= PLANE_VECTORS) plane = [...rows(OH)];
  else plane = [loops.repeat(OH, [...rows(1), loops.advance(pin, k * W * bytes), loops.advance(pout, k * W * bytes), loops.advance(pg, OW * bytes)]), loops.advance(pin, -OH * k * W * bytes), loops.advance(pout, -OH * k * W * bytes), loops.advance(pg, -OH * OW * bytes)];
  plane.push(loops.advance(pin, planeBytes), loops.advance(pout, planeBytes), loops.advance(pg, OH * OW * bytes));
  // Pixels no window covers (the last H mod k rows, W mod k columns) are zero: zero every plane first.
  const covered = H % k === 0 && W % k === 0;
  const count = typeof spec.n === "number" ? spec.n * spec.C : () => m.i32.mul(m.local.get(0, i32), m.i32.const(spec.C));
  const zero: ExprRef[] = [];
  if (!covered) {
    const full = Math.floor((H * W) / lanes), rest = H * W - full * lanes;
    const zeroPlane = [
      ...Array.from({ length: full }, (_, i) => simd.store(i * VECTOR_BYTES, get(pout, i32), simd.zero())),
      ...Array.from({ length: rest }, (_, i) => simd.storeScalar(full * VECTOR_BYTES + i * bytes, get(pout, i32), simd.dtype === "f32" ? m.f32.const(0) : m.f64.const(0))),
      loops.advance(pout, planeBytes),
    ];
    zero.push(set(pout, m.i32.const(spec.out)), loops.repeat(count, zeroPlane));
  }
  const body = [...zero, set(pin, m.i32.const(spec.x)), set(pout, m.i32.const(spec.out)), set(pg, m.i32.const(spec.g)), loops.repeat(count, plane)];
  m.addFunction(spec.name, i32, binaryen.none, locals.vars, m.block(null, body));
  m.addFunctionExport(spec.name, spec.name);
}
