// Karmada `cluster.karmada.io/v1alpha1` Cluster objects as the MemberCluster the solver works with.
import type { MemberCluster } from "../../core/ports/karmada.js";
import { quantityOf } from "./quantity.js";

export const CLUSTER_API = { group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters" } as const;
export const GPU_RESOURCE = "nvidia.com/gpu";

const REGION_LABELS = ["topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region", "region"];

interface KarmadaCluster {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { region?: string };
  status?: {
    conditions?: { type?: string; status?: string }[];
    resourceSummary?: {
      allocatable?: Record<string, unknown>;
      allocated?: Record<string, unknown>;
    };
  };
}

export function toMemberCluster(object: unknown): MemberCluster {
  const cluster = object as KarmadaCluster;
  const labels = { ...(cluster.metadata?.labels ?? {}) };
  const allocatable = cluster.status?.resourceSummary?.allocatable;
  const allocated = cluster.status?.resourceSummary?.allocated;
  const cpuAllocatable = quantityOf(allocatable, "cpu");
  const memoryAllocatableBytes = quantityOf(allocatable, "memory");
  const gpus = quantityOf(allocatable, GPU_RESOURCE);
  const ready = (cluster.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  const region = cluster.spec?.region || REGION_LABELS.map((key) => labels[key]).find((value) => value);
  const member: MemberCluster = {
    name: cluster.metadata?.name ?? "",
    ready,
    cpuAllocatable,
    // Over-commitment (allocated > allocatable) happens on real members; free never goes negative.
    cpuFree: Math.max(0, cpuAllocatable - quantityOf(allocated, "cpu")),
    memoryAllocatableBytes,
    memoryFreeBytes: Math.max(0, memoryAllocatableBytes - quantityOf(allocated, "memory")),
    gpus,
    gpusFree: Math.max(0, gpus - quantityOf(allocated, GPU_RESOURCE)),
    labels,
  };
  if (region) member.region = region;
  return member;
}

export function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
