// The 128-bit SIMD matmul ceiling (bench/ceiling-simd.c): native SSE code for the W4 forward
// product, compiled here with the system C compiler. Run alone: npx tsx bench/ceiling-simd.ts
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface SimdCeiling {
  shape: string;
  /** GFLOP/s of every variant, by name (f32_4x2, f64_4x4, ...). */
  variants: Record<string, number>;
  best: { f32: { name: string; gflops: number }; f64: { name: string; gflops: number } };
}

let binary: string | undefined;

/** Compiles the kernel once per process; null (with the reason) when there is no C compiler. */
function build(): string | { error: string } {
  if (binary) return binary;
  const dir = mkdtempSync(join(tmpdir(), "netc-ceiling-"));
  const out = join(dir, "ceiling-simd");
  const source = fileURLToPath(new URL("./ceiling-simd.c", import.meta.url));
  const cc = spawnSync(process.env.CC ?? "cc", ["-O3", "-mno-avx", "-mno-fma", "-o", out, source], { encoding: "utf8" });
  if (cc.error || cc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { error: `no native SIMD ceiling: ${cc.error?.message ?? cc.stderr.trim().split("\n")[0]}` };
  }
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return (binary = out);
}

export function measureSimdCeiling(): SimdCeiling | { error: string } {
  const exe = build();
  if (typeof exe !== "string") return exe;
  const run = spawnSync(exe, { encoding: "utf8" });
  if (run.status !== 0) return { error: `the SIMD ceiling kernel failed: ${run.stderr || run.stdout}` };
  const variants: Record<string, number> = {};
  for (const line of run.stdout.trim().split("\n")) {
    const [name, value] = line.split(" ");
    if (value === "WRONG") return { error: `SIMD ceiling variant ${name} computed a wrong result` };
    variants[name!] = Number(value);
  }
  const best = (prefix: string) => {
    const [name, gflops] = Object.entries(variants).filter(([n]) => n.startsWith(prefix)).reduce((a, b) => (b[1] > a[1] ? b : a));
    return { name, gflops };
  };
  return { shape: "64x784 @ 784x128", variants, best: { f32: best("f32"), f64: best("f64") } };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = measureSimdCeiling();
  if ("error" in r) console.log(r.error);
  else for (const [name, g] of Object.entries(r.variants)) console.log(`${name.padEnd(8)} ${g.toFixed(2)} GFLOP/s`);
}
