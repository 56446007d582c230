// Percentiles and Markdown tables for the bench reports.

/** Nearest-rank percentile of the finite values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  const xs = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (xs.length === 0) return Number.NaN;
  const rank = Math.min(xs.length, Math.max(1, Math.ceil((p / 100) * xs.length)));
  return xs[rank - 1]!;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

/** Infinity (a step that never completed) counts in n and makes max infinite. */
export function summarize(values: readonly number[]): Summary {
  const failed = values.some((v) => !Number.isFinite(v));
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: failed && values.length < 20 ? Number.POSITIVE_INFINITY : percentile(values.map((v) => (Number.isFinite(v) ? v : Number.MAX_VALUE)), 95),
    max: failed ? Number.POSITIVE_INFINITY : Math.max(...values),
  };
}

/** Milliseconds as seconds with 3 decimals. */
export function sec(ms: number): string {
  if (!Number.isFinite(ms) || ms >= Number.MAX_VALUE) return "∞";
  return (ms / 1000).toFixed(3);
}

export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
