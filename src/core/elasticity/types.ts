// Ports and value types of the elasticity loop.
import type { Logger } from "pino";
import type { ScalingModel } from "../hdag/model.js";
import type { KarmadaClient } from "../ports/karmada.js";
import type { ProjectOwnership } from "../ports/ownership.js";
import type { EventRecord, Store } from "../ports/store.js";
import type { ElasticityMetrics } from "./metrics.js";
import type { SourceFreshness, Sources } from "./sources.js";

export type LoadTrigger = "push" | "prometheus" | "forecast" | "reconcile" | "stabilization";

export interface LoadSampleInput {
  graph: string;
  service: string;
  requestsPerSecond: number;
  /** When the rate was measured; defaults to the time smo received it. */
  observedAt?: Date;
  /** Who measured it (e.g. the Hop3 host); unset = the service's unnamed rate (see sources.ts). */
  source?: string;
}

/** The replica MILP as the loop needs it (docs/solver.md#replicas); implemented by src/solver. */
export interface ReplicaSolver {
  decideReplicas(problem: {
    cluster: { cpu: number };
    services: { name: string; cpu: number; alpha: number; beta: number; rate: number; current: number; max: number; min: number }[];
    weights?: { util?: number; trans?: number };
  }): Promise<{ status: "optimal" | "feasible" | "infeasible"; replicas: Record<string, number>; objective: number; reason: string; solveMs: number }>;
}

/** Free CPU of a member cluster, from a cached inventory (no API call on the hot path); undefined = unknown. */
export interface ClusterCapacity {
  cpuFree(cluster: string): number | undefined;
}

/** What the loop asks of the graph lifecycle when a cluster cannot hold the replicas it needs. */
export interface Replacer {
  replaceForCapacity(graph: string, service: string, reason: string): Promise<void>;
}

export interface ElasticityConfig extends SourceFreshness {
  /** Scale-down waits until lower counts were recommended for this long. */
  stabilizationMs: number;
  /** Fraction of headroom one replica fewer must keep before a scale-down is considered. */
  scaleDownHeadroom: number;
  /** Drift repair period. */
  reconcileMs: number;
  /** Forecast strategy: how far ahead, and how many recent samples it fits. */
  forecastHorizonMs: number;
  forecastWindow: number;
  forecastSmoothing: { alpha: number; beta: number };
  replicaWeights?: { util?: number; trans?: number };
  /** After an infeasible decision, how long the service waits before asking for a re-placement again. */
  replaceBackoffMs: number;
  /**
   * A service that received a pushed sample ignores Prometheus samples for this long: two sources for one
   * service would interleave a fresh rate with a lagging one.
   */
  pushPrecedenceMs: number;
  /** A decision whose pods never become available stops being tracked for its ready time after this long. */
  readyTrackMs: number;
}

export const defaultElasticityConfig: ElasticityConfig = {
  stabilizationMs: 30_000,
  scaleDownHeadroom: 0.1,
  reconcileMs: 15_000,
  forecastHorizonMs: 10_000,
  forecastWindow: 20,
  forecastSmoothing: { alpha: 0.5, beta: 0.3 },
  replaceBackoffMs: 30_000,
  pushPrecedenceMs: 10_000,
  readyTrackMs: 600_000,
  sourceFreshnessIntervals: 3,
  sourceFreshnessMinMs: 1_000,
  sourceFreshnessMaxMs: 30_000,
};

/** Per-service state the loop keeps in memory (rebuilt from the store at start-up). */
export interface ManagedService {
  graph: string;
  namespace: string;
  name: string;
  cluster: string;
  cpu: number;
  scaling: ScalingModel;
  /** Replicas smo last set (the desired count on Karmada). */
  replicas: number;
  /** The sum over `sources` (undefined until a first sample). */
  lastRate?: number;
  lastObservedAt?: number;
  /** Latest sample per reporter. */
  sources: Sources;
  history: { at: number; rate: number }[];
}

/** What the elasticity loop is built from (constructor injection). */
export interface ElasticityDeps {
  store: Store;
  karmada: KarmadaClient;
  solver: ReplicaSolver;
  capacity: ClusterCapacity;
  replacer?: Replacer;
  metrics: ElasticityMetrics;
  logger: Logger;
  now?: () => number;
  /** Told about the `scaled` events the loop appends to a graph's audit trail (wakes WatchGraph readers). */
  onEvents?: (events: EventRecord[]) => void;
  /** Several processes on one database: decide, scale and repair only the projects this process owns. */
  ownership?: ProjectOwnership;
}
