// Kubernetes resource quantities ("500m", "2", "64Gi", "1.5G", "2e3") as integers the simulator can add:
// CPU in millicores, memory in bytes. Parsing follows k8s.io/apimachinery/pkg/api/resource closely enough for
// the requests that charts and kubectl write; anything else is rejected so a bad manifest gets a 422.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/** The quantity's value in base units (cores, bytes, devices), or undefined when it is not a quantity. */
export function parseQuantity(text: unknown): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
  if (typeof text !== "string") return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  const suffix = m[2] ?? "";
  return n * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

/** CPU in millicores, rounded up as Kubernetes does for sub-milli values. */
export function parseCpuMillis(text: unknown): number | undefined {
  const v = parseQuantity(text);
  return v === undefined || v < 0 ? undefined : Math.ceil(Math.round(v * 1e6) / 1e3);
}

export function parseBytes(text: unknown): number | undefined {
  const v = parseQuantity(text);
  return v === undefined || v < 0 ? undefined : Math.ceil(v);
}

/** Whole devices (extended resources such as nvidia.com/gpu must be integers). */
export function parseCount(text: unknown): number | undefined {
  const v = parseQuantity(text);
  return v === undefined || v < 0 || !Number.isInteger(v) ? undefined : v;
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Canonical form as the API server prints it: the largest binary suffix that divides exactly. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return "0";
  for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
    const unit = BINARY[suffix]!;
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
