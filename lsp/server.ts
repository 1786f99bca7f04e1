// `netc lsp`: a language server over stdio. Every change re-analyzes the document with netc's
// front end and publishes its diagnostics (the same messages and positions as `netc check`);
// hover, go-to-definition and completion read that analysis. It loads only the front end —
// no emitter, formatter or plotting libraries — so an editor gets it running in a moment.
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { analyzeText, diagnosticsOf, offsetAt, type Analysis } from "./analysis.js";
import { completionsAt } from "./completion.js";
import { definitionAt } from "./definition.js";
import { hoverAt } from "./hover.js";

export function startLanguageServer(): void {
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, Analysis>();

  /** The analysis of the document's current text, made once per text. */
  const analysisOf = (uri: string): Analysis | undefined => {
    const text = documents.get(uri)?.getText();
    if (text === undefined) return undefined;
    const cached = analyses.get(uri);
    if (cached?.text === text) return cached;
    const analysis = analyzeText(text);
    analyses.set(uri, analysis);
    return analysis;
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      completionProvider: { triggerCharacters: [" ", "(", ":", "."] },
    },
    serverInfo: { name: "netc" },
  }));

  documents.onDidChangeContent(({ document }) => {
    const analysis = analysisOf(document.uri);
    if (analysis) void connection.sendDiagnostics({ uri: document.uri, diagnostics: diagnosticsOf(analysis) });
  });
  documents.onDidClose(({ document }) => {
    analyses.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  connection.onHover(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    return a ? hoverAt(a, offsetAt(a, position)) : null;
  });
  connection.onDefinition(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    return a ? definitionAt(a, textDocument.uri, offsetAt(a, position)) : null;
  });
  connection.onCompletion(({ textDocument, position }) => {
    const a = analysisOf(textDocument.uri);
    return a ? completionsAt(a, offsetAt(a, position)) : [];
  });

  documents.listen(connection);
  connection.listen();
}
