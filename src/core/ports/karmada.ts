// What core code needs from the Karmada federation. Implemented by src/adapters/karmada on
// @kubernetes/client-node (against a real Karmada or smo's simulated one). Every method throws the typed
// errors of core/errors.ts (NotFoundError, ConflictError, UnavailableError), never raw HTTP errors.
import type { GraphModel, ServiceModel } from "../hdag/model.js";

export interface MemberCluster {
  name: string;
  ready: boolean;
  cpuAllocatable: number;
  /** allocatable - allocated, in cores. */
  cpuFree: number;
  memoryAllocatableBytes: number;
  memoryFreeBytes: number;
  gpus: number;
  gpusFree: number;
  labels: Record<string, string>;
  region?: string;
}

export interface ReplicaStatus {
  /** spec.replicas of the template on the control plane. */
  desired: number;
  ready: number;
  available: number;
  updated: number;
}

export interface Subscription {
  stop(): void;
}

export interface KarmadaClient {
  listClusters(): Promise<MemberCluster[]>;
  /** Calls back with the whole member list on every change; resumes after disconnects. */
  watchClusters(onChange: (clusters: MemberCluster[]) => void): Subscription;

  ensureNamespace(namespace: string): Promise<void>;

  /** PropagationPolicy `<service>` selecting Deployment and Service `<service>`, clusterNames = clusters. Create or patch. */
  applyPlacement(namespace: string, service: string, clusters: string[]): Promise<void>;
  /** clusterNames of the policy, undefined when there is none. */
  getPlacement(namespace: string, service: string): Promise<string[] | undefined>;
  /** Idempotent: a missing policy is not an error. */
  removePlacement(namespace: string, service: string): Promise<void>;

  /** ServiceExport on exportCluster and ServiceImport on importClusters, with policies `<service>-export` / `<service>-import`. */
  applyServiceExport(namespace: string, service: string, exportCluster: string, importClusters: string[]): Promise<void>;
  removeServiceExport(namespace: string, service: string): Promise<void>;

  /** Merge patch of the Deployment's scale subresource. */
  scale(namespace: string, deployment: string, replicas: number): Promise<void>;
  getReplicas(namespace: string, deployment: string): Promise<ReplicaStatus | undefined>;
  /** Deployment status changes in a namespace ("" = all), for the ready stage of elasticity timings. */
  watchReplicas(namespace: string, onChange: (deployment: string, namespace: string, status: ReplicaStatus) => void): Subscription;
}

/** Where a service's workload goes: the clusters chosen for it and the clusters that import it. */
export interface WorkloadPlacement {
  clusters: string[];
  importClusters: string[];
}

/** Renders and applies a service's workload (Deployment + Service), by manifest or by helm. */
export interface Deployer {
  readonly name: "manifest" | "helm";
  apply(
    namespace: string,
    graph: Pick<GraphModel, "id" | "intent">,
    service: ServiceModel,
    placement: WorkloadPlacement,
    replicas: number,
  ): Promise<void>;
  /** Idempotent. */
  remove(namespace: string, graphId: string, service: ServiceModel): Promise<void>;
}
