// Data sets that ship with netc, by name: `--data iris` instead of a CSV path. Each is a Table,
// exactly as if read from a CSV, so labels, widths and target encodings go through one path.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Table } from "./csv.js";
import { parseCsv } from "./csv.js";
import { gaussian, makeRng } from "./rng.js";
import { PARITY_LENGTH, PARITY_ROWS, parity, SORTING_LENGTH, SORTING_ROWS, sorting } from "./sequence-data.js";

export const BUNDLED_DATA: Record<string, { describe: string; load: (seed: number) => Table }> = {
  iris: { describe: "Fisher's Iris flowers: 150 rows, 4 measurements, 3 species (examples/data/iris.csv)", load: () => iris() },
  digits: { describe: "handwritten digits: 1797 images of 8x8 pixels (0..16, row-major), 10 classes (examples/data/digits.csv)", load: () => digits() },
  lecture: { describe: "the lecture's four rows: (0.3, 0.6, 1), (0.5, 0.1, 0), (0.9, 0.9, 0), (0.4, 0.5, 1)", load: () => lecture() },
  xor: { describe: "200 noisy points around the corners of the unit square, label = x1 XOR x2 (seeded)", load: (s) => xor(s) },
  spirals: { describe: "200 points on two interleaved spirals (seeded)", load: (s) => spirals(s) },
  moons: { describe: "200 points on two interleaving half circles (seeded)", load: (s) => moons(s) },
  parity: { describe: `${PARITY_ROWS} random strings of ${PARITY_LENGTH} bits and their running parity, one class per position (seeded)`, load: (s) => parity(s) },
  sorting: { describe: `${SORTING_ROWS} random strings of ${SORTING_LENGTH} digits and the same digits sorted, one class per position (seeded)`, load: (s) => sorting(s) },
};

export const IRIS_CSV = fileURLToPath(new URL("../examples/data/iris.csv", import.meta.url));
/** scikit-learn's copy of the UCI optical digits (BSD-3-Clause; examples/data/digits.LICENSE.txt). */
export const DIGITS_CSV = fileURLToPath(new URL("../examples/data/digits.csv", import.meta.url));

function iris(): Table {
  return { ...parseCsv(readFileSync(IRIS_CSV, "utf8"), "iris"), source: "iris (examples/data/iris.csv)" };
}

function digits(): Table {
  return { ...parseCsv(readFileSync(DIGITS_CSV, "utf8"), "digits"), source: "digits (examples/data/digits.csv)" };
}

function lecture(): Table {
  return table("lecture", [[0.3, 0.6, 1], [0.5, 0.1, 0], [0.9, 0.9, 0], [0.4, 0.5, 1]]);
}

const POINTS = 200;

function xor(seed: number): Table {
  const rng = makeRng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < POINTS; i++) {
    const a = i % 2;
    const b = (i >> 1) % 2;
    rows.push([a + 0.15 * gaussian(rng), b + 0.15 * gaussian(rng), a ^ b]);
  }
  return table("xor", rows);
}

function spirals(seed: number): Table {
  const rng = makeRng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < POINTS; i++) {
    const label = i % 2;
    const t = (Math.floor(i / 2) / (POINTS / 2)) * 3 * Math.PI + 0.5;
    const r = t / (3 * Math.PI);
    const angle = t + label * Math.PI;
    rows.push([r * Math.cos(angle) + 0.03 * gaussian(rng), r * Math.sin(angle) + 0.03 * gaussian(rng), label]);
  }
  return table("spirals", rows);
}

function moons(seed: number): Table {
  const rng = makeRng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < POINTS; i++) {
    const label = i % 2;
    const t = Math.PI * rng();
    const [x, y] = label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    rows.push([x + 0.1 * gaussian(rng), y + 0.1 * gaussian(rng), label]);
  }
  return table("moons", rows);
}

/** Two features and a 0/1 label; String(number) round-trips exactly, so nothing is lost. */
function table(source: string, rows: number[][]): Table {
  return {
    source,
    header: ["x1", "x2", "label"],
    rows: rows.map((r) => r.map(String)),
    lines: rows.map((_, i) => i + 2),
  };
}
