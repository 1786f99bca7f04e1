// conv2d's weight derivative dW[f,c,tap] = Σ over images and output positions of g·x, in f32x4
// or f64x2. The images are first copied into scratch padded and split into stride phases as the
// forward kernel does (conv.ts), so a tap's inputs for `lanes` neighbouring output pixels are one
// vector load. For each (filter, channel) the k×k taps' sums are vectors in registers over every
// image and pixel vector of the plane; the lanes are added at the end. A ragged pixel vector's
// gradient lanes past the row are masked to zero. Shape-specialized: every size but the number of
// images is a constant, and the plane's pixel vectors are straight-line code.
import type { ExprRef } from "./binaryen.js";
import { convGeometry, type ConvShape } from "./conv.js";
import { Loops } from "./loops.js";
import { maxOf } from "./matmul.js";
import { ELEMENT_BYTES, Locals, VECTOR_BYTES, type DType, type Simd } from "./simd.js";

export interface ConvWeightSpec extends ConvShape {
  /** Byte addresses of the images [N,C,H,W], the output gradient [N,F,OH,OW] and dW [F,C,k,k]. */
  x: number;
  g: number;
  out: number;
  /** Scratch bytes (convWeightScratchBytes): every image of a batch padded. */
  scratch?: number;
}

/** Largest plane (in pixel vectors) whose positions are unrolled; larger ones stay JavaScript. */
export const WEIGHT_PLANE_VECTORS = 64;


export function convWeightScratchBytes(spec: ConvWeightSpec, dtype: DType): number {
  const g = convGeometry(spec, dtype);
  return Math.ceil((maxOf(spec.n) * spec.C * g.chan * ELEMENT_BYTES[dtype]) / VECTOR_BYTES) * VECTOR_BYTES + VECTOR_BYTES;
}

export function addConvWeight(simd: Simd, spec: ConvWeightSpec): void {
  const { m, binaryen } = simd;
  const { i32, v128 } = binaryen;
  if (spec.scratch === undefined) throw new Error(`${spec.name}: needs its scratch area`);
  const locals = new Locals(1);
  const loops = new Loops(binaryen, m, locals);
  const add = (type: number) => locals.add(type);
  const [ps, px, pg, psC, pgF, po] = Array.from({ length: 6 }, () => add(i32));
  const taps = spec.k * spec.k;
  const acc = Array.from({ length: taps }, () => add(v128));
  const gv = add(v128);
  const geo = convGeometry(spec, simd.dtype);
  const { C, H, W, F, k, stride: s, padding: p } = spec;
  const bytes = simd.bytes, lanes = simd.lanes;
  const OH = geo.OH, OW = geo.OW;
  const get = (l: number, type = i32) => m.local.get(l, type);
  const set = (l: number, v: ExprRef) => m.local.set(l, v);
  const images = typeof spec.n === "number" ? spec.n : () => get(0);

  // 1. Every image into scratch, padded: zeroed first (only the n images used).
  const imageBytes = C * geo.chan * bytes;
  const zero = [
    set(ps, m.i32.const(spec.scratch)),
    loops.repeat(typeof spec.n === "number" ? Math.ceil((spec.n * imageBytes) / VECTOR_BYTES) : () => m.i32.div_u(m.i32.add(m.i32.mul(get(0), m.i32.const(imageBytes)), m.i32.const(VECTOR_BYTES - 1)), m.i32.const(VECTOR_BYTES)), [
      simd.store(0, get(ps), simd.zero()),
      loops.advance(ps, VECTOR_BYTES),
    ]),
  ];
  const dst = (r: number, c: number) => {
    const [R, Cc] = [r + p, c + p];
    return ((((R % s) * s + (Cc % s)) * geo.SH + Math.floor(R / s)) * geo.SW + Math.floor(Cc / s)) * bytes;
  };
  const rowCopies: ExprRef[] = [];
  for (let r = 0; r < H; r++) {
    let c = 0;
    if (s === 1) for (; c + lanes <= W; c += lanes) rowCopies.push(simd.store(dst(r, c), get(ps), simd.load((r * W + c) * bytes, get(px))));
    for (; c < W; c++) rowCopies.push(simd.storeScalar(dst(r, c), get(ps), simd.loadScalar((r * W + c) * bytes, get(px))));
  }
  // Images are consecutive, and so are their channels: one loop over n·C channel planes.
  const planes = typeof spec.n === "number" ? spec.n * C : () => m.i32.mul(get(0), m.i32.const(C));
  const copy = [
    set(ps, m.i32.const(spec.scratch)),
    set(px, m.i32.const(spec.x)),
    loops.repeat(planes, [...rowCopies, loops.advance(ps, geo.chan * bytes), loops.advance(px, H * W * bytes)]),
  ];

  // 2. For each (f, c): the taps' vector sums over images and pixel vectors, then their lanes added.
  const ragged = OW % lanes;
  const maskBytes = new Uint8Array(VECTOR_BYTES);
  maskBytes.fill(0xff, 0, ragged * bytes);
  const perImage: ExprRef[] = [];
  for (let oh = 0; oh < OH; oh++) {
    for (let v = 0; v * lanes < OW; v++) {
      const load = simd.load((oh * OW + v * lanes) * bytes, get(pg));
      perImage.push(set(gv, ragged > 0 && (v + 1) * lanes > OW ? m.v128.and(load, m.v128.const(maskBytes)) : load));
      for (let ki = 0; ki < k; ki++) {
        for (let kj = 0; kj < k; kj++) {
          const phase = ((ki % s) * s + (kj % s)) * geo.SH * geo.SW;
          const at = (phase + (oh + Math.floor(ki / s)) * geo.SW + v * lanes + Math.floor(kj / s)) * bytes;
          const a = acc[ki * k + kj]!;
          perImage.push(set(a, simd.add(get(a, v128), simd.mul(get(gv, v128), simd.load(at, get(ps))))));
        }
      }
    }
  }
  const ops = simd.dtype === "f32" ? m.f32x4 : m.f64x2;
  const laneSum = (a: number): ExprRef => {
    let sum = ops.extract_lane(get(a, v128), 0 as never);
    for (let l = 1; l < lanes; l++) sum = simd.dtype === "f32" ? m.f32.add(sum, ops.extract_lane(get(a, v128), l as never)) : m.f64.add(sum, ops.extract_lane(get(a, v128), l as never));
    return sum;
  };
  const perPair = [
    ...acc.map((a) => set(a, simd.zero())),
    set(ps, get(psC)),
    set(pg, get(pgF)),
    loops.repeat(images, [...perImage, loops.advance(ps, imageBytes), loops.advance(pg, F * OH * OW * bytes)]),
    ...acc.map((a, t) => simd.storeScalar(t * bytes, get(po), laneSum(a))),
    loops.advance(po, taps * bytes),
    loops.advance(psC, geo.chan * bytes),
  ];
  const body = [
    ...zero,
    ...copy,
    set(po, m.i32.const(spec.out)),
    set(pgF, m.i32.const(spec.g)),
    loops.repeat(F, [set(psC, m.i32.const(spec.scratch)), loops.repeat(C, perPair), loops.advance(pgF, OH * OW * bytes)]),
  ];
  m.addFunction(spec.name, i32, binaryen.none, locals.vars, m.block(null, body));
  m.addFunctionExport(spec.name, spec.name);
}
