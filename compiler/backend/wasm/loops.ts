// Structured loops for kernel generators: a counted loop whose count is a constant (unrolled
// away when 0 or 1) or an i32 expression known only at run time (the batch size).
import type { ExprRef, WasmModule } from "./binaryen.js";
import type { Binaryen } from "./binaryen.js";
import type { Locals } from "./simd.js";

export type Count = number | (() => ExprRef);

export class Loops {
  private labels = 0;
  constructor(
    private readonly binaryen: Binaryen,
    private readonly m: WasmModule,
    private readonly locals: Locals,
  ) {}

  /** `body` run `count` times; the body advances its own pointers. */
  repeat(count: Count, body: ExprRef[]): ExprRef {
    const { m, binaryen } = this;
    if (typeof count === "number") {
      if (count <= 0) return m.nop();
      if (count === 1) return m.block(null, body);
    }
    const n = this.locals.add(binaryen.i32);
    const id = this.labels++;
    const loop = m.loop(
      `loop${id}`,
      m.block(null, [
        ...body,
        m.br(`loop${id}`, m.local.tee(n, m.i32.sub(m.local.get(n, binaryen.i32), m.i32.const(1)), binaryen.i32)),
      ]),
    );
    const init = m.local.set(n, typeof count === "number" ? m.i32.const(count) : count());
    if (typeof count === "number") return m.block(null, [init, loop]);
    // A run-time count may be zero: skip the loop then.
    return m.block(`skip${id}`, [init, m.br(`skip${id}`, m.i32.eqz(m.local.get(n, binaryen.i32))), loop]);
  }

  /** local += delta (bytes). */
  advance(local: number, delta: number): ExprRef {
    const { m, binaryen } = this;
    return m.local.set(local, m.i32.add(m.local.get(local, binaryen.i32), m.i32.const(delta)));
  }
}
