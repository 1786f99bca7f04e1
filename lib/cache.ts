// The register hook's cache of compiled .net modules, by content hash, in the directory build
// tools conventionally share: node_modules/.cache/netc beside the nearest package.json above
// the working directory. A failure to read or write it only costs a recompile.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function cacheDirectory(from = process.cwd()): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "node_modules", ".cache", "netc");
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The key of one compiled module: the source and the name it is shown under (both go into the
 * output), and this netc build — its version and when its code was written, so a rebuilt netc
 * never serves output of the previous one.
 */
export function cacheKey(source: string, shownAs: string, options: object): string {
  return createHash("sha256").update(JSON.stringify([compilerFingerprint(), shownAs, options, source])).digest("hex");
}

/** Replaced with package.json's version by the build (scripts/build-cli.mjs); absent in the sources. */
declare const NETC_VERSION: string | undefined;

let fingerprint: string | undefined;
function compilerFingerprint(): string {
  if (fingerprint) return fingerprint;
  const version = typeof NETC_VERSION === "string" ? NETC_VERSION : "source";
  fingerprint = `${version} ${statSync(fileURLToPath(import.meta.url)).mtimeMs}`;
  return fingerprint;
}

export function readCached(dir: string | undefined, key: string): string | undefined {
  if (!dir) return undefined;
  try {
    return readFileSync(join(dir, `${key}.js`), "utf8");
  } catch {
    return undefined;
  }
}

/** Writes beside the final name, then renames, so a concurrent reader never sees half a file. */
export function writeCached(dir: string | undefined, key: string, code: string): void {
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true });
    const temp = join(dir, `${key}.${process.pid}.tmp`);
    writeFileSync(temp, code);
    renameSync(temp, join(dir, `${key}.js`));
  } catch {
    // read-only or full: the next run compiles again
  }
}
