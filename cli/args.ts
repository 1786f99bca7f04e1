// A small argument parser: `--flag value`, `--flag=value`, `-o value`, boolean flags, and
// positionals. Unknown flags are errors, so a typo never silently does something else.
export interface FlagSpec {
  /** Flags that take a value (without the dashes), e.g. "out". */
  values: string[];
  /** Flags that are booleans, e.g. "stats". */
  booleans: string[];
  /** Short aliases: { o: "out" }. */
  aliases?: Record<string, string>;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
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
    const [rawName, inline] = arg.replace(/^--?/, "").split(/=(.*)/s, 2) as [string, string | undefined];
    const name = spec.aliases?.[rawName] ?? rawName;
    if (spec.booleans.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} does not take a value`);
      flags.set(name, true);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return { positionals, flags };
}

export function numberFlag(args: ParsedArgs, name: string, opts: { integer?: boolean; min?: number; max?: number } = {}): number | undefined {
  const raw = args.flags.get(name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const ok = typeof raw === "string" && raw.trim() !== "" && Number.isFinite(v) && (!opts.integer || Number.isInteger(v)) &&
    (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
  if (!ok) {
    const kind = opts.integer ? "an integer" : "a number";
    const range = opts.min !== undefined ? (opts.max !== undefined ? ` from ${opts.min} to ${opts.max}` : ` >= ${opts.min}`) : "";
    throw new UsageError(`--${name} must be ${kind}${range}, got '${String(raw)}'`);
  }
  return v;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

/** --backend js|wasm|auto (default auto) and --precision f64|f32 (netc compile, netc train). */
export function backendFlags(args: ParsedArgs): { backend: "js" | "wasm" | "auto"; precision?: "f64" | "f32" } {
  const backend = stringFlag(args, "backend") ?? "auto";
  const precision = stringFlag(args, "precision");
  if (backend !== undefined && backend !== "js" && backend !== "wasm" && backend !== "auto") throw new UsageError(`--backend must be js, wasm or auto; got '${backend}'`);
  if (precision !== undefined && precision !== "f64" && precision !== "f32") throw new UsageError(`--precision must be f64 or f32; got '${precision}'`);
  return { backend, ...(precision ? { precision } : {}) };
}
