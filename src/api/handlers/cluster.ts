// ClusterService over the lifecycle's cluster inventory (Karmada members merged with operator profiles).
// Without Karmada, ListClusters answers from the store (the inventory of an earlier run, or nothing).
import type { ServiceImpl } from "@connectrpc/connect";
import { ClusterService } from "../../gen/smo/v1/cluster_pb.js";
import { InvalidArgumentError, NotFoundError, UnavailableError } from "../../core/errors.js";
import type { ClusterInventory } from "../../core/clusters/inventory.js";
import { clusterProfileFromProto, clusterToProto } from "../convert.js";
import type { ApiDeps } from "./deps.js";
import { NO_FEDERATION } from "./graph.js";

// ListMembers is the HA side's (members.ts); index.ts merges it in.
export function createClusterService(deps: ApiDeps): Omit<ServiceImpl<typeof ClusterService>, "listMembers"> {
  const inventory = (): ClusterInventory => {
    if (!deps.lifecycle) throw new UnavailableError(NO_FEDERATION);
    return deps.lifecycle.inventory;
  };
  return {
    async listClusters() {
      if (!deps.lifecycle) return { clusters: (await deps.store.clusters.list()).map(clusterToProto) };
      const known = await deps.lifecycle.inventory.list();
      // Nothing synced yet (fresh store): read the members once instead of answering an empty list.
      const clusters = known.length > 0 ? known : await deps.lifecycle.inventory.sync();
      return { clusters: clusters.map(clusterToProto) };
    },
    async getCluster(req) {
      if (req.name.length === 0) throw new InvalidArgumentError("name is required", [{ field: "name", description: "the member cluster name is required" }]);
      if (!deps.lifecycle) {
        const found = await deps.store.clusters.get(req.name);
        if (!found) throw new NotFoundError(`cluster ${req.name} not found`);
        return { cluster: clusterToProto(found) };
      }
      return { cluster: clusterToProto(await deps.lifecycle.inventory.get(req.name)) };
    },
    async syncClusters() {
      return { clusters: (await inventory().sync()).map(clusterToProto) };
    },
    async setClusterProfile(req) {
      const violations = [];
      if (req.name.length === 0) violations.push({ field: "name", description: "the member cluster name is required" });
      if (!req.profile) violations.push({ field: "profile", description: "the profile to set is required" });
      if (violations.length > 0) throw new InvalidArgumentError(`invalid request: ${violations.map((v) => v.field).join(", ")}`, violations);
      const cluster = await inventory().setProfile(req.name, clusterProfileFromProto(req.profile!));
      return { cluster: clusterToProto(cluster) };
    },
  };
}
