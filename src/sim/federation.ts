// The simulated Karmada control plane: reacts to Deployments, PropagationPolicies and Clusters written through
// the API, decides where replicas go (placement.ts), runs pods on members (members.ts) and writes back what
// Karmada would: Deployment status aggregated from the members, a ResourceBinding per Deployment, and Cluster
// status (resourceSummary, Ready condition). Work is coalesced: API writes mark things dirty and one pass runs
// on the next turn of the event loop; pod start-up uses a single timer for the earliest pending readiness.
import { randomUUID } from "node:crypto";
import { Member, snapshotOf, type ClusterSpec, type MemberSnapshot, type Pod } from "./members.js";
import { assignReplicas, candidateClusters, selectPolicy, type ClusterView } from "./placement.js";
import { bindingName, renderBinding } from "./binding.js";
import { clusterObject, specFromObject } from "./cluster-object.js";
import { deepEqual } from "./patch.js";
import type { ResourceRegistry, ResourceType } from "./resources.js";
import type { KObject, ObjectStore, StoreEvent } from "./store.js";
import { aggregateStatus, podRequests, replicasByMember, type MemberReplicas, type Workload } from "./workload.js";

const ORIGIN = "federation";

export interface SimLogger {
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SimulatedFederationOptions {
  podStartMs: number;
  podStartJitterMs: number;
  random: () => number;
  /** Capacity of members created through the API without capacity annotations. */
  defaultCapacity: Pick<ClusterSpec, "cpu" | "memory" | "gpus" | "pods">;
  /** "pods": one object per pod (default); "counts": pods of a workload on a member held as counts per phase. */
  podModel?: PodModel;
  logger?: SimLogger;
}

export type PodModel = "pods" | "counts";
export const POD_MODELS: readonly PodModel[] = ["pods", "counts"];

function typeOf(registry: ResourceRegistry, group: string, version: string, plural: string): ResourceType {
  const t = registry.find(group, version, plural);
  if (!t) throw new Error(`resource ${plural}.${group} is not registered`);
  return t;
}

/** The simulated control plane behind the sim's API server (not to be confused with cli's FederationRuntime). */
export class SimulatedFederation {
  private readonly members = new Map<string, Member>();
  private readonly workloads = new Map<string, Workload>();
  /** Policy ref → keys of the workloads it claims, so a policy event does not walk every workload. */
  private readonly claimedBy = new Map<string, Set<string>>();
  private readonly dirtyWorkloads = new Set<string>();
  private readonly dirtyMembers = new Set<string>();
  private readonly statusDirty = new Set<string>();
  private readonly starting = new Set<Pod>();
  private readonly t: { deployments: ResourceType; pps: ResourceType; cpps: ResourceType; clusters: ResourceType; bindings: ResourceType };
  private seq = 0;
  private flushQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: ObjectStore,
    registry: ResourceRegistry,
    private readonly opts: SimulatedFederationOptions,
  ) {
    this.t = {
      deployments: typeOf(registry, "apps", "v1", "deployments"),
      pps: typeOf(registry, "policy.karmada.io", "v1alpha1", "propagationpolicies"),
      cpps: typeOf(registry, "policy.karmada.io", "v1alpha1", "clusterpropagationpolicies"),
      clusters: typeOf(registry, "cluster.karmada.io", "v1alpha1", "clusters"),
      bindings: typeOf(registry, "work.karmada.io", "v1alpha2", "resourcebindings"),
    };
    this.unsubscribe = store.subscribe((ev) => this.onEvent(ev));
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
  }

  // --- admin operations ---

  /** Joins a member: creates its Cluster object and starts scheduling onto it. */
  addMember(spec: ClusterSpec): void {
    if (this.members.has(spec.name) || this.store.get(this.t.clusters, undefined, spec.name)) throw new Error(`cluster "${spec.name}" already exists`);
    this.members.set(spec.name, new Member(spec));
    this.store.insert(this.t.clusters, clusterObject(spec, timestamp()), ORIGIN);
    this.memberChanged(spec.name);
  }

  /** Unjoins a member: its pods are gone; Karmada reschedules what the policies still allow elsewhere. */
  removeMember(name: string): boolean {
    if (!this.members.has(name)) return false;
    this.store.remove(this.t.clusters, undefined, name, ORIGIN);
    this.dropMember(name);
    return true;
  }

