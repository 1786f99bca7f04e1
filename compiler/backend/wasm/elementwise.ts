// A flat elementwise kernel: outputs[i] = expr(i) for i < count over arrays laid out in linear
// memory, one vector at a time; the ragged end stores only its valid lanes. Used for the
// optimizer's update (parameters, gradients and optimizer state updated in one pass).
import type { ExprRef } from "./binaryen.js";
import { emitVector, type Expr, type Index } from "./expr.js";
import { Loops } from "./loops.js";
import { Locals, VECTOR_BYTES, type Simd } from "./simd.js";

export interface ElementwiseSpec {
  name: string;
  count: number;
  outputs: { addr: number; expr: Expr }[];
  /** Float64 parameters after the row count (read with `param(i)`). */
  floatParams: number;
}

export function addElementwise(simd: Simd, spec: ElementwiseSpec): void {
  const { m, binaryen } = simd;
  const params = [binaryen.i32, ...Array.from({ length: spec.floatParams }, () => binaryen.f64)];
  const locals = new Locals(params.length);
  const loops = new Loops(binaryen, m, locals);
  const ptr = locals.add(binaryen.i32);
  const values = spec.outputs.map(() => locals.add(binaryen.v128));
  const site = { address: (index: Index) => ({ ptr: () => (index === "elem" ? m.local.get(ptr, binaryen.i32) : m.i32.const(0)), offset: 0 }) };
  const vector = (lanes: number): ExprRef[] => {
    // Every output is computed before any is stored: an output may be another's input.
    const stmts = spec.outputs.map((o, i) => m.local.set(values[i]!, emitVector(simd, o.expr, site)));
    spec.outputs.forEach((o, i) => {
      const value = () => m.local.get(values[i]!, binaryen.v128);
      if (lanes === simd.lanes) stmts.push(simd.store(o.addr, m.local.get(ptr, binaryen.i32), value()));
      else stmts.push(...simd.storeFirstLanes(o.addr, () => m.local.get(ptr, binaryen.i32), value, lanes));
    });
    return stmts;
  };
  const full = Math.floor(spec.count / simd.lanes);
  const rest = spec.count - full * simd.lanes;
  const body = [m.local.set(ptr, m.i32.const(0)), loops.repeat(full, [...vector(simd.lanes), loops.advance(ptr, VECTOR_BYTES)])];
  if (rest > 0) body.push(...vector(rest));
  m.addFunction(spec.name, binaryen.createType(params), binaryen.none, locals.vars, m.block(null, body));
  m.addFunctionExport(spec.name, spec.name);
}
