// Output helpers shared by the client commands: `-o json` prints the proto JSON mapping, `-o table` aligned
// columns for people.
import { toJsonString, type DescMessage, type MessageShape } from "@bufbuild/protobuf";

export type OutputFormat = "json" | "table";

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === "table") return "table";
  if (value === "json") return "json";
  throw new Error(`-o: expected json or table, got "${value}"`);
}

/** The proto JSON mapping with fields at their default value included, so scripts can rely on every key. */
export function jsonOf<D extends DescMessage>(schema: D, message: MessageShape<D>): string {
  return `${toJsonString(schema, message, { prettySpaces: 2, alwaysEmitImplicit: true })}\n`;
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")).join("\n") + "\n";
}

/** GRAPH_STATUS_RUNNING → running */
export function enumLabel(name: string | undefined, prefix: string): string {
  if (!name) return "unknown";
  return name.startsWith(prefix) ? name.slice(prefix.length).toLowerCase().replaceAll("_", "-") : name.toLowerCase();
}
