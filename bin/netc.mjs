#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so `npx netc` works right after `npm ci`.
import { register } from "tsx/esm/api";

register();
const argv = process.argv.slice(2);
if (argv[0] === "lsp") {
  // The language server needs only the front end, not every command's libraries: editors start it often.
  const { lspCommand } = await import("../cli/lsp.js");
  process.exitCode = await lspCommand(argv.slice(1), { stderr: (t) => process.stderr.write(`${t}\n`) });
} else {
  const { main } = await import("../cli/main.js");
  process.exitCode = await main(argv);
}
