export { ClusterInventory, defaultProfile } from "./inventory.js";
export type { SolverCluster, HeldCapacity, ClusterSnapshot, ClusterLossReason, ClusterInventoryOptions } from "./inventory.js";
