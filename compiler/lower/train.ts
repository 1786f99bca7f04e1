// The `train { ... }` block: optimizer and hyperparameters, epochs, batch size, seed, learning
// rate schedule and warm-up, gradient clipping, and parameter groups (frozen, own lr).
import type { Expr, Setting, Span } from "../../grammar/ast.js";
import type { OptimizerSpec, ScheduleSpec, TrainSpec } from "../model.js";
import { OPTIMIZER_DEFAULTS } from "../optim/index.js";
import { bindArgs, constNumber } from "./calls.js";
import type { LowerContext } from "./context.js";
import { ownEntry } from "./functions.js";
import { didYouMean } from "../../diagnostics/suggest.js";

export const DEFAULT_TRAIN: TrainSpec = {
  optimizer: { kind: "sgd", lr: 0.01, weight_decay: 0 },
  epochs: 100,
  batch: 32,
  seed: 0,
  schedule: { kind: "constant" },
  warmup: 0,
  clipNorm: 0,
  frozen: [],
  paramLr: [],
  precision: "f64",
};

export const TRAIN_SETTINGS = ["optimizer", "epochs", "batch", "seed", "schedule", "warmup", "clip_norm", "freeze", "param_lr", "precision"];

export const SCHEDULES: Record<string, Record<string, number>> = {
  constant: {},
  step: { every: 10, gamma: 0.1 },
  exponential: { gamma: 0.95 },
  cosine: { min: 0 },
};

const SCHEDULE_RANGES: Record<string, [(v: number) => boolean, string]> = {
  every: [(v) => Number.isInteger(v) && v >= 1, "an integer >= 1"],
  gamma: [(v) => v > 0, "a positive number"],
  min: [(v) => v >= 0, "a non-negative number"],
};

/** Parameter names used by `freeze` / `param_lr`, checked once all parameters are known. */
export interface ParamRef {
  name: string;
  span: Span;
}

export function lowerTrain(ctx: LowerContext, settings: Setting[], refs: ParamRef[] = []): TrainSpec {
  const spec: TrainSpec = { ...DEFAULT_TRAIN, frozen: [], paramLr: [] };
  const seen = new Set<string>();
  for (const s of settings) {
    const name = s.name.name;
    if (!TRAIN_SETTINGS.includes(name)) {
      ctx.diags.error(s.name.span, `unknown training setting '${name}'${didYouMean(name, TRAIN_SETTINGS)} (expected one of: ${TRAIN_SETTINGS.join(", ")})`);
      continue;
    }
    const repeatable = name === "freeze" || name === "param_lr";
    if (seen.has(name) && !repeatable) ctx.diags.error(s.name.span, `'${name}' is set twice`);
    seen.add(name);
    const arity = name === "freeze" ? Infinity : name === "param_lr" ? 2 : 1;
    const count = 1 + s.rest.length;
    if (count > arity || (name === "param_lr" && count !== 2)) {
      ctx.diags.error(s.span, name === "param_lr" ? `'param_lr' takes a parameter and a learning rate: param_lr h1.W, 0.001` : `'${name}' takes one value`);
      continue;
    }
    switch (name) {
      case "optimizer": {
        const opt = lowerOptimizer(ctx, s.value);
        if (opt) spec.optimizer = opt;
        break;
      }
      case "schedule": {
        const sched = lowerSchedule(ctx, s.value);
        if (sched) spec.schedule = sched;
        break;
      }
      case "freeze":
        for (const e of [s.value, ...s.rest]) {
          const ref = paramName(ctx, e);
          if (ref) {
            spec.frozen.push(ref.name);
            refs.push(ref);
          }
        }
        break;
      case "param_lr": {
        const ref = paramName(ctx, s.value);
        const lr = positive(ctx, s.rest[0]!, "the learning rate of 'param_lr'");
        if (ref && lr !== undefined) {
          spec.paramLr.push({ name: ref.name, lr });
          refs.push(ref);
        }
        break;
      }
      case "precision": {
        const v = s.value.kind === "name" ? s.value.name : undefined;
        if (v === "f32" || v === "f64") spec.precision = v;
        else ctx.diags.error(s.value.span, `'precision' must be f32 or f64, got '${ctx.text(s.value.span)}'`);
        break;
      }
      case "clip_norm": {
        const v = positive(ctx, s.value, "'clip_norm'");
        if (v !== undefined) spec.clipNorm = v;
        break;
      }
      default: {
        const v = constNumber(s.value);
        const problem = integerSettingProblem(name as IntegerSetting, v);
        if (problem) {
          ctx.diags.error(s.value.span, `'${name}' ${problem}, got '${ctx.text(s.value.span)}'`);
          continue;
        }
        spec[name as IntegerSetting] = v!;
      }
    }
  }
  return spec;
}

