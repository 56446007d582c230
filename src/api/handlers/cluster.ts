import type { ServiceImpl } from "@connectrpc/connect";
import { ClusterService } from "../../gen/smo/v1/cluster_pb.js";
import type { ApiDeps } from "./deps.js";
import { notYet } from "./unimplemented.js";

export function createClusterService(_deps: ApiDeps): ServiceImpl<typeof ClusterService> {
  const inventory = "the Karmada cluster inventory (issue 5)";
  return {
    listClusters: () => notYet("ListClusters", inventory),
    syncClusters: () => notYet("SyncClusters", inventory),
    setClusterProfile: () => notYet("SetClusterProfile", inventory),
  };
}
