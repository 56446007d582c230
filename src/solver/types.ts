// Public types of the solver: what core, the API handlers and the CLI pass in and get back.
// Plain data only (no classes) so problems and results cross worker_threads unchanged.

export type SolveStatus = "optimal" | "feasible" | "infeasible";
/** A MILP backend; "auto" lets the solver pick by instance size (see backends/choose.ts). */
export type BackendName = "glpk" | "highs";
export type BackendChoice = BackendName | "auto";
export type Qos = "ultralow" | "low" | "best-effort";

export interface PlacementCluster {
  name: string;
  /** Free cores. */
  cpu: number;
  /** Free memory in bytes; absent = not limited. */
  memoryBytes?: number;
  /** Free GPUs (each GPU replica takes one); `true` = has GPUs, count not limited; absent/0/false = none. */
  gpu?: number | boolean;
  /** Cost per core placed here (e.g. PUE × carbon intensity); used by the energy term. Default 0. */
  energyCost?: number;
}

export interface PlacementService {
  name: string;
  /** Cores per replica. */
  cpu: number;
  /** Bytes per replica; default 0. */
  memoryBytes?: number;
  /** Needs a GPU: `true` = one GPU per replica, a number = that many per replica. */
  gpu?: boolean | number;
  /** Default 1. */
  replicas?: number;
}

export interface PlacementConnection {
  from: string;
  to: string;
  /** Default best-effort. Weights in the traffic term: ultralow 4, low 2, best-effort 1. */
  qos?: Qos;
}

export interface PlacementWeights {
  moves?: number;
  energy?: number;
  traffic?: number;
}

export interface PlacementProblem {
  clusters: PlacementCluster[];
  services: PlacementService[];
  /** Current placement, service name to cluster name. A cluster absent from `clusters` forces a move. */
  current?: Record<string, string>;
  /** Groups (pairs or more) of services that must share a cluster. */
  coLocation?: string[][];
  connections?: PlacementConnection[];
  /** Unset fields take the strategy's defaults (optimal: moves 1, energy 0, traffic 0). */
  weights?: PlacementWeights;
  /** first-fit, optimal (default), energy; see listStrategies(). */
  strategy?: string;
  backend?: BackendChoice;
  /** Default 2000. */
  timeLimitMs?: number;
}

export interface PlacementCost {
  /** Services that had a current cluster and get a different one. */
  moves: number;
  /** Σ energyCost[cluster(s)] · cpu_s · replicas_s. */
  energy: number;
  /** Σ qos weight over connections whose ends are on different clusters. */
  traffic: number;
}

export interface PlacementResult {
  status: SolveStatus;
  /** Service name to cluster name; empty when infeasible. */
  placement: Record<string, string>;
  /** Weighted objective of `placement` (0 when infeasible). */
  objective: number;
  /** The binding constraint when infeasible, the trade-off otherwise. */
  reason: string;
  solveMs: number;
  strategy: string;
  /** The backend that solved the MILP; "none" for strategies without one (first-fit) or pre-check verdicts. */
  backend: BackendName | "none";
  /** Relative gap to the best proven bound: 0 when optimal, null when unknown (first-fit). */
  gap: number | null;
  cost: PlacementCost;
  /** Services whose cluster changed against `current`. */
  moved: string[];
  weights: Required<PlacementWeights>;
}

export interface ReplicaService {
  name: string;
  /** Cores per replica. */
  cpu: number;
  /** Requests/s one replica serves. */
  alpha: number;
  /** Requests/s served independently of the replica count; default 0. */
  beta?: number;
  /** Requests/s to cover. */
  rate: number;
  /** Replicas now; default 0. */
  current?: number;
  max: number;
  /** Default 1. */
  min?: number;
}

export interface ReplicaWeights {
  util?: number;
  trans?: number;
}

export interface ReplicaProblem {
  cluster: { cpu: number };
  services: ReplicaService[];
  /** Defaults util 0.4, trans 0.4. */
  weights?: ReplicaWeights;
  backend?: BackendChoice;
  timeLimitMs?: number;
}

export interface ReplicaCost {
  /** Σ cpu_s · r_s / norm with norm = max_s(max_s · cpu_s). */
  util: number;
  /** Σ |r_s − current_s| / max_s. */
  trans: number;
}

export interface ReplicaResult {
  status: SolveStatus;
  /** Service name to replica count; empty when infeasible. */
  replicas: Record<string, number>;
  /** 0 when infeasible. */
  objective: number;
  reason: string;
  solveMs: number;
  backend: BackendName | "none";
  gap: number | null;
  cost: ReplicaCost;
  weights: Required<ReplicaWeights>;
}

export interface StrategyInfo {
  name: string;
  description: string;
  defaultWeights: Required<PlacementWeights>;
}

/** Per-call options. */
export interface DecideOptions {
  /** Aborting rejects the call; a solve already running is stopped by replacing its worker. */
  signal?: AbortSignal;
  /**
   * Worker-pool lane. Default: "priority" for replica decisions (the elasticity loop, whose latency matters),
   * "normal" for placements. OptimizerService passes "normal" for both: public what-ifs never take the lane.
   */
  lane?: "priority" | "normal";
}

export const DEFAULT_TIME_LIMIT_MS = 2000;
export const MAX_TIME_LIMIT_MS = 600_000;
export const QOS_WEIGHT: Readonly<Record<Qos, number>> = { ultralow: 4, low: 2, "best-effort": 1 };
export const DEFAULT_REPLICA_WEIGHTS: Readonly<Required<ReplicaWeights>> = { util: 0.4, trans: 0.4 };
