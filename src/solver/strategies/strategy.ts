// A placement strategy turns a validated instance into an assignment (cluster index per service).
// To add one: write a file exporting a PlacementStrategy and list it in registry.ts.
import type { Backend } from "../backends/backend.js";
import type { PlacementInstance } from "../instance.js";
import type { BackendName, SolveStatus, StrategyInfo } from "../types.js";

export interface StrategyContext {
  /** Loaded MILP backend; null for strategies that do not use one. */
  backend: Backend | null;
  /** performance.now() value after which the strategy must answer with what it has. */
  deadline: number;
}

export interface StrategyOutcome {
  status: SolveStatus;
  /** Cluster index per service; null when infeasible. */
  assignment: number[] | null;
  /** Binding constraint when infeasible; otherwise extra context (may be empty). */
  reason: string;
  gap: number | null;
  backend: BackendName | "none";
}

export interface PlacementStrategy extends StrategyInfo {
  usesBackend: boolean;
  place(inst: PlacementInstance, ctx: StrategyContext): StrategyOutcome;
}