  setReady(name: string, ready: boolean): boolean {
    const m = this.members.get(name);
    if (!m) return false;
    if (m.ready !== ready) {
      m.ready = ready;
      for (const p of m.pods) this.statusDirty.add(p.workload);
      this.dirtyMembers.add(name);
      this.queueFlush();
    }
    return true;
  }

  snapshot(): MemberSnapshot[] {
    return [...this.members.values()].map(snapshotOf);
  }

  /** Resolves once every queued reconciliation has been applied (tests and admin calls use it). */
  async settle(): Promise<void> {
    while (this.flushQueued) await new Promise((r) => setImmediate(r));
  }

  // --- reacting to API writes ---

  private onEvent(ev: StoreEvent): void {
    if (ev.origin === ORIGIN || this.closed) return;
    const { deployments, pps, cpps, clusters } = this.t;
    if (ev.resource === deployments) {
      this.dirtyWorkloads.add(keyOf(ev.object));
    } else if (ev.resource === pps || ev.resource === cpps) {
      for (const p of [ev.object, ev.previous]) if (p) this.markPolicyTargets(p);
    } else if (ev.resource === clusters) {
      const name: string = ev.object.metadata.name;
      if (ev.type === "DELETED") this.dropMember(name);
      else if (!this.members.has(name)) {
        this.members.set(name, new Member(specFromObject(ev.object, this.opts.defaultCapacity)));
        this.memberChanged(name);
      } else {
        const m = this.members.get(name)!;
        Object.assign(m.spec, { labels: { ...(ev.object.metadata.labels ?? {}) }, region: ev.object.spec?.region, zone: ev.object.spec?.zone });
        this.memberChanged(name);
      }
    } else return;
    this.queueFlush();
  }

  /** A member appeared or its labels changed: every placement may now include or exclude it. */
  private memberChanged(name: string): void {
    this.dirtyMembers.add(name);
    for (const k of this.workloads.keys()) this.dirtyWorkloads.add(k);
    this.queueFlush();
  }

  private dropMember(name: string): void {
    const m = this.members.get(name);
    if (!m) return;
    this.members.delete(name);
    for (const p of m.pods) this.forgetPod(p);
    for (const w of this.workloads.values()) if (w.assignment.has(name)) this.dirtyWorkloads.add(w.key);
    this.queueFlush();
  }

  /** Deployments a policy names or selects, plus those it currently claims. */
  private markPolicyTargets(policy: KObject): void {
    const clusterWide = policy.kind === "ClusterPropagationPolicy";
    const ref = policyRef(policy);
    for (const key of this.claimedBy.get(ref) ?? []) this.dirtyWorkloads.add(key);
    for (const sel of (policy.spec?.resourceSelectors ?? []) as KObject[]) {
      if (sel.apiVersion !== "apps/v1" || sel.kind !== "Deployment") continue;
      const ns: string | undefined = clusterWide ? sel.namespace : policy.metadata.namespace;
      if (sel.name && ns) this.dirtyWorkloads.add(`${ns}/${sel.name}`);
      else for (const d of this.store.list(this.t.deployments, ns)) this.dirtyWorkloads.add(keyOf(d));
    }
  }

  // --- the reconciliation pass ---

