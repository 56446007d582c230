// GetGraph / ListGraphs: a graph as stored with the replica counts smo's Deployment informer holds. Pure: the
// read model calls it with what it keeps in memory, so a read costs no I/O. Karmada being away does not fail a
// read: the last observed counts (or the stored desired ones) are returned and the view says they are not live.
import type { ServiceModel } from "../hdag/model.js";
import type { CacheState, ReplicaStatus } from "../ports/karmada.js";
import type { PlacementRecord, ServiceRecord } from "../ports/store.js";
import type { GraphHead, GraphView, ServiceView } from "./types.js";

/** Replica counts without I/O (the Deployment informer's memory). */
export interface ReplicaCounts {
  replicaCache(): CacheState;
  cachedReplicas(namespace: string, deployment: string): ReplicaStatus | undefined;
}

export function graphView(
  graph: GraphHead,
  services: readonly ServiceRecord[],
  lastDecision: PlacementRecord | undefined,
  pendingActions: number,
  counts: ReplicaCounts | undefined,
  descriptorJson: string,
  now: Date = new Date(),
  storedVersion?: object,
): GraphView {
  const cache = counts?.replicaCache();
  const synced = cache?.synced === true;
  const views: ServiceView[] = services.map((s) =>
    serviceView(s, synced && s.status === "deployed" ? counts!.cachedReplicas(graph.project, s.name) : undefined),
  );
  const placement: Record<string, string> = {};
  for (const s of services) if (s.cluster) placement[s.name] = s.cluster;
  const live = synced && cache!.live;
  return {
    name: graph.name,
    project: graph.project,
    status: graph.status,
    version: graph.version,
    strategy: graph.strategy,
    dashboardUrl: graph.dashboardUrl,
    message: graph.message,
    warnings: graph.warnings,
    descriptorJson,
    descriptorHash: graph.descriptorHash,
    createdAt: graph.createdAt,
    updatedAt: graph.updatedAt,
    services: views,
    placement,
    lastDecision,
    replicasLive: live,
    replicasObservedAt: !synced ? undefined : live ? now : cache!.observedAt,
    pendingActions,
    storedVersion,
  };
}

export function serviceView(s: ServiceRecord, live: ReplicaStatus | undefined): ServiceView {
  const spec = s.spec as Partial<ServiceModel> | null;
  return {
    name: s.name,
    status: s.status,
    cluster: s.cluster,
    desiredReplicas: live?.desired ?? s.desiredReplicas,
    readyReplicas: live?.ready ?? 0,
    availableReplicas: live?.available ?? 0,
    cpu: s.cpu,
    memoryBytes: s.memoryBytes,
    storageBytes: s.storageBytes,
    gpu: s.gpu,
    artifact: s.artifact,
    connectionPoints: spec?.connectionPoints ?? [],
    eventTriggered: s.eventTriggered,
    dashboardUrl: s.dashboardUrl,
    minReplicas: s.minReplicas,
    maxReplicas: s.maxReplicas,
  };
}
