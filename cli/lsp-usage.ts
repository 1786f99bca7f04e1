// Kept apart from cli/lsp.ts so that listing the commands does not load the language server.
export const LSP_USAGE = "netc lsp [--stdio]";
