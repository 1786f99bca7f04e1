// A small argument parser driven by one table per command: `--flag value`, `--flag=value`,
// `-o value`, boolean flags and positionals. The same table prints the command's usage and
// `--help`, so the help always lists every flag. Unknown flags are errors (with the closest
// known flag), so a typo never silently does something else.
import { integerSettingProblem, isPositiveNumber, type IntegerSetting } from "../compiler/lower/train.js";
import { closestName } from "../diagnostics/suggest.js";

export interface FlagDef {
  /** Without the dashes: "out". */
  name: string;
  /** Placeholder of the value ("DIR", "N"); absent for a boolean flag. */
  value?: string;
  /** One-letter alias: "o" for -o. */
  alias?: string;
  /** Shown without brackets in the usage line. */
  required?: boolean;
  help: string;
}

export interface CommandSpec {
  name: string;
  /** Positionals as shown: "MODEL.net". */
  operands: string;
  summary: string;
  flags: FlagDef[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {}

/** Thrown by parseArgs for `--help` / `-h`; the CLI prints the command's help and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly spec: CommandSpec) {
    super(`help for ${spec.name}`);
  }
}

function flagText(f: FlagDef): string {
  const name = f.alias ? `-${f.alias}|--${f.name}` : `--${f.name}`;
  return f.value ? `${name} ${f.value}` : name;
}

/** `netc train MODEL.net --data DATA [--epochs N] ...`: every flag, required ones unbracketed. */
export function usageLine(spec: CommandSpec): string {
  const flags = spec.flags.map((f) => (f.required ? flagText(f) : `[${flagText(f)}]`));
  return ["netc", spec.name, spec.operands, ...flags].filter((s) => s !== "").join(" ");
}

/** The text of `netc COMMAND --help`. */
export function helpText(spec: CommandSpec): string {
  const width = Math.max(...spec.flags.map((f) => flagText(f).length), 10);
  const lines = spec.flags.map((f) => `  ${flagText(f).padEnd(width)}  ${f.help}`);
  return `usage: ${usageLine(spec)}\n\n${spec.summary}\n${lines.length > 0 ? `\noptions:\n${lines.join("\n")}\n` : ""}  ${"-h|--help".padEnd(width)}  show this help\n`;
}

export function parseArgs(argv: string[], spec: CommandSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const byName = new Map(spec.flags.map((f) => [f.name, f]));
  for (const f of spec.flags) if (f.alias) byName.set(f.alias, f);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    if (arg === "--help" || arg === "-h") throw new HelpRequested(spec);
    const [rawName, inline] = arg.replace(/^--?/, "").split(/=(.*)/s, 2) as [string, string | undefined];
    const flag = byName.get(rawName);
    if (!flag) {
      const near = closestName(rawName, spec.flags.map((f) => f.name));
      const hint = near ? `; did you mean '--${near}'?` : "";
      throw new UsageError(`unknown option '${arg}'${hint} (netc ${spec.name} --help lists the options)`);
    }
    if (!flag.value) {
      if (inline !== undefined) throw new UsageError(`--${flag.name} does not take a value`);
      flags.set(flag.name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${flag.name} needs a value (${flag.value})`);
    flags.set(flag.name, value);
  }
  return { positionals, flags };
}

/** The one file operand every command takes, or a usage error. */
export function singleOperand(args: ParsedArgs, spec: CommandSpec): string {
  const [file, ...extra] = args.positionals;
  if (!file) throw new UsageError(`missing ${spec.operands}\nusage: ${usageLine(spec)}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' (one ${spec.operands} at a time)\nusage: ${usageLine(spec)}`);
  return file;
}

function parseNumber(raw: string | true): number | undefined {
  return typeof raw === "string" && raw.trim() !== "" ? Number(raw) : undefined;
}

export function numberFlag(args: ParsedArgs, name: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  const raw = args.flags.get(name);
  if (raw === undefined) return undefined;
  const v = parseNumber(raw);
  const ok = v !== undefined && Number.isFinite(v) && (!opts.integer || Number.isInteger(v)) &&
    (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
  if (!ok) {
    const kind = opts.integer ? "an integer" : "a number";
    const range = opts.min !== undefined ? (opts.max !== undefined ? ` from ${opts.min} to ${opts.max}` : ` >= ${opts.min}`) : "";
    throw new UsageError(`--${name} must be ${kind}${range}, got '${String(raw)}'`);
  }
  return v;
}

/** --epochs, --batch, --seed: the language's rule for the train block's setting of that name. */
export function settingFlag(args: ParsedArgs, name: IntegerSetting): number | undefined {
  const raw = args.flags.get(name);
  if (raw === undefined) return undefined;
  const v = parseNumber(raw);
  const problem = integerSettingProblem(name, v);
  if (problem) throw new UsageError(`--${name} ${problem}, got '${String(raw)}'`);
  return v;
}

/** --lr: a positive finite number, as the optimizer's `lr` must be. */
export function positiveFlag(args: ParsedArgs, name: string): number | undefined {
  const raw = args.flags.get(name);
  if (raw === undefined) return undefined;
  const v = parseNumber(raw);
  if (!isPositiveNumber(v)) throw new UsageError(`--${name} must be a positive number, got '${String(raw)}'`);
  return v;
}

/** A flag the command cannot run without (its table marks it `required`), or a usage error; `why` follows the message. */
export function requiredFlag(args: ParsedArgs, name: string, spec: CommandSpec, why = ""): string {
  const v = stringFlag(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required${why}\nusage: ${usageLine(spec)}`);
  return v;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

/** `--features a,b`: names separated by commas, none empty. */
export function listFlag(args: ParsedArgs, name: string): string[] | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const items = v.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new UsageError(`--${name} takes column names separated by commas, got '${v}'`);
  return items;
}

/** --backend js|wasm|auto (default auto) and --precision f64|f32 (netc compile, netc train). */
export function backendFlags(args: ParsedArgs): { backend: "js" | "wasm" | "auto"; precision?: "f64" | "f32" } {
  const backend = stringFlag(args, "backend") ?? "auto";
  const precision = stringFlag(args, "precision");
  if (backend !== "js" && backend !== "wasm" && backend !== "auto") throw new UsageError(`--backend must be js, wasm or auto, got '${backend}'`);
  if (precision !== undefined && precision !== "f64" && precision !== "f32") throw new UsageError(`--precision must be f64 or f32, got '${precision}'`);
  return { backend, ...(precision ? { precision } : {}) };
}
