// Discovery documents: /version, /api, /apis (legacy APIGroupList and the aggregated
// apidiscovery.k8s.io/v2 APIGroupDiscoveryList that kubectl 1.32 asks for first), /apis/<group>,
// and the APIResourceList of each group version, including the status and scale subresources.
import { subresourceVerbs, verbsOf, type ResourceRegistry, type ResourceType } from "../resources.js";

export const KUBERNETES_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-smo-sim" };

export const AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** Whether the client accepts the aggregated discovery format (kubectl ≥ 1.30 lists it first). */
export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => part.includes("as=APIGroupDiscoveryList") && part.includes("v=v2"));
}

export function versionInfo(): Record<string, string> {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2024-12-11T00:00:00Z",
    goVersion: "go1.23.4",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function groupEntry(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  return { kind: "APIGroupList", apiVersion: "v1", groups: registry.groups().map((g) => groupEntry(g.name, g.versions)) };
}

export function apiGroup(registry: ResourceRegistry, group: string): Record<string, unknown> | undefined {
  const g = registry.groups().find((x) => x.name === group);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...groupEntry(g.name, g.versions) } : undefined;
}

function subresourceKind(t: ResourceType, sub: string): { group: string; version: string; kind: string } {
  return sub === "scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : { group: t.group, version: t.version, kind: t.kind };
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    const entry: Record<string, unknown> = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: verbsOf(t),
    };
    if (t.shortNames.length) entry.shortNames = t.shortNames;
    if (t.categories.length) entry.categories = t.categories;
    resources.push(entry);
    for (const sub of t.subresources) {
      const k = subresourceKind(t, sub);
      const s: Record<string, unknown> = { name: `${t.plural}/${sub}`, singularName: "", namespaced: t.namespaced, kind: k.kind, verbs: subresourceVerbs(t) };
      if (sub === "scale") Object.assign(s, { group: k.group, version: k.version });
      resources.push(s);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

function discoveryResource(t: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: verbsOf(t),
  };
  if (t.shortNames.length) r.shortNames = t.shortNames;
  if (t.categories.length) r.categories = t.categories;
  if (t.subresources.length) {
    r.subresources = t.subresources.map((sub) => ({ subresource: sub, responseKind: subresourceKind(t, sub), verbs: subresourceVerbs(t) }));
  }
  return r;
}

/** Aggregated discovery for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean): Record<string, unknown> {
  const groups = core ? [{ name: "", versions: ["v1"] }] : registry.groups();
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((g) => ({
      metadata: { name: g.name, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        resources: registry.inGroupVersion(g.name, v).map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}

