// The TextMate grammar (editors/netc.tmLanguage.json), tokenized by vscode-textmate with the
// Oniguruma regex engine VS Code itself uses: on every example it agrees with netc's own lexer
// about every keyword, number, name and comment, and its word lists are the compiler's tables.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as oniguruma from "vscode-oniguruma";
import vsctm from "vscode-textmate";
import { beforeAll, describe, expect, it } from "vitest";
import { BUILTINS, INITIALIZERS } from "../compiler/lower/functions.js";
import { SCHEDULES, TRAIN_SETTINGS } from "../compiler/lower/train.js";
import { OPTIMIZER_DEFAULTS } from "../compiler/optim/index.js";
import { KEYWORDS, netLexer } from "../grammar/tokens.js";
import { EXAMPLES, ROOT } from "./support/helpers.js";

const GRAMMAR_PATH = join(ROOT, "editors/netc.tmLanguage.json");
const grammarJson = JSON.parse(readFileSync(GRAMMAR_PATH, "utf8"));
let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(ROOT, "node_modules/vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === "source.netc" ? vsctm.parseRawGrammar(readFileSync(GRAMMAR_PATH, "utf8"), GRAMMAR_PATH) : null),
  });
  grammar = (await registry.loadGrammar("source.netc"))!;
});

/** The scopes of every character of `text`, by offset. */
function scopesByOffset(text: string): string[][] {
  const out: string[][] = [];
  let state = vsctm.INITIAL;
  let base = 0;
  for (const line of text.split("\n")) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) for (let i = t.startIndex; i < Math.min(t.endIndex, line.length); i++) out[base + i] = t.scopes;
    out[base + line.length] = ["source.netc"];
    state = r.ruleStack;
    base += line.length + 1;
  }
  return out;
}

const sources = [...EXAMPLES.map((n) => [`examples/${n}.net`]), ["test/cases/lower/valid.net"]];

describe.each(sources)("TextMate grammar on %s", (path) => {
  it("gives every keyword, number, name and comment the scope netc's lexer implies", () => {
    const text = readFileSync(join(ROOT, path), "utf8");
    const scopes = scopesByOffset(text);
    const innermost = (offset: number) => scopes[offset]![scopes[offset]!.length - 1]!;
    const keywords = new Set(KEYWORDS.map((k) => k.name));
    const { tokens, errors } = netLexer.tokenize(text);
    expect(errors).toEqual([]);
    let checked = 0;
    for (const tok of tokens) {
      const scope = innermost(tok.startOffset);
      const what = `${path}:${tok.startLine}:${tok.startColumn} '${tok.image}' is ${scope}`;
      if (keywords.has(tok.tokenType.name)) expect(scope, what).toMatch(/^keyword\.(other|control)\.(\w+\.)?netc$/);
      else if (tok.tokenType.name === "NumberLiteral") expect(scope, what).toBe("constant.numeric.netc");
      else if (tok.tokenType.name === "Identifier") expect(scope, what).toMatch(/^(variable|entity\.name|support|storage\.modifier|keyword\.other\.setting)\./);
      else continue;
      // A token is one scope from its first character to its last.
      for (let i = tok.startOffset; i <= tok.endOffset!; i++) expect(innermost(i), what).toBe(scope);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    // Comments: from '#' to the end of the line (a .net file has no strings to hide a '#').
    for (const m of text.matchAll(/#[^\n]*/g)) {
      for (let i = m.index!; i < m.index! + m[0].length; i++) expect(innermost(i), `${path}: comment at ${i}`).toBe("comment.line.number-sign.netc");
    }
  });
});

describe("TextMate grammar", () => {
  it("colours a model the way a reader expects", () => {
    const text = "model xor {\n  h1 = tanh(dense(x, 8, init: he)) # hidden\n  train { optimizer sgd(lr: 1.0); epochs 3000 }\n  loss 0.5 * mse(p, y) + l2(h1.W)\n}";
    const scopes = scopesByOffset(text);
    const scopeOf = (needle: string, k = 0) => {
      let at = -1;
      for (let i = 0; i <= k; i++) at = text.indexOf(needle, at + 1);
      return scopes[at]![scopes[at]!.length - 1];
    };
    expect(scopeOf("model")).toBe("keyword.other.model.netc");
    expect(scopeOf("xor")).toBe("entity.name.type.model.netc");
    expect(scopeOf("h1")).toBe("variable.other.netc");
    expect(scopeOf("tanh")).toBe("support.function.builtin.netc");
    expect(scopeOf("8")).toBe("constant.numeric.netc");
    expect(scopeOf("he")).toBe("support.constant.initializer.netc");
    expect(scopeOf("# hidden")).toBe("comment.line.number-sign.netc");
    expect(scopeOf("optimizer")).toBe("keyword.other.setting.netc");
    expect(scopeOf("sgd")).toBe("support.function.optimizer.netc");
    expect(scopeOf("1.0")).toBe("constant.numeric.netc");
    expect(scopeOf("epochs")).toBe("keyword.other.setting.netc");
    expect(scopeOf("0.5")).toBe("constant.numeric.netc");
    expect(scopeOf("h1", 1)).toBe("variable.other.object.netc");
    expect(scopeOf(".W")).toBe("variable.other.property.netc");
  });

  it("lists exactly the compiler's functions, optimizers, schedules, initializers and settings", () => {
    // The alternatives of the pattern's word list: `(?:a|b|c)` or `(a|b|c)`.
    const words = (pattern: string) => /\((?:\?:)?([a-z_0-9]+(?:\|[a-z_0-9]+)+)\)/.exec(pattern)![1]!.split("|").sort();
    const repo = grammarJson.repository;
    expect(words(repo.call.patterns[0].match)).toEqual(Object.keys(BUILTINS).sort());
    expect(words(repo.name.patterns[1].match)).toEqual(Object.keys(BUILTINS).sort());
    const optimizers = [...Object.keys(OPTIMIZER_DEFAULTS), ...Object.keys(SCHEDULES).filter((s) => s !== "constant")].sort();
    expect(words(repo.call.patterns[1].match)).toEqual(optimizers);
    expect(words(repo.name.patterns[2].match)).toEqual(optimizers);
    expect(words(repo.name.patterns[0].match)).toEqual(Object.keys(INITIALIZERS).sort());
    expect(words(repo.setting.match)).toEqual([...TRAIN_SETTINGS].sort());
    expect(words(repo.keyword.patterns[1].match)).toEqual(KEYWORDS.map((k) => k.name.toLowerCase()).filter((k) => k !== "return").sort());
  });
});
