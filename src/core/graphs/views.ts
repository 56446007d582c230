// GetGraph / ListGraphs: the stored graph with live replica counts from Karmada. Karmada being down does not
// fail a read: the stored desired counts are returned and the view says they are not live.
import { UnavailableError, TimeoutError } from "../errors.js";
import type { ServiceModel } from "../hdag/model.js";
import type { KarmadaClient, ReplicaStatus } from "../ports/karmada.js";
import type { GraphRecord, PlacementRecord, ServiceRecord } from "../ports/store.js";
import type { GraphView, ServiceView } from "./types.js";

/** Reads replica counts, giving up on the rest after the first sign that Karmada is unreachable. */
export class ReplicaReader {
  private down = false;

  constructor(private readonly karmada: KarmadaClient) {}

  get live(): boolean {
    return !this.down;
  }

  async read(namespace: string, deployment: string): Promise<ReplicaStatus | undefined> {
    if (this.down) return undefined;
    try {
      return await this.karmada.getReplicas(namespace, deployment);
    } catch (err) {
      if (err instanceof UnavailableError || err instanceof TimeoutError) {
        this.down = true;
        return undefined;
      }
      throw err;
    }
  }
}

export async function buildView(
  graph: GraphRecord,
  services: ServiceRecord[],
  lastDecision: PlacementRecord | undefined,
  pendingActions: number,
  replicas: ReplicaReader | undefined,
): Promise<GraphView> {
  const live = await Promise.all(
    services.map((s) => (replicas && s.status === "deployed" ? replicas.read(graph.project, s.name) : Promise.resolve(undefined))),
  );
  const views: ServiceView[] = services.map((s, i) => serviceView(s, live[i]));
  const placement: Record<string, string> = {};
  for (const s of services) if (s.cluster) placement[s.name] = s.cluster;
  return {
    name: graph.name,
    project: graph.project,
    status: graph.status,
    version: graph.version,
    strategy: graph.strategy,
    dashboardUrl: graph.dashboardUrl,
    message: graph.message,
    warnings: graph.warnings,
    descriptor: graph.descriptor,
    descriptorHash: graph.descriptorHash,
    createdAt: graph.createdAt,
    updatedAt: graph.updatedAt,
    services: views,
    placement,
    lastDecision,
    replicasLive: replicas ? replicas.live : false,
    pendingActions,
  };
}

function serviceView(s: ServiceRecord, live: ReplicaStatus | undefined): ServiceView {
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
