// Caps on OptimizerService: its what-ifs are public (any client of the port) and share the solver's workers
// with deploys, so one client must not be able to queue hours of solving. Concurrency beyond the cap answers
// RESOURCE_EXHAUSTED at once (no queue); oversized problems and time limits are INVALID_ARGUMENT naming the field.
import { Code, ConnectError } from "@connectrpc/connect";
import type { FieldViolation } from "../../core/errors.js";

export interface OptimizerLimits {
  /** OptimizerService solves running at once. */
  maxConcurrent: number;
  maxServices: number;
  maxClusters: number;
  /** Connections and co-location groups, each. */
  maxPairs: number;
  maxTimeLimitSeconds: number;
}

export const DEFAULT_OPTIMIZER_LIMITS: Readonly<OptimizerLimits> = {
  maxConcurrent: 2,
  maxServices: 200,
  maxClusters: 64,
  maxPairs: 2_000,
  maxTimeLimitSeconds: 30,
};

export function resolveOptimizerLimits(limits: Partial<OptimizerLimits> = {}): OptimizerLimits {
  return { ...DEFAULT_OPTIMIZER_LIMITS, ...limits };
}

export function sizeViolations(counts: Record<string, [number, number]>): FieldViolation[] {
  return Object.entries(counts)
    .filter(([, [n, max]]) => n > max)
    .map(([field, [n, max]]) => ({ field, description: `has ${n} entries; at most ${max} are accepted` }));
}

/** A counter of running solves; `enter` throws RESOURCE_EXHAUSTED when full. */
export class SolveGate {
  private running = 0;

  constructor(private readonly max: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      throw new ConnectError(`OptimizerService is busy: ${this.running} solves running (at most ${this.max}); retry later`, Code.ResourceExhausted);
    }
    this.running++;
    try {
      return await call();
    } finally {
      this.running--;
    }
  }
}
