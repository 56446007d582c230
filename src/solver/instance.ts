// Validated, index-based forms of the problems: what model builders, strategies and workers work on.
// Produced only by validate/*.ts, so everything here can be trusted (finite, in range, names resolved).
import type { BackendChoice, PlacementWeights, ReplicaWeights } from "./types.js";

export interface ClusterSpec {
  name: string;
  cpu: number;
  /** Infinity when not limited. */
  memoryBytes: number;
  /** Free GPUs; Infinity for "has GPUs, count not limited"; 0 for none. */
  gpus: number;
  energyCost: number;
}

export interface ServiceSpec {
  name: string;
  cpu: number;
  memoryBytes: number;
  /** GPUs per replica (0 = does not need one). */
  gpus: number;
  replicas: number;
}

/** Index of a service's current cluster; NO_CURRENT when it has none, GONE when its cluster is not offered. */
export const NO_CURRENT = -1;
export const GONE = -2;

export interface PlacementConnectionSpec {
  from: number;
  to: number;
  /** qos weight: ultralow 4, low 2, best-effort 1. */
  weight: number;
}

export interface PlacementInstance {
  clusters: ClusterSpec[];
  services: ServiceSpec[];
  /** Per service: cluster index, NO_CURRENT or GONE. */
  current: number[];
  /** Disjoint groups of service indices (overlapping input groups merged), each of size ≥ 2. */
  coLocation: number[][];
  connections: PlacementConnectionSpec[];
  weights: Required<PlacementWeights>;
  strategy: string;
  backend: BackendChoice;
  timeLimitMs: number;
}

export interface ReplicaServiceSpec {
  name: string;
  cpu: number;
  alpha: number;
  beta: number;
  rate: number;
  current: number;
  min: number;
  max: number;
}

export interface ReplicaInstance {
  clusterCpu: number;
  services: ReplicaServiceSpec[];
  weights: Required<ReplicaWeights>;
  backend: BackendChoice;
  timeLimitMs: number;
}

/** Total CPU a service asks for (all replicas). */
export function serviceCpu(s: ServiceSpec): number {
  return s.cpu * s.replicas;
}
export function serviceMemory(s: ServiceSpec): number {
  return s.memoryBytes * s.replicas;
}
export function serviceGpus(s: ServiceSpec): number {
  return s.gpus * s.replicas;
}

/** A GPU service may only go to a cluster with GPUs (the count is a separate capacity row). */
export function gpuAllowed(s: ServiceSpec, c: ClusterSpec): boolean {
  return s.gpus === 0 || c.gpus > 0;
}
