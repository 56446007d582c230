// The real NEPHELE descriptors live outside the repository (../shared/hdag-corpus from the repo root); tests
// read them in place. Absent → skip with a visible reason, or fail under SMO_REQUIRE_INTEGRATION=1.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/hdag-corpus");

export interface CorpusFile {
  name: string;
  text: string;
}

export interface Corpus {
  skip: boolean;
  /** Appended to describe() titles so the skip shows in the report. */
  reason: string;
  /** Descriptors: top-level *.yaml / *.json plus the graph record in derived/ (it carries an hdaGraph). */
  files: CorpusFile[];
}

export function loadCorpus(): Corpus {
  if (!existsSync(CORPUS_DIR)) {
    const reason = `skipped: HDAG corpus not found at ${CORPUS_DIR}`;
    if (process.env.SMO_REQUIRE_INTEGRATION === "1") throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${reason}`);
    console.warn(`[hdag] ${reason}`);
    return { skip: true, reason: ` (${reason})`, files: [] };
  }
  const names = readdirSync(CORPUS_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  const derived = join("derived", "abilian__nephele-deploy__hello-world-smo-graph-record.json");
  if (existsSync(join(CORPUS_DIR, derived))) names.push(derived);
  const files = names.map((name) => ({ name, text: readFileSync(join(CORPUS_DIR, name), "utf8") }));
  return { skip: false, reason: "", files };
}