  private queueFlush(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (!this.closed) this.safeFlush();
    });
  }

  private flush(): void {
    for (const key of this.dirtyWorkloads) this.reconcileWorkload(key);
    this.dirtyWorkloads.clear();
    const now = Date.now();
    for (const name of this.dirtyMembers) this.bindPending(name, now);
    for (const name of this.dirtyMembers) this.writeClusterStatus(name);
    this.dirtyMembers.clear();
    for (const key of this.statusDirty) this.writeWorkloadStatus(key);
    this.statusDirty.clear();
  }

  private reconcileWorkload(key: string): void {
    const [namespace, name] = splitKey(key);
    const d = this.store.get(this.t.deployments, namespace, name);
    let w = this.workloads.get(key);
    if (!d) {
      if (w) {
        for (const p of [...w.pods]) this.removePod(p);
        this.setClaim(w, undefined);
        this.workloads.delete(key);
      }
      this.store.remove(this.t.bindings, namespace, bindingName(name), ORIGIN);
      return;
    }
    if (!w) {
      w = { key, namespace, name, requests: podRequests(d), template: "", assignment: new Map(), pods: new Set() };
      this.workloads.set(key, w);
    }
    const template = JSON.stringify(d.spec?.template ?? {});
    if (template !== w.template) {
      // A new pod template replaces every pod (the simulator rolls out like strategy Recreate).
      for (const p of [...w.pods]) this.removePod(p);
      w.template = template;
      w.requests = podRequests(d);
    }
    const policy = selectPolicy(d, "apps/v1", "Deployment", this.store.list(this.t.pps, namespace), this.store.list(this.t.cpps));
    this.setClaim(w, policy ? policyRef(policy) : undefined);
    w.placement = policy?.spec?.placement;
    const replicas: number = d.spec?.replicas ?? 1;
    // The workload's own pods, per member: from its groups, never from a walk over every pod of a member.
    const byCluster = new Map<string, Pod[]>();
    const bound = new Map<string, number>();
    for (const p of w.pods) {
      (byCluster.get(p.cluster) ?? byCluster.set(p.cluster, []).get(p.cluster)!).push(p);
      if (p.phase !== "Pending") bound.set(p.cluster, (bound.get(p.cluster) ?? 0) + p.count);
    }
    const views: ClusterView[] = [...this.members.values()].map((m) => ({
      name: m.name,
      labels: m.spec.labels,
      region: m.spec.region,
      zone: m.spec.zone,
      provider: m.spec.provider ?? "smo-sim",
      availableReplicas: m.room(w.requests) + (bound.get(m.name) ?? 0),
    }));
    w.assignment = policy ? assignReplicas(w.placement, replicas, candidateClusters(w.placement, views)) : new Map();

    for (const cluster of new Set([...byCluster.keys(), ...w.assignment.keys()])) {
      const want = w.assignment.get(cluster) ?? 0;
      const have = byCluster.get(cluster) ?? [];
      let count = have.reduce((n, p) => n + p.count, 0);
      if (count > want) {
        // Scale-down removes pending pods first, then the youngest, like the ReplicaSet controller.
        const rank = { Pending: 0, Starting: 1, Running: 2 } as const;
        have.sort((a, b) => rank[a.phase] - rank[b.phase] || b.seq - a.seq);
        for (const p of have) {
          const take = Math.min(p.count, count - want);
          if (take <= 0) break;
          if (take === p.count) this.removePod(p);
          else {
            this.members.get(p.cluster)?.shrink(p, take);
            this.dirtyMembers.add(p.cluster);
            this.statusDirty.add(p.workload);
          }
          count -= take;
        }
      }
      const m = this.members.get(cluster);
      if (m && count < want) {
        // Per-pod model: one object per pod; counts model: one group for the lot.
        const groups = this.opts.podModel === "counts" ? [want - count] : Array.from({ length: want - count }, () => 1);
        for (const n of groups) {
          const pod: Pod = { seq: ++this.seq, count: n, workload: key, cluster, requests: w.requests, template, phase: "Pending" };
          w.pods.add(pod);
          m.add(pod);
        }
      }
      this.dirtyMembers.add(cluster);
    }
    this.statusDirty.add(key);
  }

  private setClaim(w: Workload, ref: string | undefined): void {
    if (w.policy === ref) return;
    if (w.policy) {
      const keys = this.claimedBy.get(w.policy);
      keys?.delete(w.key);
      if (keys?.size === 0) this.claimedBy.delete(w.policy);
    }
    w.policy = ref;
    if (ref) (this.claimedBy.get(ref) ?? this.claimedBy.set(ref, new Set()).get(ref)!).add(w.key);
  }

  private removePod(p: Pod): void {
    this.members.get(p.cluster)?.removePod(p);
    this.dirtyMembers.add(p.cluster);
    this.forgetPod(p);
  }

  private forgetPod(p: Pod): void {
    this.starting.delete(p);
    this.workloads.get(p.workload)?.pods.delete(p);
    this.statusDirty.add(p.workload);
  }

  /** Binds the member's pending pods, oldest first, while they fit (a pod that does not fit does not block smaller ones). */
  private bindPending(name: string, now: number): void {
    const m = this.members.get(name);
    if (!m || !m.ready) return;
    for (let p of m.pending()) {
      const fit = m.fitCount(p.requests);
      if (fit < 1) continue;
      if (fit < p.count) {
        // Part of a group fits: bind that part as a group of its own, the rest stays pending.
        m.shrink(p, fit);
        p = { ...p, seq: ++this.seq, count: fit };
        m.add(p);
        this.workloads.get(p.workload)?.pods.add(p);
      }
      const jitter = this.opts.podStartJitterMs > 0 ? Math.floor(this.opts.random() * this.opts.podStartJitterMs) : 0;
      m.bind(p, now + this.opts.podStartMs + jitter);
      this.starting.add(p);
      this.statusDirty.add(p.workload);
      this.armTimer(p.readyAt!);
    }
  }

  private armTimer(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, at - Date.now()));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.closed) return;
    const now = Date.now();
    let next = Infinity;
    for (const p of this.starting) {
      if (p.readyAt! <= now) {
        p.phase = "Running";
        this.starting.delete(p);
        this.statusDirty.add(p.workload);
        if (this.opts.podModel === "counts") this.mergeRunning(p);
      } else next = Math.min(next, p.readyAt!);
    }
    if (next < Infinity) this.armTimer(next);
    this.safeFlush();
  }

  /** Counts model: a group that became Running joins the workload's Running group on that member, if any. */
  private mergeRunning(p: Pod): void {
    const w = this.workloads.get(p.workload);
    const m = this.members.get(p.cluster);
    if (!w || !m) return;
    for (const q of w.pods) {
      if (q === p || q.cluster !== p.cluster || q.phase !== "Running" || q.template !== p.template) continue;
      m.removePod(p);
      w.pods.delete(p);
      m.grow(q, p.count);
      // The merged group is as young as its youngest pods, so a scale-down still takes those first.
      q.seq = Math.max(q.seq, p.seq);
      return;
    }
  }

  /** A reconciliation bug must not take the API server down with it: log it and carry on. */
  private safeFlush(): void {
    try {
      this.flush();
    } catch (err) {
      this.opts.logger?.error({ err }, "simulated federation: reconciliation failed");
    }
  }

  // --- status written back to the API ---

  private writeClusterStatus(name: string): void {
    const m = this.members.get(name);
    const c = this.store.get(this.t.clusters, undefined, name);
    if (!m || !c) return;
    const status = m.status(c.status, timestamp());
    if (!deepEqual(status, c.status)) this.store.replace(this.t.clusters, { ...c, status }, ORIGIN);
  }

  private writeWorkloadStatus(key: string): void {
    const w = this.workloads.get(key);
    if (!w) return;
    const d = this.store.get(this.t.deployments, w.namespace, w.name);
    if (!d) return;
    const generation: number = d.metadata.generation ?? 1;
    const byMember = replicasByMember(w, this.members);
    const status = aggregateStatus(byMember, generation);
    if (!deepEqual(status, d.status)) this.store.replace(this.t.deployments, { ...d, status }, ORIGIN);
    this.writeBinding(w, d, byMember, generation);
  }

  /** The ResourceBinding Karmada keeps per propagated Deployment (only while a policy claims it). */
  private writeBinding(w: Workload, d: KObject, byMember: Map<string, MemberReplicas>, generation: number): void {
    const name = bindingName(w.name);
    const current = this.store.get(this.t.bindings, w.namespace, name);
    if (!w.policy) {
      if (current) this.store.remove(this.t.bindings, w.namespace, name, ORIGIN);
      return;
    }
    const next = renderBinding(w, d, byMember, generation, (c) => this.members.get(c)?.ready ?? false, current, timestamp());
    if (!current) this.store.insert(this.t.bindings, { ...next, metadata: { ...next.metadata, uid: randomUUID(), creationTimestamp: timestamp(), generation: 1 } }, ORIGIN);
    else if (!deepEqual(current.spec, next.spec) || !deepEqual(current.status, next.status) || !deepEqual(current.metadata.labels, next.metadata.labels)) {
      const gen = deepEqual(current.spec, next.spec) ? current.metadata.generation : current.metadata.generation + 1;
      this.store.replace(this.t.bindings, { ...current, metadata: { ...current.metadata, labels: next.metadata.labels, generation: gen }, spec: next.spec, status: next.status }, ORIGIN);
    }
  }
}

function keyOf(o: KObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

function policyRef(p: KObject): string {
  return p.kind === "ClusterPropagationPolicy" ? `ClusterPropagationPolicy/${p.metadata.name}` : `PropagationPolicy/${p.metadata.namespace}/${p.metadata.name}`;
}


function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
