// Public types of the graph lifecycle: what it needs (ports, passed in) and what it returns (views the API
// handlers and the CLI translate). Plain data; no I/O here.
import type { ProjectOwnership } from "../ports/ownership.js";
import type { Logger } from "../../observability/logger.js";
import type { ClusterInventory } from "../clusters/inventory.js";
import type { Deployer, KarmadaClient } from "../ports/karmada.js";
import type { AlertRuleSink, ArtifactSource, Dashboard, DashboardPublisher } from "../ports/observability.js";
import type {
  EventRecord,
  GraphRecord,
  GraphStatus,
  PlacementRecord,
  ServiceStatus,
  Store,
} from "../ports/store.js";
import type { HdagOptions } from "../hdag/options.js";
import type { DescriptorLoader } from "../hdag/loader.js";
import type { DecideOptions, PlacementProblem, PlacementResult, PlacementWeights } from "../../solver/types.js";

/** The part of the solver the lifecycle uses (src/solver createSolver() satisfies it). */
export interface PlacementSolver {
  decidePlacement(problem: PlacementProblem, options?: DecideOptions): Promise<PlacementResult>;
}

/** What a dashboard is built from: the graph as stored. */
export interface DashboardTarget {
  graph: string;
  project: string;
  services: { name: string; cluster: string | null }[];
}

/** Builds Grafana dashboards (src/adapters/grafana has the real builders); uids must be stable. */
export interface DashboardBuilder {
  graphDashboard(target: DashboardTarget): Dashboard;
  serviceDashboard(target: DashboardTarget, service: string): Dashboard;
  /** One per member cluster, published once when the inventory first sees it. */
  clusterDashboard?(cluster: string): Dashboard;
}

/** Test-only hooks, injected through the options object (never a global). */
export interface LifecycleHooks {
  /** Called after a mutation committed and before its outbox is applied (the crash-safety test kills here). */
  afterCommit?(graph: string, operation: string): void | Promise<void>;
  /** Called after each outbox action is applied and completed (`applied` counts them within one drain). */
  afterAction?(graph: string, kind: string, applied: number): void | Promise<void>;
}

export interface GraphLifecycleOptions {
  store: Store;
  karmada: KarmadaClient;
  deployer: Deployer;
  solver: PlacementSolver;
  logger: Logger;
  /** Built from karmada + store when absent. */
  inventory?: ClusterInventory;
  /** Where alert rules of event-triggered services go; absent = no rules (alerts posted to /v1/alerts still work). */
  rules?: AlertRuleSink;
  /** Absent = no dashboards, no error. */
  dashboards?: { publisher: DashboardPublisher; builder: DashboardBuilder };
  /** Needed for `deploy({artifact})`. */
  artifacts?: ArtifactSource;
  /** Retry of outbox actions that failed with UnavailableError: first delay and cap (ms). Defaults 500 / 30000. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Fallback poll of the events table by watchers (ms), for events written by another process. Default 2000. */
  watchPollMs?: number;
  hooks?: LifecycleHooks;
  /** Validation options of descriptors; pass `placementStrategies: strategyNames()` from the solver. */
  hdagOptions?: HdagOptions;
  /** Turns DeployGraph's descriptor text into a model; default on the calling thread (serve passes a worker pool). */
  descriptors?: DescriptorLoader;
  now?: () => Date;
  /** Several processes on one database: only the project's owner applies outboxes and repairs (default: this one). */
  ownership?: ProjectOwnership;
}

export interface DeployRequest {
  project: string;
  /** HDAG descriptor as YAML or JSON text; exclusive with artifact. */
  descriptor?: string;
  /** oci:// reference; exclusive with descriptor. */
  artifact?: string;
  dryRun?: boolean;
}

export interface ServiceView {
  name: string;
  status: ServiceStatus;
  cluster: string | null;
  /** spec.replicas in Karmada when reachable, else the stored desired count. */
  desiredReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  cpu: number;
  memoryBytes: number;
  storageBytes: number;
  gpu: number;
  artifact: string;
  connectionPoints: string[];
  eventTriggered: boolean;
  dashboardUrl: string | null;
  minReplicas: number;
  maxReplicas: number;
}

/** A stored graph without its descriptor document: what views and plans read of it. */
export type GraphHead = Omit<GraphRecord, "descriptor">;

/**
 * A graph head with its descriptor as JSON text: what the read model keeps per graph (a parsed document costs
 * several times its text in memory; docs/lifecycle.md#read-model), and enough to translate the graph again
 * (GraphCore.modelOf).
 */
export interface StoredGraphText extends GraphHead {
  descriptorJson: string;
}

export interface GraphView {
  name: string;
  project: string;
  status: GraphStatus;
  version: string;
  strategy: string;
  dashboardUrl: string | null;
  /** Last failure, or why actions are being retried. */
  message: string | null;
  warnings: string[];
  descriptorHash: string;
  createdAt: Date;
  updatedAt: Date;
  services: ServiceView[];
  /** Service name to cluster name. */
  placement: Record<string, string>;
  lastDecision: PlacementRecord | undefined;
  /** False while the Deployment informer has not synced or Karmada is away (counts are then the last observed, or stored). */
  replicasLive: boolean;
  /** When the replica counts were last observed on Karmada (undefined when never). */
  replicasObservedAt?: Date;
  /** The stored descriptor as JSON text (serialised once per stored version by the read model). */
  descriptorJson: string;
  /** Outbox actions still to apply (0 when converged). */
  pendingActions: number;
  /**
   * The same object for two views exactly when everything but the live replica fields (counts, replicasLive,
   * replicasObservedAt) is the same stored state: the read model's entry. Lets the API convert and encode a
   * stored version once (src/api/convert.ts). Unset for views not from the read model.
   */
  storedVersion?: object;
}

export interface DeployResult {
  graph: GraphView;
  /** The placement decided now (dry run, first deploy), or the graph's last one (idempotent redeploy). */
  decision: PlacementRecord | undefined;
  warnings: string[];
  /** False when the same descriptor was already deployed, and for a dry run. */
  created: boolean;
  dryRun: boolean;
}

export interface ReplaceRequest {
  /** Empty keeps the graph's own strategy. */
  strategy?: string;
  weights?: PlacementWeights;
}

export interface ReplaceResult {
  graph: GraphView;
  decision: PlacementRecord;
}

/** An Alertmanager webhook alert (JSON v4), as src/adapters/prometheus parses it. */
export interface IncomingAlert {
  status: "firing" | "resolved" | string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: Date | string;
  endsAt?: Date | string | null;
  fingerprint?: string;
}

export interface AlertOutcome {
  /** "graph/service" of services deployed because of these alerts. */
  triggered: string[];
  /** Alerts recorded as events. */
  recorded: number;
  /** Alerts without a known graph/service label. */
  ignored: number;
}

export type { EventRecord, GraphRecord };
