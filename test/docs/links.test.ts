// The documentation holds together: the README stays a front door (≤ 300 lines, no pasted test counts), and every
// relative link of README.md, docs/ and bench/README.md reaches an existing file and, when it names one, an anchor
// (a heading or an explicit <a id>) of that file. No page cites a design file the repository does not contain.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Pages another piece of work writes; a link to them may exist before they do. Remove an entry once it lands. */
const PENDING = new Set<string>();

const pages = ["README.md", "bench/README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, "").replace(/ /g, "-");
}

function anchorsOf(text: string): Set<string> {
  const anchors = new Set([...text.matchAll(/<a id="([^"]+)"/g)].map((m) => m[1]!));
  let fenced = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (heading && !fenced) anchors.add(slug(heading[1]!));
  }
  return anchors;
}

/** Markdown links outside code: [text](target). */
function linksOf(text: string): string[] {
  const prose = text.split(/^```.*$/m).filter((_, i) => i % 2 === 0).join("\n").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
}

describe("documentation", () => {
  it("README.md is a front door: at most 300 lines, no pasted test counts", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
    expect(readme).not.toMatch(/Tests\s+\d+ passed|\d+ passed \(\d+\)/);
  });

  it("every relative link reaches a file and an anchor", () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(ROOT, page), "utf8");
      for (const link of linksOf(text)) {
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path ? normalize(join(dirname(page), path)) : page;
        if (!existsSync(join(ROOT, target))) {
          if (!PENDING.has(relative(".", target))) broken.push(`${page}: ${link} (no such file)`);
          continue;
        }
        if (anchor && target.endsWith(".md") && !anchorsOf(readFileSync(join(ROOT, target), "utf8")).has(anchor)) {
          broken.push(`${page}: ${link} (no such anchor)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("no page cites the external design document or a sibling checkout", () => {
    for (const page of ["README.md", "bench/README.md", "docs/architecture.md", "docs/walkthrough.md", "docs/operations.md"]) {
      expect(readFileSync(join(ROOT, page), "utf8"), page).not.toMatch(/DESIGN §|\.\.\/shared\//);
    }
  });
});
