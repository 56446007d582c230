// Member clusters and the pods they run. A member has one capacity (its whole allocatable CPU, memory and
// GPUs, as if it were one node); a pod is bound when its requests fit in what is left, else it stays Pending;
// a bound pod becomes Running podStartMs later. Nothing here touches the API objects: federation.ts turns
// this state into Cluster, Deployment and ResourceBinding status.
// A Pod here is a group of `count` identical pods in one phase: the per-pod model keeps every group at 1 (one
// object per pod), the counts model merges them (about one object per workload and member), which is what lets
// a 20,000-service federation run in one process. Members keep running totals, so no path walks all their pods.
import { formatBytes, formatCpu } from "./quantity.js";

export interface ClusterSpec {
  name: string;
  /** Cores. */
  cpu: number;
  /** Bytes. */
  memory: number;
  gpus: number;
  /** Pod count limit (the sum of the member's nodes' maxPods). */
  pods: number;
  region?: string;
  zone?: string;
  provider?: string;
  labels: Record<string, string>;
}

export interface Requests {
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
}

export type PodPhase = "Pending" | "Starting" | "Running";

export interface Pod {
  seq: number;
  /** Identical pods in this group (always 1 in the per-pod model). */
  count: number;
  workload: string;
  cluster: string;
  requests: Requests;
  template: string;
  phase: PodPhase;
  readyAt?: number;
}

export class Member {
  ready = true;
  readonly pods = new Set<Pod>();
  allocatedCpu = 0;
  allocatedMemory = 0;
  allocatedGpus = 0;
  private boundCount = 0;
  /** Pending groups, and what they ask for (Cluster.status "allocating"). */
  private readonly pendingGroups = new Set<Pod>();
  private pendingCpu = 0;
  private pendingMemory = 0;
  private pendingCount = 0;

  constructor(readonly spec: ClusterSpec) {}

  get name(): string {
    return this.spec.name;
  }

  fits(r: Requests): boolean {
    return this.fitCount(r) >= 1;
  }

  /** How many more pods of this size can be bound now (CPU, memory, GPUs and the pod limit). */
  fitCount(r: Requests): number {
    return Math.min(this.room(r), this.spec.pods - this.boundCount);
  }

  /** How many more pods of this size fit (Infinity for a pod that requests nothing). */
  room(r: Requests): number {
    const limits = [
      r.cpuMillis > 0 ? (this.spec.cpu * 1000 - this.allocatedCpu) / r.cpuMillis : Infinity,
      r.memoryBytes > 0 ? (this.spec.memory - this.allocatedMemory) / r.memoryBytes : Infinity,
      r.gpus > 0 ? (this.spec.gpus - this.allocatedGpus) / r.gpus : Infinity,
    ];
    return Math.max(0, Math.floor(Math.min(...limits)));
  }

  boundPods(): number {
    return this.boundCount;
  }

  add(pod: Pod): void {
    this.pods.add(pod);
    if (pod.phase === "Pending") this.trackPending(pod, 1);
  }

  bind(pod: Pod, readyAt: number): void {
    this.trackPending(pod, -1);
    pod.phase = "Starting";
    pod.readyAt = readyAt;
    this.allocate(pod.requests, pod.count);
  }

  removePod(pod: Pod): void {
    if (!this.pods.delete(pod)) return;
    if (pod.phase === "Pending") this.trackPending(pod, -1);
    else this.allocate(pod.requests, -pod.count);
  }

  /** Takes `n` pods out of a group (n < count); the group keeps the rest. */
  shrink(pod: Pod, n: number): void {
    if (pod.phase === "Pending") {
      this.trackPending(pod, -1);
      pod.count -= n;
      this.trackPending(pod, 1);
    } else {
      this.allocate(pod.requests, -n);
      pod.count -= n;
    }
  }

  /** Adds `n` pods to a bound group (the counts model merging pods that became Running). */
  grow(pod: Pod, n: number): void {
    this.allocate(pod.requests, n);
    pod.count += n;
  }

