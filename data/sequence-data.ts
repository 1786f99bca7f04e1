// Generated sequence tasks, bundled like the data sets (`--data parity`): seeded, so a seed
// gives the same rows everywhere. Each is a Table with one column per position.
import type { Table } from "./csv.js";
import { makeRng } from "./rng.js";

export const PARITY_LENGTH = 12;
export const PARITY_ROWS = 2000;
export const SORTING_LENGTH = 8;
export const SORTING_DIGITS = 10;
export const SORTING_ROWS = 4000;

/**
 * Random bit strings b1..b12 and their running parity p1..p12: p_t is 1 when b1..b_t hold an odd
 * number of ones, so p12 is the parity of the whole string.
 */
export function parity(seed: number): Table {
  const rng = makeRng(seed);
  const positions = Array.from({ length: PARITY_LENGTH }, (_, i) => i + 1);
  const header = [...positions.map((i) => `b${i}`), ...positions.map((i) => `p${i}`)];
  const rows = Array.from({ length: PARITY_ROWS }, () => {
    const bits = positions.map((): number => (rng() < 0.5 ? 0 : 1));
    let odd = 0;
    const running = bits.map((b) => (odd ^= b));
    return [...bits, ...running].map(String);
  });
  return { source: "parity", header, rows, lines: rows.map((_, i) => i + 2) };
}

/** Random digits s1..s8 (0..9, repeats allowed) and the same digits in ascending order y1..y8. */
export function sorting(seed: number): Table {
  const rng = makeRng(seed);
  const positions = Array.from({ length: SORTING_LENGTH }, (_, i) => i + 1);
  const header = [...positions.map((i) => `s${i}`), ...positions.map((i) => `y${i}`)];
  const rows = Array.from({ length: SORTING_ROWS }, () => {
    const digits = positions.map(() => Math.floor(rng() * SORTING_DIGITS));
    return [...digits, ...[...digits].sort((a, b) => a - b)].map(String);
  });
  return { source: "sorting", header, rows, lines: rows.map((_, i) => i + 2) };
}
