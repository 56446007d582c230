// Why a placement problem has no answer. Pre-checks are cheap and exact (each one proves infeasibility on its
// own) and run before any solver. When the MILP itself proves infeasibility (a packing problem), the diagnosis
// lifts one constraint family at a time and names the families whose removal makes the problem feasible.
import { serviceCpu, serviceGpus, serviceMemory, type ClusterSpec, type PlacementInstance, type ServiceSpec } from "../instance.js";
import { buildPlacementModel, PLACEMENT_FAMILIES, type PlacementFamily } from "../model/placement.js";
import { formatBytes, formatNumber } from "../../kernel/quantity.js";
import type { Backend } from "../backends/backend.js";

interface Demand {
  label: string;
  cpu: number;
  memory: number;
  gpus: number;
  needsGpu: boolean;
}

/** The first exact reason the instance cannot be placed, or null when none of the cheap checks proves it. */
export function precheckPlacement(inst: PlacementInstance): string | null {
  const { services, clusters } = inst;
  if (services.length === 0) return null;
  if (clusters.length === 0) return `no clusters to place the ${services.length} services on`;
  const units: Demand[] = [
    ...services.map((s) => demandOf([s], `service ${s.name}`)),
    ...inst.coLocation.map((g) => demandOf(g.map((i) => services[i]!), `co-location group {${g.map((i) => services[i]!.name).join(", ")}}`)),
  ];
  for (const u of units) {
    const reason = unitFits(u, clusters);
    if (reason) return reason;
  }
  return totalsCheck(services, clusters);
}

function demandOf(members: ServiceSpec[], label: string): Demand {
  return {
    label,
    cpu: sum(members.map(serviceCpu)),
    memory: sum(members.map(serviceMemory)),
    gpus: sum(members.map(serviceGpus)),
    needsGpu: members.some((s) => s.gpus > 0),
  };
}

function unitFits(u: Demand, clusters: ClusterSpec[]): string | null {
  const group = u.label.startsWith("co-location");
  const needs = group ? "need together" : "needs";
  const candidates = u.needsGpu ? clusters.filter((c) => c.gpus > 0) : clusters;
  const kind = u.needsGpu ? "GPU cluster" : "cluster";
  if (candidates.length === 0) return `${u.label} needs a GPU and no cluster has one`;
  if (u.needsGpu && !candidates.some((c) => c.gpus >= u.gpus)) {
    return `${u.label} ${needs} ${u.gpus} GPUs and the most free on one cluster is ${Math.max(...candidates.map((c) => c.gpus))}`;
  }
  const fits = (c: ClusterSpec) => c.cpu >= u.cpu && c.memoryBytes >= u.memory && c.gpus >= u.gpus;
  if (candidates.some(fits)) return null;
  const maxCpu = Math.max(...candidates.map((c) => c.cpu));
  const maxMem = Math.max(...candidates.map((c) => c.memoryBytes));
  if (maxCpu < u.cpu) return `${u.label} ${needs} ${formatNumber(u.cpu)} cores and the most free on one ${kind} is ${formatNumber(maxCpu)}`;
  if (maxMem < u.memory) return `${u.label} ${needs} ${formatBytes(u.memory)} of memory and the most free on one ${kind} is ${formatBytes(maxMem)}`;
  return `${u.label} ${needs} ${formatNumber(u.cpu)} cores and ${formatBytes(u.memory)}${u.needsGpu ? ` and ${u.gpus} GPUs` : ""}; no ${kind} has all of them free`;
}

function totalsCheck(services: ServiceSpec[], clusters: ClusterSpec[]): string | null {
  const cpu = sum(services.map(serviceCpu));
  const freeCpu = sum(clusters.map((c) => c.cpu));
  if (cpu > freeCpu * (1 + 1e-12)) return `total CPU ${formatNumber(cpu)} exceeds the ${formatNumber(freeCpu)} cores free across all clusters`;
  const mem = sum(services.map(serviceMemory));
  const freeMem = sum(clusters.map((c) => c.memoryBytes));
  if (mem > freeMem) return `total memory ${formatBytes(mem)} exceeds the ${formatBytes(freeMem)} free across all clusters`;
  const gpuServices = services.filter((s) => s.gpus > 0);
  if (gpuServices.length === 0) return null;
  const gpuClusters = clusters.filter((c) => c.gpus > 0);
  const gpus = sum(gpuServices.map(serviceGpus));
  const freeGpus = sum(gpuClusters.map((c) => c.gpus));
  if (gpus > freeGpus) return `GPU services need ${gpus} GPUs and the clusters have ${freeGpus} free`;
  const gpuCpu = sum(gpuServices.map(serviceCpu));
  const gpuFreeCpu = sum(gpuClusters.map((c) => c.cpu));
  if (gpuCpu > gpuFreeCpu * (1 + 1e-12)) return `GPU services need ${formatNumber(gpuCpu)} cores and the GPU clusters have ${formatNumber(gpuFreeCpu)} free`;
  const gpuMem = sum(gpuServices.map(serviceMemory));
  const gpuFreeMem = sum(gpuClusters.map((c) => c.memoryBytes));
  if (gpuMem > gpuFreeMem) return `GPU services need ${formatBytes(gpuMem)} of memory and the GPU clusters have ${formatBytes(gpuFreeMem)} free`;
  return null;
}

