// One interface over the MILP engines. Solving is synchronous (both are wasm) and runs inside a worker thread.
import type { LinearModel } from "../model/linear.js";
import type { BackendName } from "../types.js";

export interface BackendSolveOptions {
  timeLimitMs: number;
  /** A feasible point to start from (used by backends that accept one). */
  start?: Float64Array;
}

export interface BackendSolution {
  /** unknown = stopped (time limit) with no feasible point and no proof of infeasibility. */
  status: "optimal" | "feasible" | "infeasible" | "unknown";
  /** Column values; empty unless optimal or feasible. */
  values: Float64Array;
  /** Objective of `values`, offset included. */
  objective: number;
  /** Best proven lower bound, when the backend knows one. */
  bound: number | null;
}

export interface Backend {
  readonly name: BackendName;
  solve(model: LinearModel, options: BackendSolveOptions): BackendSolution;
}

/** Relative gap between an answer and a lower bound, as HiGHS defines it: (z − bound) / max(|z|, tiny). */
export function relativeGap(objective: number, bound: number | null): number | null {
  if (bound === null || !Number.isFinite(bound)) return null;
  const diff = objective - bound;
  if (diff <= 1e-9 * Math.max(1, Math.abs(objective))) return 0;
  return diff / Math.max(Math.abs(objective), 1e-9);
}
