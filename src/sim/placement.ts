// Karmada's scheduling decisions, as pure functions: which PropagationPolicy claims a Deployment, which
// member clusters its placement allows, and how many replicas each gets (Duplicated, or Divided by static
// weights, by available replicas, or Aggregated).
import { structuredMatcher } from "./selectors.js";
import type { KObject } from "./store.js";

export interface ClusterView {
  name: string;
  labels: Record<string, string>;
  region?: string;
  provider?: string;
  zone?: string;
  /** How many more pods of the workload's size fit (Infinity when it requests nothing). */
  availableReplicas: number;
}

/** How specifically a resourceSelector matched (Karmada's implicit priority: name > label selector > kind). */
function selectorMatch(sel: KObject, obj: KObject, apiVersion: string, kind: string, clusterScoped: boolean): number {
  if (sel.apiVersion !== apiVersion || sel.kind !== kind) return 0;
  if (clusterScoped && sel.namespace && sel.namespace !== obj.metadata.namespace) return 0;
  if (sel.name) return sel.name === obj.metadata.name ? 3 : 0;
  if (sel.labelSelector) return structuredMatcher(sel.labelSelector)(obj.metadata.labels ?? {}) ? 2 : 0;
  return 1;
}

export function policyMatch(policy: KObject, obj: KObject, apiVersion: string, kind: string): number {
  const clusterScoped = policy.kind === "ClusterPropagationPolicy";
  let best = 0;
  for (const sel of policy.spec?.resourceSelectors ?? []) best = Math.max(best, selectorMatch(sel, obj, apiVersion, kind, clusterScoped));
  return best;
}

/**
 * The policy that claims the object: a PropagationPolicy in its namespace before any ClusterPropagationPolicy;
 * among those, highest spec.priority, then the most specific selector, then name order.
 */
export function selectPolicy(obj: KObject, apiVersion: string, kind: string, policies: KObject[], clusterPolicies: KObject[]): KObject | undefined {
  for (const group of [policies, clusterPolicies]) {
    let best: { p: KObject; prio: number; match: number } | undefined;
    for (const p of group) {
      const match = policyMatch(p, obj, apiVersion, kind);
      if (match === 0) continue;
      const prio = Number(p.spec?.priority ?? 0);
      if (
        !best ||
        prio > best.prio ||
        (prio === best.prio && match > best.match) ||
        (prio === best.prio && match === best.match && p.metadata.name < best.p.metadata.name)
      ) {
        best = { p, prio, match };
      }
    }
    if (best) return best.p;
  }
  return undefined;
}

function fieldValue(c: ClusterView, key: string): string | undefined {
  return key === "region" ? c.region : key === "provider" ? c.provider : key === "zone" ? c.zone : undefined;
}

/** Karmada ClusterAffinity: clusterNames, exclude, labelSelector and fieldSelector (provider/region/zone). */
export function affinityMatches(aff: KObject | undefined, c: ClusterView): boolean {
  if (!aff) return true;
  const names = aff.clusterNames as string[] | undefined;
  if (names && names.length > 0 && !names.includes(c.name)) return false;
  if ((aff.exclude as string[] | undefined)?.includes(c.name)) return false;
  if (aff.labelSelector && !structuredMatcher(aff.labelSelector)(c.labels)) return false;
  for (const e of aff.fieldSelector?.matchExpressions ?? []) {
    const v = fieldValue(c, e.key);
    const values = (e.values ?? []) as string[];
    if (e.operator === "In" && (v === undefined || !values.includes(v))) return false;
    if (e.operator === "NotIn" && v !== undefined && values.includes(v)) return false;
  }
  return true;
}

/** Candidate clusters of a placement; with clusterAffinities, the first term that selects any cluster. */
export function candidateClusters(placement: KObject | undefined, clusters: ClusterView[]): ClusterView[] {
  const terms = placement?.clusterAffinities as KObject[] | undefined;
  if (terms && terms.length > 0) {
    for (const term of terms) {
      const hit = clusters.filter((c) => affinityMatches(term, c));
      if (hit.length > 0) return hit;
    }
    return [];
  }
  return clusters.filter((c) => affinityMatches(placement?.clusterAffinity, c));
}

/** Largest-remainder division of `replicas` by weights (ties to the heavier, then to name order). */
export function divideByWeight(replicas: number, weights: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const sum = [...weights.values()].reduce((a, b) => a + b, 0);
  if (sum <= 0 || replicas <= 0) {
    for (const k of weights.keys()) out.set(k, 0);
    return out;
  }
  const rest: { name: string; rem: number; w: number }[] = [];
  let given = 0;
  for (const [name, w] of weights) {
    const exact = (replicas * w) / sum;
    const n = Math.floor(exact);
    out.set(name, n);
    given += n;
    rest.push({ name, rem: exact - n, w });
  }
  rest.sort((a, b) => b.rem - a.rem || b.w - a.w || (a.name < b.name ? -1 : 1));
  for (let i = 0; given < replicas; i++, given++) {
    const r = rest[i % rest.length]!;
    out.set(r.name, out.get(r.name)! + 1);
  }
  return out;
}

/** Replicas per member cluster for a workload of `replicas` under `placement` (Karmada's replicaScheduling). */
export function assignReplicas(placement: KObject | undefined, replicas: number, candidates: ClusterView[]): Map<string, number> {
  const out = new Map<string, number>();
  if (candidates.length === 0) return out;
  const rs = placement?.replicaScheduling as KObject | undefined;
  if (!rs || rs.replicaSchedulingType !== "Divided") {
    for (const c of candidates) out.set(c.name, replicas);
    return out;
  }
  if (rs.replicaDivisionPreference === "Aggregated") {
    // As few clusters as possible: the roomiest first.
    const sorted = [...candidates].sort((a, b) => b.availableReplicas - a.availableReplicas || (a.name < b.name ? -1 : 1));
    let left = replicas;
    for (const c of sorted) {
      const n = Math.min(left, Math.max(0, Math.floor(Math.min(c.availableReplicas, Number.MAX_SAFE_INTEGER))));
      if (n > 0) out.set(c.name, n);
      left -= n;
    }
    if (left > 0) out.set(sorted[0]!.name, (out.get(sorted[0]!.name) ?? 0) + left);
    return out;
  }
  const weights = new Map<string, number>();
  const pref = rs.weightPreference as KObject | undefined;
  if (pref?.dynamicWeight === "AvailableReplicas") {
    for (const c of candidates) weights.set(c.name, Math.min(c.availableReplicas, 1e9));
  } else {
    const list = (pref?.staticWeightList ?? []) as KObject[];
    for (const c of candidates) {
      let w = 0;
      for (const rule of list) if (affinityMatches(rule.targetCluster, c)) w = Math.max(w, Number(rule.weight ?? 0));
      if (w > 0) weights.set(c.name, w);
    }
  }
  if ([...weights.values()].reduce((a, b) => a + b, 0) <= 0) for (const c of candidates) weights.set(c.name, 1);
  for (const [name, n] of divideByWeight(replicas, weights)) if (n > 0) out.set(name, n);
  return out;
}
