// netc for VS Code: the language and grammar come from package.json; this starts `netc lsp`
// (diagnostics as you type, hover, go to definition, completion) for .net files.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("netc").get("server.command");
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  // TransportKind.stdio: the client talks JSON-RPC over the server's stdin/stdout (and adds --stdio).
  const serverOptions = { command, args, transport: TransportKind.stdio, options: { cwd, shell: process.platform === "win32" } };
  const clientOptions = { documentSelector: [{ scheme: "file", language: "netc" }, { scheme: "untitled", language: "netc" }] };
  client = new LanguageClient("netc", "netc language server", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
