// Highlighting for CodeMirror from the TextMate grammar the editors use
// (editors/netc.tmLanguage.json): its patterns, tried in the grammar's order at each position.
// A pattern whose scopes sit on capture groups styles its first group, and the rest of the match
// is tokenized afresh (`model xor`: the keyword, then the name).
import { StreamLanguage, type StreamParser } from "@codemirror/language";
import grammar from "../editors/netc.tmLanguage.json" with { type: "json" };

interface Pattern {
  name?: string;
  match?: string;
  include?: string;
  patterns?: Pattern[];
  captures?: Record<string, { name: string }>;
}

const repository = grammar.repository as Record<string, Pattern>;

function flatten(patterns: Pattern[]): Pattern[] {
  return patterns.flatMap((p) => (p.include ? flatten(repository[p.include.slice(1)]!.patterns ?? [repository[p.include.slice(1)]!]) : p.patterns ? flatten(p.patterns) : [p]));
}

/** A CodeMirror style for a TextMate scope. */
function styleOf(scope: string): string | null {
  if (scope.startsWith("comment")) return "comment";
  if (scope.startsWith("constant.numeric")) return "number";
  if (scope.startsWith("keyword.operator")) return "operator";
  if (scope.startsWith("keyword") || scope.startsWith("storage")) return "keyword";
  if (scope.startsWith("support.function") || scope.startsWith("entity.name.function")) return "function";
  if (scope.startsWith("support.constant")) return "atom";
  if (scope.startsWith("entity.name.type")) return "typeName";
  if (scope.startsWith("variable.other.property")) return "propertyName";
  if (scope.startsWith("variable")) return "variableName";
  if (scope.startsWith("punctuation")) return "punctuation";
  return null;
}

const RULES = flatten(grammar.patterns as Pattern[])
  .filter((p) => p.match)
  .map((p) => ({ regex: new RegExp(p.match!, "y"), scope: p.name, group: p.captures?.["1"]?.name }));

const parser: StreamParser<null> = {
  startState: () => null,
  token(stream) {
    if (stream.eatSpace()) return null;
    const line = stream.string;
    for (const rule of RULES) {
      rule.regex.lastIndex = stream.pos;
      const m = rule.regex.exec(line);
      if (!m || m[0].length === 0) continue;
      if (rule.scope) {
        stream.pos += m[0].length;
        return styleOf(rule.scope);
      }
      if (rule.group && m[1]) {
        stream.pos += m.index - stream.pos + m[0].indexOf(m[1]) + m[1].length;
        return styleOf(rule.group);
      }
    }
    stream.next();
    return null;
  },
};

export const netLanguage = StreamLanguage.define(parser);
