// The `train { ... }` block: optimizer and its hyperparameters, epochs, batch size, seed.
import type { Setting } from "../../grammar/ast.js";
import type { OptimizerSpec, TrainSpec } from "../model.js";
import { bindArgs, constNumber } from "./calls.js";
import type { LowerContext } from "./context.js";
import { OPTIMIZERS, TRAIN_SETTINGS } from "./functions.js";

export const DEFAULT_TRAIN: TrainSpec = { optimizer: { kind: "sgd", lr: 0.01 }, epochs: 100, batch: 32, seed: 0 };

export function lowerTrain(ctx: LowerContext, settings: Setting[]): TrainSpec {
  const spec: TrainSpec = { ...DEFAULT_TRAIN };
  const seen = new Set<string>();
  for (const s of settings) {
    const name = s.name.name;
    if (!(TRAIN_SETTINGS as readonly string[]).includes(name)) {
      ctx.diags.error(s.name.span, `unknown training setting '${name}' (expected one of: ${TRAIN_SETTINGS.join(", ")})`);
      continue;
    }
    if (seen.has(name)) ctx.diags.error(s.name.span, `'${name}' is set twice`);
    seen.add(name);
    if (name === "optimizer") {
      const opt = lowerOptimizer(ctx, s);
      if (opt) spec.optimizer = opt;
      continue;
    }
    const v = constNumber(s.value);
    const min = name === "seed" ? 0 : 1;
    if (v === undefined || !Number.isInteger(v) || v < min || v > 2 ** 31 - 1) {
      ctx.diags.error(s.value.span, `'${name}' must be an integer ${min === 0 ? ">= 0" : ">= 1"}, got '${ctx.text(s.value.span)}'`);
      continue;
    }
    spec[name as "epochs" | "batch" | "seed"] = v;
  }
  return spec;
}

function lowerOptimizer(ctx: LowerContext, s: Setting): OptimizerSpec | undefined {
  const e = s.value;
  const name = e.kind === "name" ? e.name : e.kind === "call" ? e.callee.name : undefined;
  const defaults = name === undefined ? undefined : OPTIMIZERS[name];
  if (!defaults || name === undefined) {
    ctx.diags.error(e.span, `unknown optimizer '${ctx.text(e.span)}' (expected one of: ${Object.keys(OPTIMIZERS).join(", ")})`);
    return undefined;
  }
  const params = Object.keys(defaults).map((p) => `${p}?`);
  const args = bindArgs(ctx.diags, name, params, e.kind === "call" ? e.args : [], e.span);
  if (!args) return undefined;
  const out: Record<string, number> = { ...(defaults as Record<string, number>) };
  for (const [key, arg] of args) {
    const v = constNumber(arg.expr);
    const bad = v === undefined || !Number.isFinite(v) || v < 0 || (key !== "lr" && key !== "eps" && v >= 1) || (key === "lr" && v === 0);
    if (bad) {
      const range = key === "lr" ? "a positive number" : key === "eps" ? "a non-negative number" : "a number in [0, 1)";
      ctx.diags.error(arg.span, `'${key}' of '${name}' must be ${range}, got '${ctx.text(arg.expr.span)}'`);
      return undefined;
    }
    out[key] = v;
  }
  return { kind: name, ...out } as OptimizerSpec;
}
