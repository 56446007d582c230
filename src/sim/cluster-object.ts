// Between a member's simulated capacity (ClusterSpec) and its Karmada Cluster object: the object the
// simulator creates when a member joins, and the capacity of a Cluster someone created through the API
// (taken from annotations, since a real Cluster object carries no capacity of its own).
import { randomUUID } from "node:crypto";
import type { ClusterSpec } from "./members.js";
import { parseBytes, parseCount, parseQuantity } from "./quantity.js";
import type { KObject } from "./store.js";

/** Annotations that give a Cluster created through the API its simulated capacity. */
export const CAPACITY_ANNOTATIONS = { cpu: "sim.smo.dev/cpu", memory: "sim.smo.dev/memory", gpus: "sim.smo.dev/gpus", pods: "sim.smo.dev/pods" };

export function clusterObject(spec: ClusterSpec, now: string): KObject {
  const s: KObject = { id: randomUUID(), syncMode: "Push", apiEndpoint: `https://${spec.name}.sim.invalid:6443`, provider: spec.provider ?? "smo-sim" };
  if (spec.region) s.region = spec.region;
  if (spec.zone) s.zone = spec.zone;
  return {
    apiVersion: "cluster.karmada.io/v1alpha1",
    kind: "Cluster",
    metadata: { name: spec.name, labels: { ...spec.labels }, uid: randomUUID(), creationTimestamp: now, generation: 1 },
    spec: s,
  };
}

export function specFromObject(o: KObject, defaults: Pick<ClusterSpec, "cpu" | "memory" | "gpus" | "pods">): ClusterSpec {
  const a = (o.metadata.annotations ?? {}) as Record<string, string>;
  const pick = <T>(key: string, parse: (v: unknown) => T | undefined, fallback: T): T => (a[key] !== undefined ? (parse(a[key]) ?? fallback) : fallback);
  return {
    name: o.metadata.name,
    cpu: pick(CAPACITY_ANNOTATIONS.cpu, parseQuantity, defaults.cpu),
    memory: pick(CAPACITY_ANNOTATIONS.memory, parseBytes, defaults.memory),
    gpus: pick(CAPACITY_ANNOTATIONS.gpus, parseCount, defaults.gpus),
    pods: pick(CAPACITY_ANNOTATIONS.pods, parseCount, defaults.pods),
    region: o.spec?.region,
    zone: o.spec?.zone,
    provider: o.spec?.provider,
    labels: { ...(o.metadata.labels ?? {}) },
  };
}
