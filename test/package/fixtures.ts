// A scratch project for the package tests: package.json, a .net model and a program that
// imports it, in a fresh temp directory.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/helpers.js";

export const XOR = readFileSync(join(ROOT, "examples/xor.net"), "utf8");

/** Trains the imported model and prints its name and whether the loss fell. */
export const APP = `import { createModel } from "./xor.net";
const model = createModel();
const x = new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]);
const y = new Float64Array([0, 1, 1, 0]);
const { losses } = model.fit(x, y, 4, { epochs: 50 });
console.log(model.info.name, losses[losses.length - 1] < losses[0]);
`;

/** A model with two errors, so a test can see that all of them are reported. */
export const BROKEN = `model broken {
  input x[2]
  target y[1]
  h = dense(x, 3, nonsense)
  p = sigmoid(dense(h, 1) + missing)
  output p
  loss bce(p, y)
}
`;

/** What netc says about BROKEN, saved as broken.net in the working directory. */
export const BROKEN_DIAGNOSTICS = `broken.net:4:19: error: unknown initializer 'nonsense' (expected one of: zeros, ones, normal, uniform, xavier, he)
    h = dense(x, 3, nonsense)
                    ^~~~~~~~
broken.net:5:29: error: unknown name 'missing'
    p = sigmoid(dense(h, 1) + missing)
                              ^~~~~~~
`;

export function scratchProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "netc-project-"));
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: "scratch", private: true, type: "module" })}\n`);
  writeFileSync(join(dir, "xor.net"), XOR);
  writeFileSync(join(dir, "app.js"), APP);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
