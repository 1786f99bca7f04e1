// The seeded generator behind weight initialization, shuffling and dropout, and one
// initializer per `init` kind (zeros need none: a new Float64Array is zero; ones are a fill).

/** sfc32 over a 4-word state, so initialization, shuffling and dropout are identical on every machine. */
export function sfc32(s: Uint32Array): number {
  const t = (s[0]! + s[1]! + s[3]!) >>> 0;
  s[3] = (s[3]! + 1) >>> 0;
  s[0] = s[1]! ^ (s[1]! >>> 9);
  s[1] = (s[2]! + (s[2]! << 3)) >>> 0;
  s[2] = ((s[2]! << 21) | (s[2]! >>> 11)) + t;
  return t / 4294967296;
}

/** Resets a generator state from a seed (its low 32 bits). */
export function seedRng(s: Uint32Array, seed: number): void {
  s[0] = 0x9e3779b9;
  s[1] = 0x243f6a88;
  s[2] = 0xb7e15162;
  s[3] = seed >>> 0;
  for (let i = 0; i < 12; i++) sfc32(s);
}

/** A new generator state seeded from `seed`. */
export function seededRng(seed: number): Uint32Array {
  const s = new Uint32Array(4);
  seedRng(s, seed);
  return s;
}

export function gaussian(s: Uint32Array): number {
  // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
  const u = 1 - sfc32(s);
  const v = sfc32(s);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** `normal(mean, std)`. */
export function initNormal(data: Float64Array, mean: number, std: number, rng: Uint32Array): void {
  for (let i = 0; i < data.length; i++) data[i] = mean + std * gaussian(rng);
}

/** `uniform(lo, hi)`. */
export function initUniform(data: Float64Array, lo: number, hi: number, rng: Uint32Array): void {
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * sfc32(rng);
}

/** Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)). */
export function initXavier(data: Float64Array, fanIn: number, fanOut: number, rng: Uint32Array): void {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < data.length; i++) data[i] = (2 * sfc32(rng) - 1) * a;
}

/** He/Kaiming normal: N(0, 2 / fanIn). */
export function initHe(data: Float64Array, fanIn: number, rng: Uint32Array): void {
  const a = Math.sqrt(2 / fanIn);
  for (let i = 0; i < data.length; i++) data[i] = a * gaussian(rng);
}
