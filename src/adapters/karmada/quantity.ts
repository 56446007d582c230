// Kubernetes resource quantities ("500m", "16", "64Gi", "1e3") to numbers, and back for requests.
// client-node has a parser but does not export it from its package entry point.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The quantity as a plain number (cores for cpu, bytes for memory); NaN when it is not a quantity. */
export function parseQuantity(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return NaN;
  const match = QUANTITY.exec(value.trim());
  if (!match) return NaN;
  const base = Number(match[1]);
  if (match[2]) return base * 10 ** Number(match[2].slice(1));
  const suffix = match[3] ?? "";
  return base * (BINARY[suffix] ?? DECIMAL[suffix] ?? NaN);
}

/** A quantity from a resource list, 0 when absent or malformed. */
export function quantityOf(list: Record<string, unknown> | undefined, resource: string): number {
  const value = parseQuantity(list?.[resource]);
  return Number.isFinite(value) ? value : 0;
}

/** Cores as a millicore quantity ("500m"), whole cores without suffix ("2"). */
export function formatCpu(cores: number): string {
  const milli = Math.max(1, Math.round(cores * 1000));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as the largest exact binary unit ("512Mi", "2Gi"), else plain bytes. */
export function formatMemory(bytes: number): string {
  const whole = Math.max(1, Math.round(bytes));
  for (const unit of ["Ti", "Gi", "Mi", "Ki"] as const) {
    const size = BINARY[unit]!;
    if (whole % size === 0) return `${whole / size}${unit}`;
  }
  return String(whole);
}
