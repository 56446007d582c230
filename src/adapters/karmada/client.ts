// KarmadaClient on @kubernetes/client-node: member clusters, namespaces, placement policies, service
// export/import, scaling. One instance per Karmada control plane. Reads of clusters and Deployments come from
// shared informers (one list and one watch per resource, whatever the number of consumers); close() stops them.
import type { Logger } from "pino";
import { PatchStrategy } from "@kubernetes/client-node";
import type { CacheState, KarmadaClient, MemberCluster, Subscription } from "../../core/ports/karmada.js";
import { callKube } from "./call.js";
import { byName, CLUSTER_API, toMemberCluster } from "./clusters.js";
import { KarmadaInformers } from "./informers.js";
import { FIELD_MANAGER } from "./ownership.js";
import { createKubeAccess, type KubeAccess } from "./kube.js";
import { checkLabelName } from "./names.js";
import { createPlacementOps } from "./placement.js";
import { createReplicaOps, replicaStatusOf, sameStatus } from "./replicas.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
import type { ReplicaStatus } from "../../core/ports/karmada.js";

export interface KarmadaClientOptions {
  /** Path of a kubeconfig file, or the kubeconfig YAML itself. */
  kubeconfig: string;
  logger: Logger;
  /** Deadline of one operation, retries included (default 5000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Periodic resync of the informers' consumers (default 60 s; 0 = never). */
  resyncMs?: number;
}

export interface KarmadaAdapter extends KarmadaClient {
  /** The client-node objects and call policy, for the rule sink and the manifest deployer. */
  readonly kube: KubeAccess;
  readonly informers: KarmadaInformers;
  /** Stops every informer and watch started through this client. */
  close(): void;
}

interface Meta {
  metadata?: { name?: string; namespace?: string };
}

export function createKarmadaClient(options: KarmadaClientOptions): KarmadaAdapter {
  const logger = options.logger.child({ component: "karmada" });
  const kube = createKubeAccess(options.kubeconfig, {
    logger,
    timeoutMs: options.timeoutMs ?? 5_000,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  });
  const informers = new KarmadaInformers(kube, options.resyncMs ?? 60_000);
  const replicaOps = createReplicaOps(kube);

  function clusterList(): MemberCluster[] {
    return informers.clusters.list().map(toMemberCluster).sort(byName);
  }

  return {
    kube,
    informers,
    ...createPlacementOps(kube),
    scale: replicaOps.scale,

    async startInformers(timeoutMs: number): Promise<boolean> {
      // Every resource smo reads or owns: reads and reconcile then answer from memory from the first request.
      const all = [informers.clusters, ...(["Deployment", "Service", "PropagationPolicy", "ServiceExport", "ServiceImport"] as const).map((k) => informers.owned(k))];
      const synced = await Promise.all(all.map((informer) => informer.waitForSync(timeoutMs)));
      return synced.every(Boolean);
    },

    replicaCache(): CacheState {
      return informers.deployments.state;
    },

    cachedReplicas(namespace: string, deployment: string): ReplicaStatus | undefined {
      const found = informers.deployments.get(namespace, deployment);
      return found ? replicaStatusOf(found) : undefined;
    },

    watchObjects: (onChange) => informers.watchObjects(onChange),
    observedObjects: (kind, namespace) => informers.observedObjects(kind, namespace),

    async getReplicas(namespace: string, deployment: string): Promise<ReplicaStatus | undefined> {
      const cache = informers.deployments;
      if (cache.state.live) {
        checkLabelName("namespace", namespace);
        checkLabelName("deployment", deployment);
        const found = cache.get(namespace, deployment);
        return found ? replicaStatusOf(found) : undefined;
      }
      return replicaOps.getReplicas(namespace, deployment);
    },

    watchReplicas(namespace, onChange): Subscription {
      if (namespace) checkLabelName("namespace", namespace);
      const last = new Map<string, ReplicaStatus>();
      const report = (object: unknown) => {
        const meta = (object as Meta).metadata ?? {};
        if (namespace && meta.namespace !== namespace) return;
        const key = `${meta.namespace}/${meta.name}`;
        const status = replicaStatusOf(object);
        // Only status changes matter to the caller; label or annotation edits are dropped here.
        if (sameStatus(last.get(key), status)) return;
        last.set(key, status);
        onChange(meta.name ?? "", meta.namespace ?? namespace, status);
      };
      return informers.deployments.addHandlers({
        onList: (objects) => objects.forEach(report),
        onAdd: report,
        onUpdate: (_previous, object) => report(object),
        onDelete: (object) => {
          const meta = (object as Meta).metadata ?? {};
          last.delete(`${meta.namespace}/${meta.name}`);
        },
      });
    },

    async listClusters(): Promise<MemberCluster[]> {
      if (informers.clusters.state.synced && informers.clusters.state.live) return clusterList();
      const list = (await callKube(kube.policy, "list Clusters", (opts) =>
        kube.custom.listClusterCustomObject({ ...CLUSTER_API }, opts),
      )) as { items?: unknown[] };
      return (list.items ?? []).map(toMemberCluster).sort(byName);
    },

    watchClusters(onChange: (clusters: MemberCluster[]) => void): Subscription {
      const all = () => onChange(clusterList());
      return informers.clusters.addHandlers({ onList: all, onAdd: all, onUpdate: all, onDelete: all });
    },

    async ensureNamespace(namespace: string): Promise<void> {
      checkLabelName("namespace", namespace);
      // Server-side apply of the name alone: creates the namespace when absent, and on one that exists (Hop3's,
      // an operator's) only records smo as a manager of nothing, so it never takes a field over.
      await callKube(
        kube.policy,
        `apply Namespace ${namespace}`,
        (opts) =>
          kube.core.patchNamespace(
            { name: namespace, body: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, fieldManager: FIELD_MANAGER },
            opts,
          ),
        { contentType: PatchStrategy.ServerSideApply },
      );
    },

    close(): void {
      informers.stop();
    },
  };
}
