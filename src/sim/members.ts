// Member clusters and the pods they run. A member has one capacity (its whole allocatable CPU, memory and
// GPUs, as if it were one node); a pod is bound when its requests fit in what is left, else it stays Pending;
// a bound pod becomes Running podStartMs later. Nothing here touches the API objects: federation.ts turns
// this state into Cluster, Deployment and ResourceBinding status.
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

  constructor(readonly spec: ClusterSpec) {}

  get name(): string {
    return this.spec.name;
  }

  fits(r: Requests): boolean {
    return (
      this.allocatedCpu + r.cpuMillis <= this.spec.cpu * 1000 &&
      this.allocatedMemory + r.memoryBytes <= this.spec.memory &&
      this.allocatedGpus + r.gpus <= this.spec.gpus &&
      this.boundPods() < this.spec.pods
    );
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
  }

  bind(pod: Pod, readyAt: number): void {
    pod.phase = "Starting";
    pod.readyAt = readyAt;
    this.allocatedCpu += pod.requests.cpuMillis;
    this.allocatedMemory += pod.requests.memoryBytes;
    this.allocatedGpus += pod.requests.gpus;
    this.boundCount++;
  }

  removePod(pod: Pod): void {
    if (!this.pods.delete(pod)) return;
    if (pod.phase !== "Pending") {
      this.allocatedCpu -= pod.requests.cpuMillis;
      this.allocatedMemory -= pod.requests.memoryBytes;
      this.allocatedGpus -= pod.requests.gpus;
      this.boundCount--;
    }
  }

  pending(): Pod[] {
    return [...this.pods].filter((p) => p.phase === "Pending").sort((a, b) => a.seq - b.seq);
  }

  /** Cluster.status as Karmada's cluster status controller reports it. */
  status(previous: Record<string, unknown> | undefined, now: string): Record<string, unknown> {
    let pendingCpu = 0;
    let pendingMem = 0;
    let pendingPods = 0;
    let boundPods = 0;
    for (const p of this.pods) {
      if (p.phase === "Pending") {
        pendingCpu += p.requests.cpuMillis;
        pendingMem += p.requests.memoryBytes;
        pendingPods++;
      } else boundPods++;
    }
    const allocatable: Record<string, string> = {
      cpu: formatCpu(this.spec.cpu * 1000),
      memory: formatBytes(this.spec.memory),
      pods: String(this.spec.pods),
    };
    const allocated: Record<string, string> = { cpu: formatCpu(this.allocatedCpu), memory: formatBytes(this.allocatedMemory), pods: String(boundPods) };
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
        allocating: { cpu: formatCpu(pendingCpu), memory: formatBytes(pendingMem), pods: String(pendingPods) },
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
  workloads: Record<string, { pending: number; starting: number; running: number }>;
}

export function snapshotOf(m: Member): MemberSnapshot {
  const count = { pending: 0, starting: 0, running: 0 };
  const workloads: MemberSnapshot["workloads"] = {};
  for (const p of m.pods) {
    const k = p.phase === "Pending" ? "pending" : p.phase === "Starting" ? "starting" : "running";
    count[k]++;
    (workloads[p.workload] ??= { pending: 0, starting: 0, running: 0 })[k]++;
  }
  return {
    name: m.name,
    ready: m.ready,
    cpuMillis: { allocatable: m.spec.cpu * 1000, allocated: m.allocatedCpu },
    memoryBytes: { allocatable: m.spec.memory, allocated: m.allocatedMemory },
    gpus: { allocatable: m.spec.gpus, allocated: m.allocatedGpus },
    pods: count,
    workloads,
  };
}
