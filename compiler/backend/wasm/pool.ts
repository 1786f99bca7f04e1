// Max pooling over non-overlapping k×k windows (stride k) of images [N,C,H,W], in f32x4 or f64x2:
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
