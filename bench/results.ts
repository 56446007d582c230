// What every benchmark shares: the repository root (from bench/<name>/x.ts or dist/bench/<name>/x.js) and the
// results file bench/results/<name>.json, stamped with the machine it was measured on.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
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
