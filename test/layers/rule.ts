// The dependency rule of src/, checked from the import statements themselves (no tool to install):
//   cli → api | adapters | sim → core → solver, and the kernel (typed errors, quantities, ids) below them all.
// A layer may import any layer below it; api, adapters and sim are peers and do not import one another.
// observability (logger, metrics) sits on the kernel; gen (generated protobuf code) stands alone.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  kernel: [],
  gen: [],
  observability: ["kernel"],
  solver: ["kernel"],
  core: ["solver", "kernel", "observability"],
  adapters: ["core", "solver", "kernel", "observability", "gen"],
  sim: ["core", "solver", "kernel", "observability"],
  api: ["core", "solver", "kernel", "observability", "gen"],
  cli: ["api", "adapters", "sim", "core", "solver", "kernel", "observability", "gen"],
};

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  message: string;
}

// Static imports and re-exports ("from '…'"), side-effect imports and dynamic import("…") with a literal.
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

/** Layer of a path relative to src/ ("core/graphs/deploy.ts" → "core"); undefined for files at the root. */
function layerOf(pathInSrc: string): string | undefined {
  const parts = pathInSrc.split(/[\\/]/);
  return parts.length > 1 ? parts[0] : undefined;
}

/** Violations in one source text; `file` is its path relative to src/. */
export function checkSource(file: string, text: string): Violation[] {
  const from = layerOf(file);
  const violations: Violation[] = [];
  const lines = text.split("\n");
  lines.forEach((lineText, index) => {
    if (/^\s*(\/\/|\*)/.test(lineText)) return; // comments quote imports sometimes
    for (const match of lineText.matchAll(IMPORT)) {
      const specifier = match[1]!;
      if (!specifier.startsWith(".")) continue; // packages and node: builtins are not layers
      const target = relative("/src", resolve("/src", dirname(file), specifier));
      const report = (message: string) => violations.push({ file, line: index + 1, specifier, message });
      if (target.startsWith("..")) {
        report("imports from outside src/");
        continue;
      }
      const to = layerOf(target);
      if (from === undefined || to === undefined || to === from) continue;
      const allowed = ALLOWED[from];
      if (allowed === undefined) report(`${from} is not a known layer: add it to ALLOWED in test/layers/rule.ts`);
      else if (!allowed.includes(to)) report(`${from} may not import ${to} (allowed: ${allowed.join(", ") || "nothing"})`);
    }
  });
  return violations;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Every violation under a src/ directory. */
export function checkTree(srcDir: string): Violation[] {
  return sourceFiles(srcDir).flatMap((path) =>
    checkSource(relative(srcDir, path).split(sep).join("/"), readFileSync(path, "utf8")),
  );
}

export function formatViolation(v: Violation): string {
  return `src/${v.file}:${v.line}: "${v.specifier}": ${v.message}`;
}