const FAMILY_LABEL: Record<PlacementFamily, string> = { gpu: "GPU", coLocation: "co-location", cpu: "CPU", memory: "memory" };

/**
 * The MILP said infeasible: find which constraint families are binding by lifting one at a time.
 * Each relaxed solve is a feasibility problem with a share of the remaining time.
 */
export function diagnosePlacement(inst: PlacementInstance, backend: Backend, timeLimitMs: number): string {
  const families = PLACEMENT_FAMILIES.filter((f) => f !== "coLocation" || inst.coLocation.length > 0)
    .filter((f) => f !== "gpu" || inst.services.some((s) => s.gpus > 0))
    .filter((f) => f !== "memory" || inst.clusters.some((c) => Number.isFinite(c.memoryBytes)));
  const binding: PlacementFamily[] = [];
  const share = Math.max(100, timeLimitMs / Math.max(1, families.length));
  for (const family of families) {
    const { model } = buildPlacementModel(inst, { relax: new Set([family]), feasibilityOnly: true });
    const outcome = backend.solve(model, { timeLimitMs: share });
    if (outcome.status === "optimal" || outcome.status === "feasible") binding.push(family);
  }
  if (binding.length === 0) {
    return "no placement satisfies the CPU, memory, GPU and co-location limits together (lifting any single one of them is not enough)";
  }
  const [first, ...others] = binding;
  const also = others.length > 0 ? `; lifting the ${others.map((f) => FAMILY_LABEL[f]).join(" or ")} limits instead would also do` : "";
  return `${bindingText(inst, first!)}${also}`;
}

function bindingText(inst: PlacementInstance, family: PlacementFamily): string {
  const { services, clusters } = inst;
  switch (family) {
    case "cpu":
      return `the services' CPU (${formatNumber(sum(services.map(serviceCpu)))} cores in pieces of ${pieces(services.map(serviceCpu), formatNumber)}) cannot be packed into the free CPU of the clusters (${clusters.map((c) => `${c.name} ${formatNumber(c.cpu)}`).join(", ")}); the problem is feasible without the CPU limits`;
    case "memory":
      return `the services' memory (${formatBytes(sum(services.map(serviceMemory)))} in pieces of ${pieces(services.map(serviceMemory), formatBytes)}) cannot be packed into the free memory of the clusters (${clusters.map((c) => `${c.name} ${formatBytes(c.memoryBytes)}`).join(", ")}); the problem is feasible without the memory limits`;
    case "gpu": {
      const gpuServices = services.filter((s) => s.gpus > 0).map((s) => s.name);
      const gpuClusters = clusters.filter((c) => c.gpus > 0).map((c) => `${c.name} (${Number.isFinite(c.gpus) ? `${c.gpus} GPUs` : "GPUs"})`);
      return `the GPU services (${gpuServices.join(", ")}) do not fit on the clusters with GPUs (${gpuClusters.join(", ") || "none"}) together with the rest; the problem is feasible without the GPU limits`;
    }
    case "coLocation": {
      const groups = inst.coLocation.map((g) => `{${g.map((i) => services[i]!.name).join(", ")}}`);
      return `the co-location groups ${groups.join(", ")} cannot each be kept on one cluster within the free capacity; the problem is feasible without co-location`;
    }
  }
}

function pieces(values: number[], format: (v: number) => string): string {
  const sorted = values.filter((v) => v > 0).sort((a, b) => b - a);
  const shown = sorted.slice(0, 6).map(format).join(", ");
  return sorted.length > 6 ? `${shown}, …` : shown;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
