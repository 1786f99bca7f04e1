// --help on every command, --version, usage lines that list every flag, and "did you mean" for
// misspelt commands and options.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { COMMAND_SPECS } from "../../cli/commands.js";
import { netc, netcInProcess, ROOT } from "./run.js";

vi.setConfig({ testTimeout: 120_000 });

describe("help and version", () => {
  it("the real netc answers `train --help` and --version, exit 0", async () => {
    const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { version: string };
    const [help, ver] = await Promise.all([netc(["train", "--help"]), netc(["--version"])]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: netc train MODEL\.net --data \S+ \[--epochs N\]/);
    expect(help.stdout).toContain("  --normalize ");
    expect([ver.status, ver.stdout]).toEqual([0, `netc ${version}\n`]);
  });

  it.each(COMMAND_SPECS.map((s) => [s.name, s] as const))("%s: --help, -h and `netc help` list every flag it accepts", async (_, spec) => {
    const runs = await Promise.all([netcInProcess([spec.name, "--help"]), netcInProcess([spec.name, "-h"]), netcInProcess(["help", spec.name])]);
    for (const r of runs) {
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(runs[0]!.stdout);
    }
    const text = runs[0]!.stdout;
    expect(text).toMatch(new RegExp(`^usage: netc ${spec.name} ${spec.operands.replace(/\./g, "\\.")}`));
    for (const flag of spec.flags) {
      expect(text.split("\n")[0], `usage line of ${spec.name}`).toContain(`--${flag.name}`);
      expect(text, `${spec.name} --${flag.name}`).toMatch(new RegExp(`^ {2}\\S*--${flag.name}\\b.* {2}${flag.help.slice(0, 20).replace(/[()[\]|.*+?]/g, "\\$&")}`, "m"));
    }
  });

  it("compile's usage lists --verify; --help wins over missing operands", async () => {
    expect((await netcInProcess(["compile", "--help"])).stdout.split("\n")[0]).toContain("[--verify]");
    const r = await netcInProcess(["predict", "--help", "--data"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--weights WEIGHTS.json");
  });

  it("netc with no command prints every command's usage with every flag, and exits 2", async () => {
    const r = await netcInProcess([]);
    expect(r.status).toBe(2);
    for (const spec of COMMAND_SPECS) {
      expect(r.stderr).toContain(`netc ${spec.name} ${spec.operands}`);
      for (const flag of spec.flags) expect(r.stderr).toContain(`--${flag.name}`);
    }
  });
});

describe("did you mean", () => {
  it("the real netc suggests the closest command, exit 2", async () => {
    const r = await netc(["trian", "examples/xor.net"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^netc: unknown command 'trian'; did you mean 'train'\?\n/);
  });

  it("suggests the closest option, and nothing when none is close", async () => {
    const [option, far] = await Promise.all([
      netcInProcess(["train", "examples/xor.net", "--data", "xor", "--epoch", "3"]),
      netcInProcess(["compile", "examples/xor.net", "--frobnicate"]),
    ]);
    expect(option.status).toBe(2);
    expect(option.stderr.trim()).toBe("netc train: unknown option '--epoch'; did you mean '--epochs'? (netc train --help lists the options)");
    expect(far.status).toBe(2);
    expect(far.stderr.trim()).toBe("netc compile: unknown option '--frobnicate' (netc compile --help lists the options)");
  });
});
