import type { Store } from "../../core/ports/store.js";
import type { GraphLifecycle } from "../../core/graphs/lifecycle.js";
import type { ElasticityController } from "../../core/elasticity/controller.js";
import type { LoadSink } from "../../core/ha/load-router.js";
import type { MemberView } from "../../core/ha/lease-manager.js";
import type { Solver } from "../../solver/solver.js";
import type { Logger } from "../../observability/logger.js";
import type { OptimizerLimits } from "./optimizer-limits.js";

/**
 * What the handlers need, built once by `smo serve` (and by tests and the latency bench). A handler whose
 * dependency is absent (no Karmada configured) answers UNAVAILABLE instead of failing at start-up.
 */
export interface ApiDeps {
  store: Store;
  logger: Logger;
  /** Placement and replica solver (a worker pool under `smo serve`; inline in tests). */
  solver: Pick<Solver, "decidePlacement" | "decideReplicas">;
  /** Graph lifecycle on the Karmada federation; absent when smo runs without --karmada. */
  lifecycle?: GraphLifecycle;
  /** Elasticity loop; absent when smo runs without --karmada. */
  elasticity?: ElasticityController;
  /** Caps on public OptimizerService what-ifs (defaults in optimizer-limits.ts). */
  optimizerLimits?: Partial<OptimizerLimits>;
  /**
   * Where ReportLoad/StreamLoad samples go: with several processes, a router that forwards each project's
   * samples to its owner. Absent: straight to `elasticity`.
   */
  load?: LoadSink;
  /** The smo processes on this database (ListMembers); absent: none listed. */
  members?: () => Promise<MemberView[]>;
}
