import type { Store } from "../../core/ports/store.js";
import type { Solver } from "../../solver/solver.js";
import type { Logger } from "../../observability/logger.js";

/**
 * What the handlers need, built once by `smo serve` (and by tests and the latency bench). Later parts add
 * optional members (graph lifecycle, elasticity loop) here; a handler whose dependency is absent answers
 * UNIMPLEMENTED or UNAVAILABLE instead of failing at start-up.
 */
export interface ApiDeps {
  store: Store;
  logger: Logger;
  /** Placement and replica solver (a worker pool under `smo serve`; inline in tests). */
  solver: Pick<Solver, "decidePlacement" | "decideReplicas">;
}
