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

/** What an informer-backed cache can say about its contents. */
export interface CacheState {
  /** The first list landed: the cache holds every object (possibly stale while not live). */
  synced: boolean;
  /** The watch is connected: the cache follows the server. */
  live: boolean;
  /** When the cache last heard from the server (the moment it stopped being live, when it is not). */
  observedAt?: Date;
}

/** Kinds of object smo writes on Karmada (and so repairs when they drift). */
export type OwnedKind = "Deployment" | "Service" | "PropagationPolicy" | "ServiceExport" | "ServiceImport";

/** An owned object deleted or changed, or re-offered by the periodic resync. */
export interface ObjectChange {
  kind: OwnedKind;
  namespace: string;
  name: string;
  change: "deleted" | "modified" | "resync";
  labels: Record<string, string>;
  /** Field manager of the object's most recent write (managedFields), when the server records one. */
  manager?: string;
  /** The most recent write was made by another field manager than smo's (unknown authors count as smo). */
  byOthers: boolean;
}

/** What reconcile needs to know of an owned object the informers hold. */
export interface ObservedObject {
  name: string;
  /** PropagationPolicy: spec.placement.clusterAffinity.clusterNames. */
  clusters?: string[];
}

export interface KarmadaClient {
  /**
   * Starts the shared informers (clusters, Deployments) and waits at most `timeoutMs` for their first list.
   * Resolves false when Karmada did not answer in time; the informers keep trying and reads say not live.
   */
  startInformers(timeoutMs: number): Promise<boolean>;
  /** State of the Deployment cache that `cachedReplicas` reads. */
  replicaCache(): CacheState;
  /** Replica counts from the Deployment informer's memory: no I/O. Undefined when unknown or not synced. */
  cachedReplicas(namespace: string, deployment: string): ReplicaStatus | undefined;
  /** Owned objects deleted or changed, and all of them at each periodic resync (level-triggered). */
  watchObjects(onChange: (changes: ObjectChange[]) => void): Subscription;
  /** Owned objects of a kind in a namespace, from the informers' memory; undefined while not synced. */
  observedObjects(kind: OwnedKind, namespace: string): ReadonlyMap<string, ObservedObject> | undefined;

  /** From the cluster informer once it has synced; a LIST otherwise. */
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
  /** From the Deployment informer while it is live; a GET otherwise. */
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
