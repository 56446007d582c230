// What a Deployment template asks of each pod, and the per-cluster view of its replicas that Karmada
// aggregates into the template's status (and shows per member in the ResourceBinding).
import type { Member, Pod, Requests } from "./members.js";
import { parseBytes, parseCount, parseCpuMillis } from "./quantity.js";
import type { KObject } from "./store.js";

export interface Workload {
  key: string;
  namespace: string;
  name: string;
  requests: Requests;
  /** The pod template as JSON; a change replaces every pod. */
  template: string;
  /** Desired replicas per member. */
  assignment: Map<string, number>;
  pods: Set<Pod>;
  /** "PropagationPolicy/ns/name" or "ClusterPropagationPolicy/name" of the claiming policy. */
  policy?: string;
  placement?: KObject;
}

function requestOf(c: KObject, resource: string, parse: (v: unknown) => number | undefined): number {
  const v = c?.resources?.requests?.[resource] ?? c?.resources?.limits?.[resource];
  return v === undefined ? 0 : (parse(v) ?? 0);
}

/** Pod requests: the sum over containers, or the largest init container if that is more (Kubernetes' rule). */
export function podRequests(deployment: KObject): Requests {
  const spec = deployment.spec?.template?.spec ?? {};
  const sum = (list: KObject[] | undefined, resource: string, parse: (v: unknown) => number | undefined) =>
    (list ?? []).reduce((a, c) => a + requestOf(c, resource, parse), 0);
  const max = (list: KObject[] | undefined, resource: string, parse: (v: unknown) => number | undefined) =>
    (list ?? []).reduce((a, c) => Math.max(a, requestOf(c, resource, parse)), 0);
  return {
    cpuMillis: Math.max(sum(spec.containers, "cpu", parseCpuMillis), max(spec.initContainers, "cpu", parseCpuMillis)),
    memoryBytes: Math.max(sum(spec.containers, "memory", parseBytes), max(spec.initContainers, "memory", parseBytes)),
    gpus: Math.max(sum(spec.containers, "nvidia.com/gpu", parseCount), max(spec.initContainers, "nvidia.com/gpu", parseCount)),
  };
}

export interface MemberReplicas {
  desired: number;
  replicas: number;
  ready: number;
}

/** Counts per member; a pod counts as ready only while its member is Ready. */
export function replicasByMember(w: Workload, members: Map<string, Member>): Map<string, MemberReplicas> {
  const out = new Map<string, MemberReplicas>();
  for (const [c, n] of w.assignment) out.set(c, { desired: n, replicas: 0, ready: 0 });
  for (const p of w.pods) {
    const r = out.get(p.cluster) ?? out.set(p.cluster, { desired: 0, replicas: 0, ready: 0 }).get(p.cluster)!;
    r.replicas += p.count;
    if (p.phase === "Running" && members.get(p.cluster)?.ready) r.ready += p.count;
  }
  return out;
}

/** JSON drops zero counters (omitempty), so a real server's Deployment status does too. */
function counters(c: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) if (v !== 0) out[k] = v;
  return out;
}

/** A member Deployment's status as Karmada collects it. */
export function memberStatus(r: MemberReplicas, generation: number): Record<string, number> {
  return counters({
    observedGeneration: generation,
    replicas: r.replicas,
    updatedReplicas: r.replicas,
    readyReplicas: r.ready,
    availableReplicas: r.ready,
    unavailableReplicas: Math.max(0, r.desired - r.ready),
  });
}

/**
 * The template's status: Karmada's Deployment status aggregation sums the members' counters and reports the
 * template's generation as observed (it aggregates no conditions).
 */
export function aggregateStatus(byMember: Map<string, MemberReplicas>, generation: number): Record<string, number> {
  const total: MemberReplicas = { desired: 0, replicas: 0, ready: 0 };
  for (const r of byMember.values()) {
    total.desired += r.desired;
    total.replicas += r.replicas;
    total.ready += r.ready;
  }
  return memberStatus(total, generation);
}
