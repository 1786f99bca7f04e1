// Kept apart from cli/lsp.ts so that listing the commands does not load the language server.
import { usageLine } from "./args.js";
import { LSP } from "./commands.js";

export const LSP_USAGE = usageLine(LSP);
