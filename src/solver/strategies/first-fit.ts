// first-fit: the greedy baseline kept for comparison (NEPHELE placed services without looking at the
// current placement, energy or traffic). Services in input order, a co-location group as one unit at its first
// member's position, each onto the first cluster (input order) with the GPU and the free CPU, memory and GPUs.
import { precheckPlacement } from "../infeasibility/placement.js";
import { gpuAllowed, serviceCpu, serviceGpus, serviceMemory, type PlacementInstance } from "../instance.js";
import { formatBytes, formatNumber } from "../../kernel/quantity.js";
import type { PlacementStrategy, StrategyOutcome } from "./strategy.js";

export const firstFit: PlacementStrategy = {
  name: "first-fit",
  description: "greedy baseline: each service (co-location group) on the first cluster with room; ignores current placement, energy and traffic",
  defaultWeights: { moves: 1, energy: 0, traffic: 0 },
  usesBackend: false,
  place(inst): StrategyOutcome {
    const precheck = precheckPlacement(inst);
    if (precheck) return { status: "infeasible", assignment: null, reason: precheck, gap: null, backend: "none" };
    const { assignment, unplaced } = firstFitAssignment(inst);
    if (assignment) return { status: "feasible", assignment, reason: "", gap: null, backend: "none" };
    return { status: "infeasible", assignment: null, reason: unplaced!, gap: null, backend: "none" };
  },
};

/** The greedy assignment, or a description of the first unit it could not place. Also used as a solver start. */
export function firstFitAssignment(inst: PlacementInstance): { assignment: number[] | null; unplaced?: string } {
  const { services, clusters } = inst;
  const free = clusters.map((c) => ({ cpu: c.cpu, memory: c.memoryBytes, gpus: c.gpus }));
  const groupOf = new Map<number, number[]>();
  for (const g of inst.coLocation) for (const s of g) groupOf.set(s, g);
  const assignment = services.map(() => -1);
  for (let i = 0; i < services.length; i++) {
    if (assignment[i]! >= 0) continue;
    const unit = groupOf.get(i) ?? [i];
    const members = unit.map((s) => services[s]!);
    const cpu = members.reduce((a, s) => a + serviceCpu(s), 0);
    const memory = members.reduce((a, s) => a + serviceMemory(s), 0);
    const gpus = members.reduce((a, s) => a + serviceGpus(s), 0);
    const j = clusters.findIndex((c, k) =>
      members.every((s) => gpuAllowed(s, c)) && free[k]!.cpu >= cpu - 1e-9 && free[k]!.memory >= memory && free[k]!.gpus >= gpus);
    if (j < 0) {
      const label = unit.length > 1 ? `co-location group {${members.map((s) => s.name).join(", ")}}` : `service ${members[0]!.name}`;
      return {
        assignment: null,
        unplaced: `first-fit found no cluster with room for ${label} (${formatNumber(cpu)} cores, ${formatBytes(memory)}${gpus > 0 ? `, ${gpus} GPUs` : ""}) after placing the services before it; the optimal strategy may still find a placement`,
      };
    }
    free[j]!.cpu -= cpu;
    free[j]!.memory -= memory;
    free[j]!.gpus -= gpus;
    for (const s of unit) assignment[s] = j;
  }
  return { assignment };
}
