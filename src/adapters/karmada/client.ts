// KarmadaClient on @kubernetes/client-node: member clusters, namespaces, placement policies, service
// export/import, scaling. One instance per Karmada control plane; close() stops its watches.
import type { Logger } from "pino";
import { AlreadyExistsError } from "../../core/errors.js";
import type { KarmadaClient, MemberCluster, Subscription } from "../../core/ports/karmada.js";
import { callKube } from "./call.js";
import { byName, CLUSTER_API, toMemberCluster } from "./clusters.js";
import { createKubeAccess, type KubeAccess } from "./kube.js";
import { checkLabelName } from "./names.js";
import { createPlacementOps } from "./placement.js";
import { createReplicaOps } from "./replicas.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
import { resumableWatch } from "./watch.js";

export interface KarmadaClientOptions {
  /** Path of a kubeconfig file, or the kubeconfig YAML itself. */
  kubeconfig: string;
  logger: Logger;
  /** Deadline of one operation, retries included (default 5000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface KarmadaAdapter extends KarmadaClient {
  /** The client-node objects and call policy, for the rule sink and the manifest deployer. */
  readonly kube: KubeAccess;
  /** Stops every watch started through this client. */
  close(): void;
}

export function createKarmadaClient(options: KarmadaClientOptions): KarmadaAdapter {
  const logger = options.logger.child({ component: "karmada" });
  const kube = createKubeAccess(options.kubeconfig, {
    logger,
    timeoutMs: options.timeoutMs ?? 5_000,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  });
  const subscriptions = new Set<Subscription>();
  const replicaOps = createReplicaOps(kube);

  function track(subscription: Subscription): Subscription {
    subscriptions.add(subscription);
    return {
      stop() {
        subscription.stop();
        subscriptions.delete(subscription);
      },
    };
  }

  async function listClusterObjects(): Promise<{ items: unknown[]; resourceVersion: string }> {
    const list = (await callKube(kube.policy, "list Clusters", (opts) =>
      kube.custom.listClusterCustomObject({ ...CLUSTER_API }, opts),
    )) as { items?: unknown[]; metadata?: { resourceVersion?: string } };
    return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? "" };
  }

  return {
    kube,
    ...createPlacementOps(kube),
    scale: replicaOps.scale,
    getReplicas: replicaOps.getReplicas,
    watchReplicas: (namespace, onChange) => track(replicaOps.watchReplicas(namespace, onChange)),

    async listClusters(): Promise<MemberCluster[]> {
      const { items } = await listClusterObjects();
      return items.map(toMemberCluster).sort(byName);
    },

    watchClusters(onChange: (clusters: MemberCluster[]) => void): Subscription {
      return track(
        resumableWatch(kube, {
          what: "clusters",
          path: `/apis/${CLUSTER_API.group}/${CLUSTER_API.version}/${CLUSTER_API.plural}`,
          list: listClusterObjects,
          onChange: (objects) => onChange([...objects.values()].map(toMemberCluster).sort(byName)),
        }),
      );
    },

    async ensureNamespace(namespace: string): Promise<void> {
      checkLabelName("namespace", namespace);
      try {
        await callKube(kube.policy, `create Namespace ${namespace}`, (opts) =>
          kube.core.createNamespace({ body: { metadata: { name: namespace } } }, opts),
        );
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
    },

    close(): void {
      for (const subscription of subscriptions) subscription.stop();
      subscriptions.clear();
    },
  };
}
