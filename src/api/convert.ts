// Store records → smo.v1 messages. The only place that knows both shapes, so handlers stay one-liners.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  GraphSchema,
  GraphStatus,
  PlacementDecisionSchema,
  ServiceSchema,
  ServiceStatus,
  SolverStatus,
  type Graph,
  type PlacementDecision,
  type Service,
} from "../gen/smo/v1/types_pb.js";
import type { GraphRecord, PlacementRecord, ServiceRecord } from "../core/ports/store.js";

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

export function serviceToProto(record: ServiceRecord): Service {
  return create(ServiceSchema, {
    name: record.name,
    status: SERVICE_STATUS[record.status] ?? ServiceStatus.UNSPECIFIED,
    cluster: record.cluster ?? "",
    desiredReplicas: record.desiredReplicas,
    cpu: record.cpu,
    memoryBytes: BigInt(Math.round(record.memoryBytes)),
    storageBytes: BigInt(Math.round(record.storageBytes)),
    gpu: record.gpu > 0,
    artifact: record.artifact,
    connectionPoints: stringList(field(record.spec, "connectionPoints")),
    eventTriggered: record.eventTriggered,
    dashboardUrl: record.dashboardUrl ?? "",
    minReplicas: record.minReplicas,
    maxReplicas: record.maxReplicas,
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

/** The graph with its services; `placement` is where the services are now, `lastDecision` the latest solve. */
export function graphToProto(graph: GraphRecord, services: ServiceRecord[], latest?: PlacementRecord): Graph {
  const placement: Record<string, string> = {};
  for (const s of services) if (s.cluster) placement[s.name] = s.cluster;
  return create(GraphSchema, {
    name: graph.name,
    project: graph.project,
    status: graphStatusToProto(graph.status),
    version: graph.version,
    services: services.map(serviceToProto),
    placement,
    dashboardUrl: graph.dashboardUrl ?? "",
    lastDecision: latest ? placementToProto(latest) : undefined,
    strategy: graph.strategy,
    descriptorJson: JSON.stringify(graph.descriptor ?? null),
    warnings: graph.warnings,
    createdAt: timestampFromDate(graph.createdAt),
    updatedAt: timestampFromDate(graph.updatedAt),
    message: graph.message ?? "",
  });
}
