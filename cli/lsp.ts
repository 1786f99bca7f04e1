// `netc lsp`: runs the language server (lsp/server.ts) on stdin/stdout until the editor closes it.
import { startLanguageServer } from "../lsp/server.js";
import { LSP_USAGE } from "./lsp-usage.js";

export function lspCommand(argv: string[], out: { stderr(text: string): void }): Promise<number> {
  // Editors' clients add --stdio when they start a server over stdin/stdout.
  const unknown = argv.find((a) => a !== "--stdio");
  if (unknown !== undefined) {
    out.stderr(`netc lsp: unknown option '${unknown}'\nusage: ${LSP_USAGE}`);
    return Promise.resolve(2);
  }
  startLanguageServer();
  // The server library ends the process when the client sends 'exit' or closes the stream.
  return new Promise<number>(() => {});
}
