// Public surface of the solver (docs/solver.md). Core and the API use createSolver(); tests and the bench also
// use the pure pieces (validation, model builders, evaluation) directly.
export { createSolver, defaultWorkerCount, watchdogMs, type Solver, type SolverOptions } from "./solver.js";
export * from "./types.js";
export { listStrategies, strategyNames, DEFAULT_STRATEGY } from "./strategies/registry.js";
export { parseQuantity, parseMemoryQuantity, formatBytes } from "../kernel/quantity.js";
export { normalizePlacementProblem } from "./validate/placement.js";
export { normalizeReplicaProblem } from "./validate/replicas.js";
export { buildPlacementModel, decodePlacement, type PlacementModel, type PlacementFamily } from "./model/placement.js";
export { buildReplicaModel, decodeReplicas, type ReplicaModel } from "./model/replicas.js";
export type { LinearModel, Row, Column } from "./model/linear.js";
export { placementCost, placementObjective, placementViolations, replicaCost, replicaObjective, replicaViolations, requiredReplicas } from "./evaluate.js";
export type { PlacementInstance, ReplicaInstance } from "./instance.js";
export { placementProblemFromJson, replicaProblemFromJson } from "./input.js";
