// Kubernetes resource quantities ("512Mi", "8Gi", "1G", "500M", "1e3", "250m"), shared by every layer.
// Written here rather than imported: the solver is pure and @kubernetes/client-node does not export its parser.
// Grammar (k8s.io/apimachinery resource.Quantity): signed decimal number, then either a binary suffix
// (Ki Mi Gi Ti Pi Ei), a decimal suffix (n u m "" k M G T P E) or a decimal exponent (e3, E-2).

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** A quantity as a plain number; throws with a readable message when it is not a quantity. */
export function parseQuantity(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${value} is not a finite number`);
    return value;
  }
  if (typeof value !== "string") throw new Error("must be a quantity string or a number");
  const match = QUANTITY.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a Kubernetes quantity (e.g. 512Mi, 8Gi, 1G, 500M, 250m)`);
  const [, sign, digits, exponent, suffix] = match;
  const magnitude = Number(digits);
  const scaled = exponent !== undefined
    ? magnitude * 10 ** Number(exponent.slice(1))
    : magnitude * (BINARY[suffix ?? ""] ?? DECIMAL[suffix ?? ""]!);
  if (!Number.isFinite(scaled)) throw new Error(`"${value}" is out of range`);
  return sign === "-" ? -scaled : scaled;
}

/**
 * Memory in whole bytes, rounded up like Kubernetes does ("100m" of memory is 1 byte). Plain numbers are bytes.
 * Negative values are rejected: memory is never negative.
 */
export function parseMemoryQuantity(value: string | number): number {
  const bytes = parseQuantity(value);
  if (bytes < 0) throw new Error(`memory cannot be negative (${String(value)})`);
  if (bytes > Number.MAX_SAFE_INTEGER) throw new Error(`"${String(value)}" is too large`);
  return Math.ceil(bytes - 1e-6 * Math.min(1, bytes));
}

/** Bytes for people: the largest binary unit with up to two decimals ("1.5Gi", "512Mi", "100B"). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "unlimited";
  for (const unit of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"] as const) {
    const size = BINARY[unit]!;
    if (Math.abs(bytes) >= size) return `${formatNumber(bytes / size)}${unit}`;
  }
  return `${formatNumber(bytes)}B`;
}

/** Numbers in reasons: at most three decimals, no trailing zeros. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 1000) / 1000);
}
