// A quick greedy answer for the MILP strategies: given to HiGHS as a start and kept as the fallback when the
// time limit stops a solver with nothing better. Unlike the first-fit baseline it keeps services where they
// are when they still fit, and places the rest largest first on the cluster with the most room left
// (GPU services first, so they get the GPU clusters).
import { GONE, NO_CURRENT, gpuAllowed, serviceCpu, serviceGpus, serviceMemory, type PlacementInstance } from "../instance.js";

/** `stay`: keep services on their current cluster when they fit (pass 1); off gives a plain best-fit decreasing. */
export function warmStart(inst: PlacementInstance, stay = true): number[] | null {
  const { services, clusters } = inst;
  const free = clusters.map((c) => ({ cpu: c.cpu, memory: c.memoryBytes, gpus: c.gpus }));
  const totalCpu = Math.max(1e-9, clusters.reduce((a, c) => a + c.cpu, 0));
  const finiteMem = clusters.map((c) => c.memoryBytes).filter(Number.isFinite);
  const totalMem = Math.max(1, finiteMem.reduce((a, b) => a + b, 0));
  const groupOf = new Map<number, number[]>();
  for (const g of inst.coLocation) for (const s of g) groupOf.set(s, g);
  const units: number[][] = [];
  const seen = new Set<number>();
  services.forEach((_, i) => {
    if (seen.has(i)) return;
    const unit = groupOf.get(i) ?? [i];
    unit.forEach((s) => seen.add(s));
    units.push(unit);
  });
  const demand = (unit: number[]) => {
    const m = unit.map((s) => services[s]!);
    return {
      cpu: m.reduce((a, s) => a + serviceCpu(s), 0),
      memory: m.reduce((a, s) => a + serviceMemory(s), 0),
      gpus: m.reduce((a, s) => a + serviceGpus(s), 0),
      members: m,
    };
  };
  const size = (unit: number[]) => {
    const d = demand(unit);
    return (d.gpus > 0 ? 1e6 : 0) + d.cpu / totalCpu + d.memory / totalMem;
  };
  const fits = (j: number, d: ReturnType<typeof demand>) =>
    d.members.every((s) => gpuAllowed(s, clusters[j]!)) && free[j]!.cpu >= d.cpu - 1e-9 && free[j]!.memory >= d.memory && free[j]!.gpus >= d.gpus;
  const assignment = services.map(() => -1);
  const take = (unit: number[], j: number, d: ReturnType<typeof demand>) => {
    free[j]!.cpu -= d.cpu;
    free[j]!.memory -= d.memory;
    free[j]!.gpus -= d.gpus;
    for (const s of unit) assignment[s] = j;
  };

  // Pass 1: stay put where the whole unit is on one current cluster and it still fits.
  const pending: number[][] = [];
  for (const unit of units) {
    const here = inst.current[unit[0]!]!;
    const d = demand(unit);
    if (stay && here !== NO_CURRENT && here !== GONE && unit.every((s) => inst.current[s] === here) && fits(here, d)) take(unit, here, d);
    else pending.push(unit);
  }
  // Pass 2: the rest, largest first, on the cluster with the most CPU share left.
  pending.sort((a, b) => size(b) - size(a));
  for (const unit of pending) {
    const d = demand(unit);
    let best = -1;
    for (let j = 0; j < clusters.length; j++) {
      if (!fits(j, d)) continue;
      if (best < 0 || free[j]!.cpu / Math.max(1e-9, clusters[j]!.cpu) > free[best]!.cpu / Math.max(1e-9, clusters[best]!.cpu)) best = j;
    }
    if (best < 0) return null;
    take(unit, best, d);
  }
  return assignment;
}
