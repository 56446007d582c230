// Store records → smo.v1 messages. The only place that knows both shapes, so handlers stay one-liners.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ClusterProfileSchema,
  ClusterSchema,
  GraphEventSchema,
  GraphSchema,
  GraphStatus,
  PlacementDecisionSchema,
  ServiceSchema,
  ServiceStatus,
  SolverStatus,
  type Cluster,
  type ClusterProfile,
  type Graph,
  type GraphEvent,
  type PlacementDecision,
  type Service,
} from "../gen/smo/v1/types_pb.js";
import type { ClusterProfileRecord, ClusterRecord, EventRecord, GraphRecord, PlacementRecord, ServiceRecord } from "../core/ports/store.js";
import type { GraphView, ServiceView } from "../core/graphs/types.js";

const GRAPH_STATUS: Record<GraphRecord["status"], GraphStatus> = {
  deploying: GraphStatus.DEPLOYING,
  running: GraphStatus.RUNNING,
  stopped: GraphStatus.STOPPED,
  failed: GraphStatus.FAILED,
  removing: GraphStatus.REMOVING,
};

const SERVICE_STATUS: Record<ServiceRecord["status"], ServiceStatus> = {
  deployed: ServiceStatus.DEPLOYED,
  pending: ServiceStatus.PENDING,
  "not-deployed": ServiceStatus.NOT_DEPLOYED,
  failed: ServiceStatus.FAILED,
};

const SOLVER_STATUS: Record<PlacementRecord["status"], SolverStatus> = {
  optimal: SolverStatus.OPTIMAL,
  feasible: SolverStatus.FEASIBLE,
  infeasible: SolverStatus.INFEASIBLE,
};

export function graphStatusToProto(status: GraphRecord["status"]): GraphStatus {
  return GRAPH_STATUS[status] ?? GraphStatus.UNSPECIFIED;
}

