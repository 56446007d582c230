// Deciding where a graph's services run: the placement problem built from the translated graph and the
// cluster inventory, the strategy chosen from the descriptor, and useStaticPlacement (no solver).
import { FailedPreconditionError, InvalidArgumentError } from "../errors.js";
import type { SolverCluster } from "../clusters/inventory.js";
import type { GraphModel, ServiceModel } from "../hdag/model.js";
import type { PlacementProblem, PlacementResult, PlacementWeights } from "../../solver/types.js";
import type { PlacementSolver } from "./types.js";

export const STATIC_STRATEGY = "static";

/** hdaGraphIntent.placementStrategy, else `energy` when energyEfficiency is on, else `optimal`. */
export function strategyOf(model: GraphModel): string {
  if (model.intent.useStaticPlacement) return STATIC_STRATEGY;
  if (model.intent.placementStrategy) return model.intent.placementStrategy;
  return model.intent.energyEfficiency ? "energy" : "optimal";
}

export interface PlacementInput {
  services: ServiceModel[];
  connections: GraphModel["connections"];
  coLocationGroups: string[][];
  clusters: SolverCluster[];
  replicas: Record<string, number>;
  current?: Record<string, string>;
  weights?: PlacementWeights;
  strategy: string;
}

export function placementProblem(input: PlacementInput): PlacementProblem {
  return {
    clusters: input.clusters.map((c) => ({ ...c })),
    services: input.services.map((s) => ({
      name: s.id,
      cpu: s.resources.cpu,
      memoryBytes: s.resources.memoryBytes,
      gpu: s.resources.gpu,
      replicas: input.replicas[s.id] ?? s.scaling.minReplicas,
    })),
    current: input.current,
    coLocation: input.coLocationGroups.filter((g) => g.length > 1),
    connections: input.connections.map((c) => ({ from: c.from, to: c.to, qos: c.qos })),
    weights: input.weights,
    strategy: input.strategy,
  };
}

/**
 * Runs the solver. An unknown strategy comes back from the solver as InvalidArgumentError; it is re-pointed at
 * `strategyField` (the descriptor's field, or the request's). An infeasible problem is a
 * FailedPreconditionError naming the binding constraint.
 */
export async function solvePlacement(
  solver: PlacementSolver,
  input: PlacementInput,
  strategyField: string,
): Promise<PlacementResult> {
  if (input.clusters.length === 0) {
    throw new FailedPreconditionError("no ready member cluster: placement needs at least one");
  }
  let result: PlacementResult;
  try {
    result = await solver.decidePlacement(placementProblem(input));
  } catch (err) {
    if (err instanceof InvalidArgumentError && err.hasField("strategy")) {
      throw err.withFields((field) => (field === "strategy" ? strategyField : field));
    }
    throw err;
  }
  return result;
}

export function requireFeasible(result: PlacementResult, graph: string): void {
  if (result.status === "infeasible") {
    throw new FailedPreconditionError(`graph ${graph} cannot be placed: ${result.reason}`);
  }
}

/**
 * useStaticPlacement: no solver. A service keeps the cluster its chart values name
 * (`valuesOverwrite.clustersAffinity[0]`, under `voChartOverwrite` for WOT), which must be a ready member;
 * a service without one gets the first-fit baseline's choice, the same greedy rule NEPHELE's SMO used.
 */
export async function staticPlacement(solver: PlacementSolver, input: PlacementInput, graph: string): Promise<PlacementResult> {
  const pinned: Record<string, string> = {};
  const ready = new Set(input.clusters.map((c) => c.name));
  for (const s of input.services) {
    const cluster = staticAffinity(s);
    if (cluster === undefined) continue;
    if (!ready.has(cluster)) {
      throw new FailedPreconditionError(
        `service ${s.id} is pinned to cluster ${cluster} (valuesOverwrite clustersAffinity) which is not a ready member`,
      );
    }
    pinned[s.id] = cluster;
  }
  const free = input.services.filter((s) => pinned[s.id] === undefined);
  let fitted: PlacementResult | undefined;
  if (free.length > 0) {
    fitted = await solvePlacement(solver, { ...input, services: free, current: undefined, strategy: "first-fit" }, "hdaGraph.hdaGraphIntent.useStaticPlacement");
    requireFeasible(fitted, graph);
  }
  const placement = { ...(fitted?.placement ?? {}), ...pinned };
  const pinnedCount = Object.keys(pinned).length;
  const reason =
    free.length === 0
      ? "useStaticPlacement: every service keeps the cluster its chart values name"
      : `useStaticPlacement: ${pinnedCount} service(s) pinned by chart values, ${free.length} placed by first-fit`;
  return {
    status: "feasible",
    placement,
    objective: 0,
    reason,
    solveMs: fitted?.solveMs ?? 0,
    strategy: STATIC_STRATEGY,
    backend: "none",
    gap: null,
    cost: fitted?.cost ?? { moves: 0, energy: 0, traffic: 0 },
    moved: [],
    weights: fitted?.weights ?? { moves: 0, energy: 0, traffic: 0 },
  };
}

function staticAffinity(service: ServiceModel): string | undefined {
  const values = service.artifact.valuesOverwrite ?? {};
  const target = (
    service.artifact.implementer === "WOT" ? (values.voChartOverwrite as Record<string, unknown> | undefined) : values
  ) as Record<string, unknown> | undefined;
  const affinity = target?.clustersAffinity;
  if (Array.isArray(affinity) && typeof affinity[0] === "string" && affinity[0] !== "") return affinity[0];
  if (typeof affinity === "string" && affinity !== "") return affinity;
  return undefined;
}
