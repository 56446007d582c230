// Seeded random placement and replica instances for the bench and the tests. Same seed, same instance.
import type { PlacementCluster, PlacementConnection, PlacementProblem, PlacementService, Qos, ReplicaProblem, ReplicaService } from "../../src/solver/index.js";

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const MI = 2 ** 20;

export interface PlacementGenOptions {
  services: number;
  clusters: number;
  /** Σ demand / Σ capacity for CPU and memory (0.7 = 30 % headroom; > 1 is infeasible). */
  tightness: number;
  seed: number;
  /** Share of services needing a GPU. */
  gpuShare?: number;
  /** Number of co-location pairs. */
  coLocation?: number;
  /** Probability that a service calls an earlier one. */
  connectivity?: number;
  /** Give every service a current cluster (random, GPU-compatible). */
  current?: boolean;
  maxReplicas?: number;
  weights?: PlacementProblem["weights"];
}

export function generatePlacement(o: PlacementGenOptions): PlacementProblem {
  const r = rng(o.seed);
  const gpuShare = o.gpuShare ?? 0.1;
  const services: PlacementService[] = Array.from({ length: o.services }, (_, i) => ({
    name: `s${i}`,
    cpu: pick(r, [0.25, 0.5, 1, 1, 2, 4]),
    memoryBytes: pick(r, [256, 512, 1024, 2048, 4096]) * MI,
    gpu: r() < gpuShare,
    replicas: int(r, 1, o.maxReplicas ?? 3),
  }));
  const anyGpu = services.some((s) => s.gpu);
  const shares = Array.from({ length: o.clusters }, () => 0.5 + r());
  const total = shares.reduce((a, b) => a + b, 0);
  const cpuDemand = services.reduce((a, s) => a + s.cpu * (s.replicas ?? 1), 0);
  const memDemand = services.reduce((a, s) => a + (s.memoryBytes ?? 0) * (s.replicas ?? 1), 0);
  const gpuDemand = services.reduce((a, s) => a + (s.gpu ? (s.replicas ?? 1) : 0), 0);
  // About 30 % of the clusters have GPUs, and always enough of the capacity for the GPU services' share.
  const gpuClusters = new Set<number>();
  for (let j = 0; j < o.clusters; j++) if (r() < 0.3) gpuClusters.add(j);
  if (anyGpu) {
    const gpuCpu = services.reduce((a, s) => a + (s.gpu ? s.cpu * (s.replicas ?? 1) : 0), 0);
    const gpuMem = services.reduce((a, s) => a + (s.gpu ? (s.memoryBytes ?? 0) * (s.replicas ?? 1) : 0), 0);
    const needed = Math.min(1, 1.5 * Math.max(gpuCpu / cpuDemand, gpuMem / memDemand));
    const order = shares.map((_, j) => j).sort(() => r() - 0.5);
    const share = () => [...gpuClusters].reduce((a, j) => a + shares[j]!, 0) / total;
    for (const j of order) {
      if (gpuClusters.size > 0 && share() >= needed) break;
      gpuClusters.add(j);
    }
  }
  // Share of the total capacity, but (for small instances) not below about the largest single service.
  const maxCpu = Math.max(0, ...services.map((s) => s.cpu * (s.replicas ?? 1)));
  const maxMem = Math.max(0, ...services.map((s) => (s.memoryBytes ?? 0) * (s.replicas ?? 1)));
  const clusters: PlacementCluster[] = shares.map((share, j) => ({
    name: `c${j}`,
    cpu: Math.max(0.5, Math.round(Math.max(((cpuDemand / o.tightness) * share) / total, maxCpu * (0.8 + 0.6 * r())) * 4) / 4),
    memoryBytes: Math.max(256 * MI, Math.round(Math.max(((memDemand / o.tightness) * share) / total, maxMem * (0.8 + 0.6 * r())) / MI) * MI),
    gpu: gpuClusters.has(j) ? (r() < 0.5 ? true : Math.max(1, Math.ceil((gpuDemand / gpuClusters.size / o.tightness) * (0.5 + r())))) : 0,
    energyCost: Math.round((0.2 + 1.3 * r()) * 100) / 100,
  }));
  const connections: PlacementConnection[] = [];
  for (let i = 1; i < o.services; i++) {
    if (r() < (o.connectivity ?? 0.8)) connections.push({ from: `s${i}`, to: `s${int(r, 0, i - 1)}`, qos: pick<Qos>(r, ["ultralow", "low", "best-effort", "best-effort"]) });
  }
  const coLocation: string[][] = [];
  for (let k = 0; k < (o.coLocation ?? 0) && o.services >= 2; k++) {
    const a = int(r, 0, o.services - 1);
    let b = int(r, 0, o.services - 2);
    if (b >= a) b++;
    coLocation.push([`s${a}`, `s${b}`]);
  }
  let current: Record<string, string> | undefined;
  if (o.current) {
    current = {};
    for (const s of services) {
      const allowed = clusters.filter((c) => !s.gpu || c.gpu === true || (typeof c.gpu === "number" && c.gpu > 0));
      current[s.name] = pick(r, allowed.length > 0 ? allowed : clusters).name;
    }
  }
  return { clusters, services, connections, coLocation, current, weights: o.weights };
}

export interface ReplicaGenOptions {
  services: number;
  seed: number;
  /** Cluster CPU as a share of the CPU the services need at their max. */
  cpuShare: number;
  maxReplicas?: number;
}

export function generateReplicas(o: ReplicaGenOptions): ReplicaProblem {
  const r = rng(o.seed);
  const services: ReplicaService[] = Array.from({ length: o.services }, (_, i) => {
    const max = int(r, 1, o.maxReplicas ?? 6);
    const alpha = pick(r, [5, 10, 20, 25]);
    const beta = pick(r, [0, 0, 2, 5]);
    return {
      name: `s${i}`,
      cpu: pick(r, [0.25, 0.5, 1, 2]),
      alpha,
      beta,
      // Up to a bit above what max replicas serve, so some instances need more than max.
      rate: Math.round(r() * (alpha * max + beta) * 1.08),
      current: int(r, 0, max),
      max,
      min: r() < 0.2 ? Math.min(max, 2) : 1,
    };
  });
  const cpuAtMax = services.reduce((a, s) => a + s.cpu * s.max, 0);
  return {
    cluster: { cpu: Math.round(cpuAtMax * o.cpuShare * 4) / 4 },
    services,
    weights: { util: pick(r, [0.4, 0.4, 1, 0]), trans: pick(r, [0.4, 0.4, 1, 0.1]) },
  };
}
