// What every benchmark shares: the repository root (from bench/<name>/x.ts or dist/bench/<name>/x.js) and the
// results file bench/results/<name>.json, stamped with the machine it was measured on.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, "package.json")) && existsSync(join(dir, "proto")))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** Writes `body` with the date, Node version and CPU to `out` (default bench/results/<name>.json); returns the path. */
export async function writeBenchResult(name: string, body: Record<string, unknown>, out?: string): Promise<string> {
  const path = out ?? join(repoRoot(), "bench/results", `${name}.json`);
  await mkdir(dirname(path), { recursive: true });
  const stamped = {
    benchmark: name,
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? "?"} × ${availableParallelism()}`,
    loadavg: loadavg(),
    ...body,
  };
  await writeFile(path, `${JSON.stringify(stamped, null, 2)}\n`);
  return path;
}

/** `text` (Markdown, or null when absent) with its `## <title>` section, up to the next `## `, replaced or appended. */
export function replaceReadmeSection(text: string | null, title: string, body: string): string {
  const section = `## ${title}\n\n${body.trim()}\n`;
  const lines = (text ?? "# Benchmarks\n").split("\n");
  const heading = `## ${title}`;
  const start = lines.findIndex((l) => l.trimEnd() === heading);
  if (start < 0) return `${lines.join("\n").trimEnd()}\n\n${section}`;
  const after = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const head = lines.slice(0, start).join("\n").trimEnd();
  const tail = after < 0 ? "" : `\n${lines.slice(after).join("\n").trimEnd()}\n`;
  return `${head ? `${head}\n\n` : ""}${section}${tail}`;
}

/** Replaces the `## <title>` section of bench/README.md with `body`; returns the path. */
export async function writeReadmeSection(title: string, body: string): Promise<string> {
  const path = join(repoRoot(), "bench/README.md");
  await writeFile(path, replaceReadmeSection(existsSync(path) ? await readFile(path, "utf8") : null, title, body));
  return path;
}

/** "on 2026-12-04 (AMD EPYC × 2, Node v20.20.2, load average 1.5)": the date and machine a table was measured on. */
export function measuredOn(date = new Date()): string {
  return `on ${date.toISOString().slice(0, 10)} (${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)})`;
}
