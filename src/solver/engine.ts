// Runs one validated problem to a result on the current thread: picks and loads the backend, runs the strategy
// (or the replica MILP) and assembles the result. Worker threads call this; so does the inline solver.
import type { BackendLoader } from "./backends/load.js";
import { chooseBackend } from "./backends/choose.js";
import { movedServices, placementCost, placementObjective } from "./evaluate.js";
import type { PlacementInstance, ReplicaInstance } from "./instance.js";
import { formatNumber } from "../kernel/quantity.js";
import { solveReplicas } from "./replicas.js";
import { findStrategy } from "./strategies/registry.js";
import type { StrategyOutcome } from "./strategies/strategy.js";
import type { PlacementResult, ReplicaResult } from "./types.js";

export async function runPlacement(inst: PlacementInstance, loader: BackendLoader): Promise<PlacementResult> {
  const strategy = findStrategy(inst.strategy);
  if (!strategy) throw new Error(`strategy ${inst.strategy} is not registered`);
  const name = chooseBackend(inst.backend, inst.services.length * inst.clusters.length);
  const backend = strategy.usesBackend ? await loader.load(name) : null;
  const started = performance.now();
  try {
    const outcome = strategy.place(inst, { backend, deadline: started + inst.timeLimitMs });
    return placementResult(inst, outcome, performance.now() - started);
  } catch (err) {
    if (backend && !(err instanceof Error && err.name === "TimeoutError")) loader.discard(backend.name);
    throw err;
  }
}

export async function runReplicas(inst: ReplicaInstance, loader: BackendLoader): Promise<ReplicaResult> {
  const name = chooseBackend(inst.backend, inst.services.length);
  const backend = inst.services.length > 0 ? await loader.load(name) : null;
  try {
    return solveReplicas(inst, backend);
  } catch (err) {
    if (backend) loader.discard(backend.name);
    throw err;
  }
}

export function placementResult(inst: PlacementInstance, outcome: StrategyOutcome, solveMs: number): PlacementResult {
  const base = { solveMs: round(solveMs), strategy: inst.strategy, backend: outcome.backend, weights: inst.weights };
  if (outcome.status === "infeasible" || !outcome.assignment) {
    return { ...base, status: "infeasible", placement: {}, objective: 0, reason: outcome.reason, gap: null, cost: { moves: 0, energy: 0, traffic: 0 }, moved: [] };
  }
  const a = outcome.assignment;
  const cost = placementCost(inst, a);
  const moved = movedServices(inst, a);
  const placement = Object.fromEntries(inst.services.map((s, i) => [s.name, inst.clusters[a[i]!]!.name]));
  const tradeoff = describePlacement(inst, cost, moved, outcome);
  return { ...base, status: outcome.status, placement, objective: placementObjective(inst, cost), reason: tradeoff, gap: outcome.gap, cost, moved };
}

function describePlacement(inst: PlacementInstance, cost: PlacementResult["cost"], moved: string[], outcome: StrategyOutcome): string {
  const parts: string[] = [];
  const head = outcome.status === "optimal" ? "optimal" : outcome.gap === null ? "feasible" : `feasible (gap ${formatNumber(outcome.gap * 100)}%)`;
  const movedText = moved.length === 0 ? "no service moved" : `${moved.length} moved (${moved.slice(0, 5).join(", ")}${moved.length > 5 ? ", …" : ""})`;
  parts.push(movedText, `energy ${formatNumber(cost.energy)}`, `split traffic ${formatNumber(cost.traffic)}`);
  const w = inst.weights;
  const weights = `weights moves ${formatNumber(w.moves)}, energy ${formatNumber(w.energy)}, traffic ${formatNumber(w.traffic)}`;
  const extra = outcome.reason ? `; ${outcome.reason}` : "";
  return `${head}: ${parts.join(", ")} (${weights})${extra}`;
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
