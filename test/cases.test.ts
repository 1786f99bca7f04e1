// The diagnostic cases: every test/cases/**/*.net file carries its own expectations, and this
// runner checks that analyzing the file reports exactly those diagnostics, all of them, in order.
// A new case is a new file.
//
//   # expect-error: LINE:COL message       the caret is one column wide
//   # expect-error: LINE:COL-END message   the caret covers columns COL to END (`^~~~`)
//   # expect-ok                            a file that must have no diagnostic
//
// An expectation may sit anywhere in the file (usually at the end of the line it is about).
// `{*}` in a message matches any text, for lists of choices that grow with the language.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyze, formatDiagnostic } from "../compiler/index.js";

const CASES_DIR = new URL("./cases/", import.meta.url);
const CASE_FILES = readdirSync(CASES_DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".net"))
  .map((f) => f.replaceAll("\\", "/"))
  .sort();

const EXPECT_ERROR = /#\s*expect-error:\s*(\d+:\d+(?:-\d+)?)\s+(.*?)\s*$/;
const EXPECT_OK = /#\s*expect-ok\s*$/;

/** The `# expect-error` lines of a file, as `LINE:COL[-END] message`, and whether it says `# expect-ok`. */
function expectationsOf(source: string): { errors: string[]; ok: boolean } {
  const errors: string[] = [];
  let ok = false;
  for (const line of source.split("\n")) {
    const m = EXPECT_ERROR.exec(line);
    if (m) errors.push(`${m[1]} ${m[2]}`);
    if (EXPECT_OK.test(line)) ok = true;
  }
  return { errors, ok };
}

/** What `netc check` reports for the file, in the expectation syntax (the caret as printed). */
function reported(source: string): string[] {
  return analyze(source).diagnostics.map((d) => {
    const caret = formatDiagnostic(d, "case.net", source).split("\n")[2]?.trim() ?? "^";
    const end = d.span.col + caret.length - 1;
    return `${d.span.line}:${d.span.col}${end > d.span.col ? `-${end}` : ""} ${d.message}`;
  });
}

function wildcard(expectation: string): RegExp {
  return new RegExp(`^${expectation.split("{*}").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

describe("test/cases/**/*.net: the diagnostics written in each file, exactly and in order", () => {
  it("there are case files in each stage's folder", () => {
    for (const stage of ["syntax", "lower", "train"]) expect(CASE_FILES.filter((f) => f.startsWith(`${stage}/`)).length, stage).toBeGreaterThanOrEqual(5);
  });

  it("{*} in an expectation matches any text, and nothing else is special", () => {
    expect(wildcard("1:2 expected one of: {*})").test("1:2 expected one of: a, b)")).toBe(true);
    expect(wildcard("1:2 got '1.5' (x)").test("1:2 got '115' (x)")).toBe(false);
  });

  it("reads both position forms and reports the caret's last column", () => {
    const source = "model m {\n  input x[2]\n  target y[1]\n  p = sigmoyd(x)   # expect-error: 4:7-13 unknown function 'sigmoyd'; did you mean 'sigmoid'?\n  q = z   # expect-error: 5:7 unknown name 'z'\n  output p\n  loss bce(p, y)\n}\n";
    const expected = ["4:7-13 unknown function 'sigmoyd'; did you mean 'sigmoid'?", "5:7 unknown name 'z'"];
    expect(expectationsOf(source)).toEqual({ errors: expected, ok: false });
    expect(reported(source)).toEqual(expected);
  });

  it.each(CASE_FILES)("%s", (file) => {
    const source = readFileSync(new URL(file, CASES_DIR), "utf8");
    const { errors, ok } = expectationsOf(source);
    expect(ok !== errors.length > 0, `${file} needs '# expect-error: LINE:COL message' lines or '# expect-ok'`).toBe(true);
    const actual = reported(source);
    const matched = actual.map((a, i) => (errors[i] !== undefined && wildcard(errors[i]!).test(a) ? errors[i]! : a));
    expect(matched).toEqual(errors);
  });
});
