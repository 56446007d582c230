// Drift: which Karmada objects a running graph should have (derived from the same plan a repair applies) and
// whether the informers' memory shows them, on the clusters the store says. Pure: the caller passes what the
// informers hold. Design: docs/lifecycle.md#level-triggered-reconcile.
import type { ObservedObject, OwnedKind } from "../ports/karmada.js";
import type { OutboxAction } from "./actions.js";

export interface ExpectedObject {
  kind: OwnedKind;
  namespace: string;
  name: string;
  /** For a PropagationPolicy: the clusters it must name. */
  clusters?: string[];
}

/**
 * The objects the Karmada actions of a repair plan create. `workloadService`: whether the deployer makes a
 * Service named after the workload (the manifest deployer does; a chart may name its Service otherwise).
 */
export function expectedObjects(actions: readonly OutboxAction[], options: { workloadService: boolean }): ExpectedObject[] {
  const out: ExpectedObject[] = [];
  for (const a of actions) {
    switch (a.kind) {
      case "apply-workload":
        out.push({ kind: "Deployment", namespace: a.namespace, name: a.service.id });
        if (options.workloadService) out.push({ kind: "Service", namespace: a.namespace, name: a.service.id });
        break;
      case "apply-placement":
        out.push({ kind: "PropagationPolicy", namespace: a.namespace, name: a.service, clusters: a.clusters });
        break;
      case "apply-export":
        out.push({ kind: "ServiceExport", namespace: a.namespace, name: a.service });
        out.push({ kind: "PropagationPolicy", namespace: a.namespace, name: `${a.service}-export`, clusters: [a.exportCluster] });
        if (a.importClusters.length > 0) {
          out.push({ kind: "ServiceImport", namespace: a.namespace, name: a.service });
          out.push({ kind: "PropagationPolicy", namespace: a.namespace, name: `${a.service}-import`, clusters: a.importClusters });
        }
        break;
      default:
        break;
    }
  }
  return out;
}

/** Objects of a kind in a namespace as the informers hold them; undefined while that informer has not synced. */
export type ObservedLookup = (kind: OwnedKind, namespace: string) => ReadonlyMap<string, ObservedObject> | undefined;

/** The first difference between what should exist and what is observed, in words; undefined when none is seen. */
export function findDrift(expected: readonly ExpectedObject[], observe: ObservedLookup): string | undefined {
  for (const e of expected) {
    const observed = observe(e.kind, e.namespace);
    if (!observed) continue; // not known yet: the next resync checks again
    const found = observed.get(e.name);
    if (!found) return `${e.kind} ${e.namespace}/${e.name} is missing`;
    if (e.clusters && found.clusters && !sameSet(e.clusters, found.clusters)) {
      return `${e.kind} ${e.namespace}/${e.name} names ${found.clusters.join(",") || "no cluster"} instead of ${e.clusters.join(",")}`;
    }
  }
  return undefined;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}

/** The service an owned object belongs to: policies `<svc>-export`/`<svc>-import` belong to `<svc>`. */
export function serviceOfObject(kind: OwnedKind, name: string): string[] {
  if (kind !== "PropagationPolicy") return [name];
  const m = /^(.*)-(export|import)$/.exec(name);
  return m ? [name, m[1]!] : [name];
}
