// One name manager per scope hands out identifiers that never collide: user names get the
// plain form (`h1`, `h1_W`), later claimants get a numeric suffix (`i_1`). Names are only ever
// built from validated `.net` identifiers or from the emitter's own vocabulary.
export class NameManager {
  private readonly taken: Set<string>;
  /**
   * Per base name, the suffix to try first: every smaller one is already taken (names are never
   * released), so the result is the same as probing from 1, without the quadratic cost of a
   * function with thousands of `v_k` locals.
   */
  private readonly nextSuffix: Map<string, number>;

  constructor(parent?: NameManager, reserved: Iterable<string> = []) {
    this.taken = new Set(parent ? parent.taken : []);
    this.nextSuffix = new Map(parent ? parent.nextSuffix : []);
    for (const r of reserved) this.taken.add(r);
  }

  claim(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_$]/g, "_").replace(/^(?=[0-9])/, "_");
    let name = clean;
    let k = this.nextSuffix.get(clean) ?? 1;
    if (this.taken.has(name)) {
      while (this.taken.has(`${clean}_${k}`)) k++;
      name = `${clean}_${k}`;
      this.nextSuffix.set(clean, k + 1);
    }
    this.taken.add(name);
    return name;
  }

  child(): NameManager {
    return new NameManager(this);
  }
}

/**
 * Identifiers createModel's body uses with fixed names: globals, its own declarations and the
 * locals of the optimizer loops. (The prelude's declarations are reserved too, by the module
 * emitter, from the prelude itself.) User names that match one are emitted with a suffix
 * instead, so nothing can be shadowed.
 */
export const EMITTER_GLOBALS = `Math Float64Array Uint32Array Array Object Error RangeError TypeError Number String JSON
undefined NaN Infinity createModel options maxBatch seed rng progress shuffleRng dropoutRng nextDropout tensors
optimizerBuffers info predict predictRows inputScaling rowChunks out loss evalLoss trainLoss forwardBackward trainStep trainRows applyUpdates value rate sumSq notFinite clip
corr1 corr2 g mi vi vel r`.split(/\s+/);