export function solverStatusToProto(status: PlacementRecord["status"]): SolverStatus {
  return SOLVER_STATUS[status] ?? SolverStatus.UNSPECIFIED;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** A stored service without live replica counts (ready/available 0), as a view. */
function storedServiceView(record: ServiceRecord): ServiceView {
  return {
    name: record.name,
    status: record.status,
    cluster: record.cluster,
    desiredReplicas: record.desiredReplicas,
    readyReplicas: 0,
    availableReplicas: 0,
    cpu: record.cpu,
    memoryBytes: record.memoryBytes,
    storageBytes: record.storageBytes,
    gpu: record.gpu,
    artifact: record.artifact,
    connectionPoints: stringList(field(record.spec, "connectionPoints")),
    eventTriggered: record.eventTriggered,
    dashboardUrl: record.dashboardUrl,
    minReplicas: record.minReplicas,
    maxReplicas: record.maxReplicas,
  };
}

export function serviceToProto(record: ServiceRecord): Service {
  return serviceViewToProto(storedServiceView(record));
}

export function serviceViewToProto(view: ServiceView): Service {
  return create(ServiceSchema, {
    name: view.name,
    status: SERVICE_STATUS[view.status] ?? ServiceStatus.UNSPECIFIED,
    cluster: view.cluster ?? "",
    desiredReplicas: view.desiredReplicas,
    readyReplicas: view.readyReplicas,
    availableReplicas: view.availableReplicas,
    cpu: view.cpu,
    memoryBytes: BigInt(Math.round(view.memoryBytes)),
    storageBytes: BigInt(Math.round(view.storageBytes)),
    gpu: view.gpu > 0,
    artifact: view.artifact,
    connectionPoints: view.connectionPoints,
    eventTriggered: view.eventTriggered,
    dashboardUrl: view.dashboardUrl ?? "",
    minReplicas: view.minReplicas,
    maxReplicas: view.maxReplicas,
  });
}

/** details (JSONB) carries what the placement row has no column for: backend, gap, cost terms, moved services. */
export function placementToProto(record: PlacementRecord): PlacementDecision {
  const cost = field(record.details, "cost");
  return create(PlacementDecisionSchema, {
    status: solverStatusToProto(record.status),
    placement: record.placement,
    objective: record.objective,
    reason: record.reason,
    solveMs: record.solveMs,
    strategy: record.strategy,
    backend: String(field(record.details, "backend") ?? ""),
    gap: num(field(record.details, "gap")),
    cost: cost === undefined ? undefined : { moves: num(field(cost, "moves")), energy: num(field(cost, "energy")), traffic: num(field(cost, "traffic")) },
    moved: stringList(field(record.details, "moved")),
    decidedAt: timestampFromDate(record.createdAt),
  });
}

/** Options of the graph conversion; ListGraphs leaves the descriptor out (it can be large, and lists are long). */
export interface GraphProtoOptions {
  descriptor?: boolean;
}

/** A stored graph without live replica counts: what GetGraph/ListGraphs answer when smo runs without Karmada. */
export function graphToProto(graph: GraphRecord, services: ServiceRecord[], latest?: PlacementRecord, options: GraphProtoOptions = {}): Graph {
  const placement: Record<string, string> = {};
  for (const s of services) if (s.cluster) placement[s.name] = s.cluster;
  return graphViewToProto(
    {
      ...graph,
      descriptorJson: options.descriptor === false ? "" : JSON.stringify(graph.descriptor ?? null),
      services: services.map(storedServiceView),
      placement,
      lastDecision: latest,
      replicasLive: false,
      pendingActions: 0,
    },
    options,
  );
}

/** The lifecycle's view of a graph; `placement` is where the services are now, `lastDecision` the latest solve. */
export function graphViewToProto(view: GraphView, options: GraphProtoOptions = {}): Graph {
  return create(GraphSchema, {
    name: view.name,
    project: view.project,
    status: graphStatusToProto(view.status),
    version: view.version,
    services: view.services.map(serviceViewToProto),
    placement: view.placement,
    dashboardUrl: view.dashboardUrl ?? "",
    lastDecision: view.lastDecision ? placementToProto(view.lastDecision) : undefined,
    strategy: view.strategy,
    descriptorJson: options.descriptor === false ? "" : (view.descriptorJson),
    warnings: view.warnings,
    createdAt: timestampFromDate(view.createdAt),
    updatedAt: timestampFromDate(view.updatedAt),
    message: view.message ?? "",
    replicasLive: view.replicasLive,
    pendingActions: view.pendingActions,
    replicasObservedAt: view.replicasObservedAt ? timestampFromDate(view.replicasObservedAt) : undefined,
  });
}

export function eventToProto(record: EventRecord): GraphEvent {
  return create(GraphEventSchema, {
    id: BigInt(record.id),
    graph: record.graph,
    type: record.type,
    service: record.service ?? "",
    message: record.message,
    occurredAt: timestampFromDate(record.occurredAt),
    detailsJson: record.details === null || record.details === undefined ? "" : JSON.stringify(record.details),
  });
}

export function clusterProfileToProto(profile: ClusterProfileRecord): ClusterProfile {
  return create(ClusterProfileSchema, {
    energyCost: profile.energyCost,
    carbonIntensity: profile.carbonIntensity,
    pue: profile.pue,
    location: profile.location,
    gpus: profile.gpus ?? undefined,
  });
}

/** An unset `gpus` means "use the count Karmada reports" (null in the store). */
export function clusterProfileFromProto(profile: ClusterProfile): ClusterProfileRecord {
  return {
    energyCost: profile.energyCost,
    carbonIntensity: profile.carbonIntensity,
    pue: profile.pue,
    location: profile.location,
    gpus: profile.gpus ?? null,
  };
}

export function clusterToProto(record: ClusterRecord): Cluster {
  return create(ClusterSchema, {
    name: record.name,
    ready: record.ready,
    cpuAllocatable: record.cpuAllocatable,
    cpuFree: record.cpuFree,
    memoryAllocatableBytes: BigInt(Math.round(record.memoryAllocatableBytes)),
    memoryFreeBytes: BigInt(Math.round(record.memoryFreeBytes)),
    gpus: record.gpus,
    gpusFree: record.gpusFree,
    labels: record.labels,
    profile: clusterProfileToProto(record.profile),
    syncedAt: timestampFromDate(record.syncedAt),
  });
}
