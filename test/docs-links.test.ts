// Every relative link in README.md and docs/*.md leads somewhere: the file exists, and an anchor
// (`file.md#heading`, `#heading`) is a heading of that file as GitHub names it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./support/helpers.js";

const DOCUMENTS = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[`*_[\]()]/g, "").replace(/[^\p{L}\p{N}\- ]/gu, "").replace(/ /g, "-");
}

/** The anchors of a markdown file's headings (outside code blocks); repeated ones get -1, -2, …. */
function anchors(file: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let code = false;
  for (const line of readFileSync(join(ROOT, file), "utf8").split("\n")) {
    if (line.startsWith("```")) code = !code;
    const m = code ? null : /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const s = slug(m[1]!);
    const k = seen.get(s) ?? 0;
    seen.set(s, k + 1);
    out.add(k === 0 ? s : `${s}-${k}`);
  }
  return out;
}

describe("links in the documentation", () => {
  it.each(DOCUMENTS)("%s: every relative link and anchor resolves", (file) => {
    const text = readFileSync(join(ROOT, file), "utf8").replace(/^```[\s\S]*?^```/gm, "");
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const linked = path === "" ? file : relative(ROOT, normalize(join(ROOT, dirname(file), path)));
      if (!existsSync(join(ROOT, linked))) broken.push(`${target}: no such file`);
      else if (anchor !== undefined && linked.endsWith(".md") && !anchors(linked).has(anchor)) broken.push(`${target}: no heading #${anchor} in ${linked}`);
    }
    expect(broken).toEqual([]);
  });
});
