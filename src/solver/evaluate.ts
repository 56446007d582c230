// Objective terms and feasibility of a concrete answer, computed directly from the instance (not from solver
// output), so every strategy and backend reports numbers the same way and tests can check answers independently.
import { GONE, NO_CURRENT, gpuAllowed, serviceCpu, serviceGpus, serviceMemory, type PlacementInstance, type ReplicaInstance } from "./instance.js";
import type { PlacementCost, ReplicaCost } from "./types.js";

/** Relative tolerance for capacity checks (sums of fractional cores). */
const TOL = 1e-9;

export function placementCost(inst: PlacementInstance, assignment: readonly number[]): PlacementCost {
  let moves = 0;
  let energy = 0;
  let traffic = 0;
  inst.services.forEach((s, i) => {
    const y = inst.current[i]!;
    if (y === GONE || (y !== NO_CURRENT && y !== assignment[i])) moves++;
    energy += inst.clusters[assignment[i]!]!.energyCost * serviceCpu(s);
  });
  for (const k of inst.connections) if (assignment[k.from] !== assignment[k.to]) traffic += k.weight;
  return { moves, energy, traffic };
}

export function placementObjective(inst: PlacementInstance, cost: PlacementCost): number {
  const w = inst.weights;
  return w.moves * cost.moves + w.energy * cost.energy + w.traffic * cost.traffic;
}

export function movedServices(inst: PlacementInstance, assignment: readonly number[]): string[] {
  return inst.services
    .filter((_, i) => inst.current[i] === GONE || (inst.current[i] !== NO_CURRENT && inst.current[i] !== assignment[i]))
    .map((s) => s.name);
}

/** Every constraint an assignment breaks, as readable strings; empty when feasible. */
export function placementViolations(inst: PlacementInstance, assignment: readonly number[]): string[] {
  const out: string[] = [];
  const { services, clusters } = inst;
  if (assignment.length !== services.length) return [`assignment has ${assignment.length} entries for ${services.length} services`];
  const used = clusters.map(() => ({ cpu: 0, memory: 0, gpus: 0 }));
  services.forEach((s, i) => {
    const c = assignment[i]!;
    if (!(c >= 0 && c < clusters.length)) {
      out.push(`${s.name} is not placed`);
      return;
    }
    if (!gpuAllowed(s, clusters[c]!)) out.push(`${s.name} needs a GPU and ${clusters[c]!.name} has none`);
    used[c]!.cpu += serviceCpu(s);
    used[c]!.memory += serviceMemory(s);
    used[c]!.gpus += serviceGpus(s);
  });
  clusters.forEach((c, j) => {
    const u = used[j]!;
    if (u.cpu > c.cpu * (1 + TOL) + TOL) out.push(`${c.name} CPU ${u.cpu} > ${c.cpu}`);
    if (u.memory > c.memoryBytes * (1 + TOL)) out.push(`${c.name} memory ${u.memory} > ${c.memoryBytes}`);
    if (u.gpus > c.gpus) out.push(`${c.name} GPUs ${u.gpus} > ${c.gpus}`);
  });
  for (const g of inst.coLocation) {
    if (g.some((s) => assignment[s] !== assignment[g[0]!])) out.push(`co-location ${g.map((s) => services[s]!.name).join("+")} split`);
  }
  return out;
}

/** Lowest replica count meeting alpha·r + beta ≥ rate and min (tolerant of float noise in the division). */
export function requiredReplicas(s: ReplicaInstance["services"][number]): number {
  const need = Math.ceil((s.rate - s.beta) / s.alpha - 1e-9);
  return Math.max(s.min, need);
}

/** NEPHELE's normalisation: the largest max_s·cpu_s (1 when every service has zero CPU). */
export function utilNorm(inst: ReplicaInstance): number {
  const norm = Math.max(0, ...inst.services.map((s) => s.max * s.cpu));
  return norm > 0 ? norm : 1;
}

export function replicaCost(inst: ReplicaInstance, replicas: readonly number[]): ReplicaCost {
  const norm = utilNorm(inst);
  let util = 0;
  let trans = 0;
  inst.services.forEach((s, i) => {
    util += (s.cpu * replicas[i]!) / norm;
    trans += Math.abs(replicas[i]! - s.current) / s.max;
  });
  return { util, trans };
}

export function replicaObjective(inst: ReplicaInstance, cost: ReplicaCost): number {
  return inst.weights.util * cost.util + inst.weights.trans * cost.trans;
}

export function replicaViolations(inst: ReplicaInstance, replicas: readonly number[]): string[] {
  const out: string[] = [];
  let cpu = 0;
  inst.services.forEach((s, i) => {
    const r = replicas[i]!;
    if (!Number.isInteger(r) || r < s.min || r > s.max) out.push(`${s.name}: ${r} outside [${s.min}, ${s.max}]`);
    if (s.alpha * r + s.beta < s.rate * (1 - TOL) - TOL) out.push(`${s.name}: ${r} replicas serve ${s.alpha * r + s.beta} < ${s.rate}`);
    cpu += s.cpu * r;
  });
  if (cpu > inst.clusterCpu * (1 + TOL) + TOL) out.push(`CPU ${cpu} > ${inst.clusterCpu}`);
  return out;
}