  pending(): Pod[] {
    return [...this.pendingGroups].sort((a, b) => a.seq - b.seq);
  }

  private trackPending(pod: Pod, sign: 1 | -1): void {
    if (sign > 0) this.pendingGroups.add(pod);
    else this.pendingGroups.delete(pod);
    this.pendingCpu += sign * pod.count * pod.requests.cpuMillis;
    this.pendingMemory += sign * pod.count * pod.requests.memoryBytes;
    this.pendingCount += sign * pod.count;
  }

  private allocate(r: Requests, n: number): void {
    this.allocatedCpu += n * r.cpuMillis;
    this.allocatedMemory += n * r.memoryBytes;
    this.allocatedGpus += n * r.gpus;
    this.boundCount += n;
  }

  /** Cluster.status as Karmada's cluster status controller reports it. */
  status(previous: Record<string, unknown> | undefined, now: string): Record<string, unknown> {
    const allocatable: Record<string, string> = {
      cpu: formatCpu(this.spec.cpu * 1000),
      memory: formatBytes(this.spec.memory),
      pods: String(this.spec.pods),
    };
    const allocated: Record<string, string> = { cpu: formatCpu(this.allocatedCpu), memory: formatBytes(this.allocatedMemory), pods: String(this.boundCount) };
    if (this.spec.gpus > 0) {
      allocatable["nvidia.com/gpu"] = String(this.spec.gpus);
      allocated["nvidia.com/gpu"] = String(this.allocatedGpus);
    }
    const prevReady = ((previous?.conditions as Record<string, string>[] | undefined) ?? []).find((c) => c.type === "Ready");
    const readyStatus = this.ready ? "True" : "False";
    const condition = {
      type: "Ready",
      status: readyStatus,
      reason: this.ready ? "ClusterReady" : "ClusterNotReachable",
      message: this.ready ? "cluster is healthy and ready to accept workloads" : "cluster is not reachable",
      lastTransitionTime: prevReady && prevReady.status === readyStatus ? prevReady.lastTransitionTime : now,
    };
    return {
      kubernetesVersion: "v1.32.0",
      conditions: [condition],
      nodeSummary: { totalNum: 1, readyNum: this.ready ? 1 : 0 },
      resourceSummary: {
        allocatable,
        allocating: { cpu: formatCpu(this.pendingCpu), memory: formatBytes(this.pendingMemory), pods: String(this.pendingCount) },
        allocated,
      },
    };
  }
}

export interface MemberSnapshot {
  name: string;
  ready: boolean;
  cpuMillis: { allocatable: number; allocated: number };
  memoryBytes: { allocatable: number; allocated: number };
  gpus: { allocatable: number; allocated: number };
  pods: { pending: number; starting: number; running: number };
  /** Objects holding those pods: one per pod in the per-pod model, about one per workload in the counts model. */
  podObjects: number;
  workloads: Record<string, { pending: number; starting: number; running: number }>;
}

export function snapshotOf(m: Member): MemberSnapshot {
  const count = { pending: 0, starting: 0, running: 0 };
  const workloads: MemberSnapshot["workloads"] = {};
  for (const p of m.pods) {
    const k = p.phase === "Pending" ? "pending" : p.phase === "Starting" ? "starting" : "running";
    count[k] += p.count;
    (workloads[p.workload] ??= { pending: 0, starting: 0, running: 0 })[k] += p.count;
  }
  return {
    name: m.name,
    ready: m.ready,
    cpuMillis: { allocatable: m.spec.cpu * 1000, allocated: m.allocatedCpu },
    memoryBytes: { allocatable: m.spec.memory, allocated: m.allocatedMemory },
    gpus: { allocatable: m.spec.gpus, allocated: m.allocatedGpus },
    pods: count,
    podObjects: m.pods.size,
    workloads,
  };
}
