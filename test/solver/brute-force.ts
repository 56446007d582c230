// Exhaustive reference answers, written independently of src/solver (straight from the public problem types),
// so the MILP results are checked against plain enumeration rather than against the solver's own helpers.
import type { PlacementProblem, ReplicaProblem } from "../../src/solver/index.js";

const QOS: Record<string, number> = { ultralow: 4, low: 2, "best-effort": 1 };
const EPS = 1e-9;

function clusterGpus(gpu: number | boolean | undefined): number {
  if (gpu === true) return Infinity;
  if (gpu === false || gpu === undefined) return 0;
  return gpu;
}

function serviceGpusPerReplica(gpu: number | boolean | undefined): number {
  if (gpu === true) return 1;
  if (gpu === false || gpu === undefined) return 0;
  return gpu;
}

/** Broken constraints of a placement (service name → cluster name); empty when feasible. */
export function placementProblems(p: PlacementProblem, placement: Record<string, string>): string[] {
  const out: string[] = [];
  const used = new Map(p.clusters.map((c) => [c.name, { cpu: 0, mem: 0, gpu: 0 }]));
  for (const s of p.services) {
    const c = placement[s.name];
    const cluster = p.clusters.find((k) => k.name === c);
    if (!cluster) {
      out.push(`${s.name} unplaced`);
      continue;
    }
    const r = s.replicas ?? 1;
    const g = serviceGpusPerReplica(s.gpu);
    if (g > 0 && clusterGpus(cluster.gpu) === 0) out.push(`${s.name} needs GPU, ${c} has none`);
    const u = used.get(c!)!;
    u.cpu += s.cpu * r;
    u.mem += (s.memoryBytes ?? 0) * r;
    u.gpu += g * r;
  }
  if (Object.keys(placement).length !== p.services.length) out.push("placement size differs from services");
  for (const c of p.clusters) {
    const u = used.get(c.name)!;
    if (u.cpu > c.cpu + EPS) out.push(`${c.name} cpu ${u.cpu} > ${c.cpu}`);
    if (u.mem > (c.memoryBytes ?? Infinity)) out.push(`${c.name} memory`);
    if (u.gpu > clusterGpus(c.gpu)) out.push(`${c.name} gpus ${u.gpu} > ${clusterGpus(c.gpu)}`);
  }
  for (const group of p.coLocation ?? []) {
    if (new Set(group.map((s) => placement[s])).size > 1) out.push(`co-location ${group.join("+")} split`);
  }
  return out;
}

export function placementObjectiveOf(p: PlacementProblem, placement: Record<string, string>, weights: { moves: number; energy: number; traffic: number }): number {
  let moves = 0;
  let energy = 0;
  let traffic = 0;
  for (const s of p.services) {
    const cur = p.current?.[s.name];
    if (cur !== undefined && cur !== placement[s.name]) moves++;
    const c = p.clusters.find((k) => k.name === placement[s.name])!;
    energy += (c.energyCost ?? 0) * s.cpu * (s.replicas ?? 1);
  }
  for (const k of p.connections ?? []) if (k.from !== k.to && placement[k.from] !== placement[k.to]) traffic += QOS[k.qos ?? "best-effort"]!;
  return weights.moves * moves + weights.energy * energy + weights.traffic * traffic;
}

/** Best objective over every assignment, or null when none is feasible. */
export function bruteForcePlacement(p: PlacementProblem, weights: { moves: number; energy: number; traffic: number }): number | null {
  const n = p.services.length;
  const m = p.clusters.length;
  if (n === 0) return 0;
  if (m === 0) return null;
  let best: number | null = null;
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    const placement = Object.fromEntries(p.services.map((s, i) => [s.name, p.clusters[idx[i]!]!.name]));
    if (placementProblems(p, placement).length === 0) {
      const z = placementObjectiveOf(p, placement, weights);
      if (best === null || z < best) best = z;
    }
    let k = 0;
    while (k < n && ++idx[k]! === m) idx[k++] = 0;
    if (k === n) return best;
  }
}

export function replicaProblems(p: ReplicaProblem, replicas: Record<string, number>): string[] {
  const out: string[] = [];
  let cpu = 0;
  for (const s of p.services) {
    const r = replicas[s.name];
    if (r === undefined || !Number.isInteger(r)) {
      out.push(`${s.name} has no integer count`);
      continue;
    }
    if (r < (s.min ?? 1) || r > s.max) out.push(`${s.name} ${r} outside bounds`);
    if (s.alpha * r + (s.beta ?? 0) < s.rate - EPS) out.push(`${s.name} ${r} does not cover ${s.rate}`);
    cpu += s.cpu * r;
  }
  if (cpu > p.cluster.cpu + EPS) out.push(`cpu ${cpu} > ${p.cluster.cpu}`);
  return out;
}

export function replicaObjectiveOf(p: ReplicaProblem, replicas: Record<string, number>, weights: { util: number; trans: number }): number {
  const norm = Math.max(...p.services.map((s) => s.max * s.cpu)) || 1;
  let util = 0;
  let trans = 0;
  for (const s of p.services) {
    util += (s.cpu * replicas[s.name]!) / norm;
    trans += Math.abs(replicas[s.name]! - (s.current ?? 0)) / s.max;
  }
  return weights.util * util + weights.trans * trans;
}

export function bruteForceReplicas(p: ReplicaProblem, weights: { util: number; trans: number }): number | null {
  const n = p.services.length;
  if (n === 0) return 0;
  let best: number | null = null;
  const r = p.services.map((s) => s.min ?? 1);
  for (;;) {
    const replicas = Object.fromEntries(p.services.map((s, i) => [s.name, r[i]!]));
    if (replicaProblems(p, replicas).length === 0) {
      const z = replicaObjectiveOf(p, replicas, weights);
      if (best === null || z < best) best = z;
    }
    let k = 0;
    while (k < n && ++r[k]! > p.services[k]!.max) r[k] = p.services[k++]!.min ?? 1;
    if (k === n) return best;
  }
}
