// The package's declarations (dist/types, emitted by scripts/build-cli.mjs) as a user's
// TypeScript sees them: `netc`'s compile and check, and an imported .net file typed as the
// generated module through `"types": ["netc/net"]`.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script, without declarations
import { emitTypes } from "../../scripts/build-cli.mjs";
import { ROOT } from "../support/helpers.js";
import { scratchProject } from "./fixtures.js";

const project = scratchProject();
const installed = join(project, "node_modules/netc");
beforeAll(async () => {
  mkdirSync(installed, { recursive: true });
  cpSync(join(ROOT, "package.json"), join(installed, "package.json"));
  await (emitTypes as (outdir: string) => Promise<string[]>)(join(installed, "dist"));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function typeErrors(code: string): string[] {
  const file = join(project, "main.ts");
  writeFileSync(file, code);
  // configFilePath: the directory the `types` entries resolve from, as for a tsconfig.json there.
  const options: ts.CompilerOptions = { configFilePath: join(project, "tsconfig.json"), strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ["netc/net"], lib: ["lib.es2022.d.ts"] };
  const program = ts.createProgram([file], options);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("package types", () => {
  it("type a .net import as the generated module, and the compiler API", () => {
    const ok = `import { createModel, type Model } from "./xor.net";
import { check, compile, formatDiagnostic, type Diagnostic } from "netc";
const model: Model = createModel({ seed: 1 });
const losses: number[] = model.fit(new Float64Array(8), new Float64Array(4), 4, { epochs: 2 }).losses;
const found: Diagnostic[] = check("model m {}");
const out = await compile("model m {}", { file: "m.net", backend: "wasm", precision: "f32", language: "javascript" });
const code: string | undefined = out.code;
const text: string = formatDiagnostic(found[0]!, "m.net", "model m {}");
export { losses, code, text };
`;
    expect(typeErrors(ok)).toEqual([]);
  });

  it("reject what the implementation does not accept", () => {
    const bad = `import { createModel } from "./xor.net";
import { compile } from "netc";
createModel().fit("x", new Float64Array(4), 4);
await compile("", { backend: "gpu" });
const code: string = (await compile("")).code;
`;
    const errors = typeErrors(bad);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/'string' is not assignable to parameter of type 'Float64Array/);
    expect(errors[1]).toMatch(/'"gpu"' is not assignable to type '"auto" \| "js" \| "wasm"/);
    expect(errors[2]).toMatch(/'string \| undefined' is not assignable to type 'string'/);
  });
});
