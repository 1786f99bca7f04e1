// Checks on the arguments of a generated module's functions, before anything runs: row counts,
// lengths, and that every value is a finite number. The hot functions call these on every
// call, so the common case is one pass that allocates nothing; the bad cell is located only
// when there is one.

/**
 * Throws unless `n` rows fit the compiled batch (any number of rows when `maxBatch` is null: the
 * function works in chunks) and `x` (and `y`) hold `n` rows of finite numbers, none larger in
 * magnitude than `largest` (largestValue: a float32 model's arrays hold at most 3.4e38).
 */
export function checkRows(
  fn: string,
  n: number,
  maxBatch: number | null,
  x: Float64Array,
  xWidth: number,
  y: Float64Array | null,
  yWidth: number,
  xIds = 0,
  largest = Infinity,
): void {
  if (!Number.isInteger(n) || n < 1 || (maxBatch !== null && n > maxBatch)) {
    throw new RangeError(
      maxBatch === null
        ? `${fn}: n must be a positive integer, got ${n}`
        : `${fn}: n must be an integer from 1 to ${maxBatch} (the compiled maximum batch), got ${n}`,
    );
  }
  if (x.length < n * xWidth)
    throw new RangeError(`${fn}: x holds ${x.length} values, ${n} rows need ${n * xWidth}`);
  if (y && y.length < n * yWidth)
    throw new RangeError(`${fn}: y holds ${y.length} values, ${n} rows need ${n * yWidth}`);
  // v - v is 0 for every finite number and NaN for NaN and ±Infinity: one sum checks them all.
  let sum = 0;
  for (let i = 0; i < n * xWidth; i++) sum += x[i]! - x[i]!;
  if (y) for (let i = 0; i < n * yWidth; i++) sum += y[i]! - y[i]!;
  if (sum !== 0) {
    rejectNonFinite(fn, "x", x, xWidth, n);
    if (y) rejectNonFinite(fn, "y", y, yWidth, n);
  }
  if (largest < Infinity) {
    rejectTooLarge(fn, "x", x, xWidth, n, largest);
    if (y) rejectTooLarge(fn, "y", y, yWidth, n, largest);
  }
  if (xIds > 0) checkIds(fn, "x", x, xWidth, n, xIds);
}

/** The largest magnitude a model's arrays hold: a float32 model's values beyond it would be Infinity. */
export function largestValue(precision: "f64" | "f32"): number {
  return precision === "f32" ? 3.4028234663852886e38 : Infinity;
}

/** Throws a RangeError naming the first of `n` rows of finite `data` larger in magnitude than `largest`. */
export function rejectTooLarge(
  fn: string,
  what: string,
  data: ArrayLike<number>,
  width: number,
  n: number,
  largest: number,
): void {
  for (let i = 0; i < n * width; i++) {
    const v = data[i]!;
    if (v > largest || v < -largest) {
      throw new RangeError(
        `${fn}: ${what} has ${v} at row ${Math.floor(i / width)}, column ${i % width} (counting from 0); a float32 model holds values up to ±${largest}`,
      );
    }
  }
}

/**
 * Throws unless `n` rows of `data` hold whole numbers in [0, count): the ids of an index input
 * (`input s[12]: index(27)`), which select rows of an embedding table.
 */
export function checkIds(
  fn: string,
  what: string,
  data: ArrayLike<number>,
  width: number,
  n: number,
  count: number,
): void {
  for (let i = 0; i < n * width; i++) {
    const v = data[i]!;
    if (!(v >= 0 && v < count && v === Math.floor(v))) {
      throw new RangeError(
        `${fn}: ${what} has ${describeValue(v)} at row ${Math.floor(i / width)}, column ${i % width} (counting from 0); the index input takes whole numbers from 0 to ${count - 1}`,
      );
    }
  }
}

/**
 * Throws unless `n` rows of `data` hold only finite numbers, none larger in magnitude than
 * `largest`: one pass that allocates nothing for a Float64Array.
 */
export function checkFinite(
  fn: string,
  what: string,
  data: ArrayLike<number>,
  width: number,
  n: number,
  largest = Infinity,
): void {
  let sum = NaN;
  if (data instanceof Float64Array) {
    sum = 0;
    for (let i = 0; i < n * width; i++) sum += data[i]! - data[i]!;
  }
  if (sum !== 0) rejectNonFinite(fn, what, data, width, n);
  if (largest < Infinity) rejectTooLarge(fn, what, data, width, n, largest);
}

/** Throws a RangeError naming the first value of `n` rows of `data` that is not a finite number. */
export function rejectNonFinite(
  fn: string,
  what: string,
  data: ArrayLike<unknown>,
  width: number,
  n: number,
): void {
  for (let i = 0; i < n * width; i++) {
    const v = data[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new RangeError(
        `${fn}: ${what} has ${describeValue(v)} at row ${Math.floor(i / width)}, column ${i % width} (counting from 0); every value must be a finite number`,
      );
    }
  }
}

/** `NaN`, `Infinity`, `the string "a"`, `undefined`: what a rejected value was, for a message. */
export function describeValue(v: unknown): string {
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  return typeof v === "number" || v === undefined || v === null ? String(v) : `a value of type ${typeof v}`;
}

/** Throws unless `mode` is one of loss()'s modes. */
export function checkMode(mode: unknown): void {
  if (mode !== "eval" && mode !== "train")
    throw new RangeError(`loss: mode must be "eval" or "train", got ${describeValue(mode)}`);
}

/** A class label that is not an integer in [0, classes), found by the loss kernel; `positions` per row for a per-position target. */
export function badLabel(index: number, value: number, classes: number, positions = 1): never {
  throw new RangeError(
    `class label ${value} in ${positions === 1 ? `row ${index}` : `row ${Math.floor(index / positions)}, position ${index % positions}`} is not an integer in [0, ${classes})`,
  );
}

/**
 * Copies one sample of `width` values into `into`, refusing anything but an array of finite
 * numbers no larger in magnitude than `largest`.
 */
export function readSample(
  fn: string,
  x: ArrayLike<number>,
  width: number,
  into: Float64Array,
  largest = Infinity,
): void {
  if (!x || typeof x.length !== "number" || x.length !== width) {
    throw new RangeError(
      `${fn}: expected ${width} input values, got ${x && typeof x.length === "number" ? x.length : describeValue(x)}`,
    );
  }
  for (let i = 0; i < width; i++) {
    const v = x[i];
    if (typeof v !== "number" || v - v !== 0)
      throw new RangeError(`${fn}: input ${i} is ${describeValue(v)}; every value must be a finite number`);
    if (v > largest || v < -largest)
      throw new RangeError(`${fn}: input ${i} is ${v}; a float32 model holds values up to ±${largest}`);
    into[i] = v;
  }
}

/** Throws unless `x` (any array-like) holds `n` rows of `width` finite numbers no larger in magnitude than `largest`. */
export function checkBatch(
  fn: string,
  x: ArrayLike<number>,
  n: number,
  width: number,
  largest = Infinity,
): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${fn}: n must be a non-negative integer, got ${n}`);
  if (!x || typeof x.length !== "number")
    throw new TypeError(`${fn}: x must be an array of numbers, got ${describeValue(x)}`);
  if (x.length < n * width)
    throw new RangeError(`${fn}: ${n} rows need ${n * width} values, x holds ${x.length}`);
  checkFinite(fn, "x", x, width, n, largest);
}
