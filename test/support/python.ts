// Debian's interpreter, where apt's python3-torch lives (not a pyenv python3 earlier on PATH), and
// whether it has torch: found with importlib's find_spec, which locates the package without
// importing it (importing torch takes seconds, and this runs when test files are collected).
import { spawnSync } from "node:child_process";

export const PYTHON = "/usr/bin/python3";

const FIND = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('torch') else 1)";

/** Why torch cannot be used (for the skip message), or null when it is installed. */
export function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ["-c", FIND], { encoding: "utf8" });
  if (r.status === 0) return null;
  return r.error ? String(r.error) : `${PYTHON} has no torch module (apt-get install python3-torch)${r.stderr ? `: ${r.stderr.trim()}` : ""}`;
}
