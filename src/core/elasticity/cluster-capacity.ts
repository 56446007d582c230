// ClusterCapacity from Karmada's member list, kept current by the adapter's cluster watch, so a decision reads
// free CPU from memory instead of calling the API on the hot path.
import type { KarmadaClient, MemberCluster, Subscription } from "../ports/karmada.js";
import type { ClusterCapacity } from "./types.js";

export interface WatchedCapacity extends ClusterCapacity, Subscription {
  /** The members as last reported. */
  members(): MemberCluster[];
}

export function watchClusterCapacity(karmada: Pick<KarmadaClient, "watchClusters">): WatchedCapacity {
  let members = new Map<string, MemberCluster>();
  const sub = karmada.watchClusters((list) => {
    members = new Map(list.map((m) => [m.name, m]));
  });
  return {
    cpuFree: (cluster) => members.get(cluster)?.cpuFree,
    members: () => [...members.values()],
    stop: () => sub.stop(),
  };
}
