// Kubernetes resource quantities ("500m", "16", "64Gi", "1e3") to numbers, and back for requests.
// The parser is the kernel's; this adapter reads Karmada's lenient resource lists (NaN, not a throw).

import { parseQuantity as parseKernelQuantity } from "../../kernel/quantity.js";

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** The quantity as a plain number (cores for cpu, bytes for memory); NaN when it is not a quantity. */
export function parseQuantity(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return NaN;
  try {
    return parseKernelQuantity(value);
  } catch {
    return NaN;
  }
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