export type IntegerSetting = "epochs" | "batch" | "seed" | "warmup";

/**
 * Why `v` cannot be the value of an integer setting ("must be an integer >= 1"), or undefined.
 * The CLI's --epochs, --batch and --seed use the same rule, so both say the same thing.
 */
export function integerSettingProblem(name: IntegerSetting, v: number | undefined): string | undefined {
  const min = name === "seed" || name === "warmup" ? 0 : 1;
  if (v !== undefined && Number.isInteger(v) && v >= min && v <= 2 ** 31 - 1) return undefined;
  const range = v !== undefined && Number.isInteger(v) && v > 0 ? `from ${min} to ${2 ** 31 - 1}` : `>= ${min}`;
  return `must be an integer ${range}`;
}

/** The rule for learning rates, shared with the CLI's --lr. */
export function isPositiveNumber(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v) && v > 0;
}

function positive(ctx: LowerContext, e: Expr, what: string): number | undefined {
  const v = constNumber(e);
  if (!isPositiveNumber(v)) {
    ctx.diags.error(e.span, `${what} must be a positive number, got '${ctx.text(e.span)}'`);
    return undefined;
  }
  return v;
}

function paramName(ctx: LowerContext, e: Expr): ParamRef | undefined {
  if (e.kind !== "name") {
    ctx.diags.error(e.span, `expected a parameter name like h1.W or a prefix like h1, got '${ctx.text(e.span)}'`);
    return undefined;
  }
  return { name: e.name, span: e.span };
}

/** `name(args)` with numeric arguments checked against a table of defaults. */
function namedCall(ctx: LowerContext, e: Expr, table: Record<string, Record<string, number>>, what: string) {
  const name = e.kind === "name" ? e.name : e.kind === "call" ? e.callee.name : undefined;
  const defaults = name === undefined ? undefined : ownEntry(table, name);
  if (!defaults || name === undefined) {
    const hint = name === undefined ? "" : didYouMean(name, Object.keys(table));
    ctx.diags.error(e.kind === "call" ? e.callee.span : e.span, `unknown ${what} '${name ?? ctx.text(e.span)}'${hint} (expected one of: ${Object.keys(table).join(", ")})`);
    return undefined;
  }
  const args = bindArgs(ctx.diags, name, Object.keys(defaults).map((p) => `${p}?`), e.kind === "call" ? e.args : [], e.span);
  if (!args) return undefined;
  const values: Record<string, number> = { ...defaults };
  for (const [key, arg] of args) {
    const v = constNumber(arg.expr);
    if (v === undefined || !Number.isFinite(v)) {
      ctx.diags.error(arg.span, `'${key}' of '${name}' must be a number, got '${ctx.text(arg.expr.span)}'`);
      return undefined;
    }
    values[key] = v;
  }
  return { name, values, args };
}

function lowerOptimizer(ctx: LowerContext, e: Expr): OptimizerSpec | undefined {
  const call = namedCall(ctx, e, OPTIMIZER_DEFAULTS, "optimizer");
  if (!call) return undefined;
  for (const [key, v] of Object.entries(call.values)) {
    const unit = ["beta", "beta1", "beta2", "alpha"].includes(key);
    const bad = v < 0 || (unit && v >= 1) || (key === "lr" && v === 0);
    if (bad) {
      const range = key === "lr" ? "a positive number" : unit ? "a number in [0, 1)" : "a non-negative number";
      const span = call.args.get(key)?.span ?? e.span;
      ctx.diags.error(span, `'${key}' of '${call.name}' must be ${range}, got ${v}`);
      return undefined;
    }
  }
  return { kind: call.name as OptimizerSpec["kind"], ...(call.values as { lr: number; weight_decay: number }) };
}

function lowerSchedule(ctx: LowerContext, e: Expr): ScheduleSpec | undefined {
  const call = namedCall(ctx, e, SCHEDULES, "schedule");
  if (!call) return undefined;
  for (const [key, v] of Object.entries(call.values)) {
    const [ok, range] = SCHEDULE_RANGES[key]!;
    if (!ok(v)) {
      ctx.diags.error(call.args.get(key)?.span ?? e.span, `'${key}' of '${call.name}' must be ${range}, got ${v}`);
      return undefined;
    }
  }
  return { kind: call.name, ...call.values } as ScheduleSpec;
}
