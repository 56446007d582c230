// Markdown of the served scenario, and the "Latency" section of bench/README.md (replaced in place, the rest of the
// file kept as it is).
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../results.js";
import type { ServedResult } from "./served.js";

const ms = (us: number) => (us / 1000).toFixed(2);

export function servedMarkdown(result: ServedResult): string {
  const lines = [
    "| client, channel | call | graphs stored | calls | p50 ms | p99 ms | p50 / floor p50 of the channel |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ...result.rows.map((r) => `| ${r.channel} | ${r.call} | ${r.graphs} | ${r.calls} | ${ms(r.p50Us)} | ${ms(r.p99Us)} | ${r.ratioToFloor.toFixed(2)}× |`),
  ];
  const vsRest = result.getGraphVsRest.map(
    ({ grpc, rest, ratio }) => `- GetGraph p50 (Python grpcio, ${grpc}, 1 graph) / REST GET p50 via ${rest.replace(/^Python http.client → /, "")}: ${ratio.toFixed(2)}×`,
  );
  const skipped = result.skipped.map((s) => `- skipped: ${s}`);
  return [...lines, "", ...vsRest, ...skipped].join("\n").trimEnd();
}

/** `text` (a Markdown file, or null when absent) with its `## Latency` section (up to the next `## `) replaced, or appended. */
export function mergeLatencySection(text: string | null, body: string): string {
  const section = `## Latency\n\n${body.trim()}\n`;
  const lines = (text ?? "# Benchmarks\n").split("\n");
  const start = lines.findIndex((l) => /^## Latency\s*$/.test(l));
  if (start < 0) return `${lines.join("\n").trimEnd()}\n\n${section}`;
  const after = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const head = lines.slice(0, start).join("\n").trimEnd();
  const tail = after < 0 ? "" : `\n${lines.slice(after).join("\n").trimEnd()}\n`;
  return `${head ? `${head}\n\n` : ""}${section}${tail}`;
}

/** Replaces the `## Latency` section of bench/README.md (created if missing); returns the path. */
export async function writeReadmeSection(body: string): Promise<string> {
  const path = join(repoRoot(), "bench/README.md");
  await writeFile(path, mergeLatencySection(existsSync(path) ? await readFile(path, "utf8") : null, body));
  return path;
}
