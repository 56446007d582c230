// The resource types the simulated API server serves, with what discovery says about them. Anything not listed
// answers 404, as an API server without that CRD would.

export type Subresource = "status" | "scale";

export interface ResourceType {
  group: string; // "" for the core group
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
  /** Written only by the simulator (ResourceBindings); clients may read and watch. */
  readOnly?: boolean;
  /** Built-in types accept strategic merge patch; custom resources answer 415 to it, like a real server. */
  builtin: boolean;
}

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const READ_VERBS = ["get", "list", "watch"];

function rt(
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<Pick<ResourceType, "shortNames" | "categories" | "subresources" | "readOnly" | "builtin">> = {},
): ResourceType {
  return {
    group,
    version,
    plural,
    kind,
    namespaced,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
    shortNames: extra.shortNames ?? [],
    categories: extra.categories ?? [],
    subresources: extra.subresources ?? [],
    readOnly: extra.readOnly,
    builtin: extra.builtin ?? false,
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  rt("", "v1", "namespaces", "Namespace", false, { shortNames: ["ns"], subresources: ["status"], builtin: true }),
  rt("", "v1", "services", "Service", true, { shortNames: ["svc"], categories: ["all"], subresources: ["status"], builtin: true }),
  rt("apps", "v1", "deployments", "Deployment", true, {
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: ["status", "scale"],
    builtin: true,
  }),
  rt("cluster.karmada.io", "v1alpha1", "clusters", "Cluster", false, { subresources: ["status"] }),
  rt("policy.karmada.io", "v1alpha1", "propagationpolicies", "PropagationPolicy", true, { shortNames: ["pp"] }),
  rt("policy.karmada.io", "v1alpha1", "clusterpropagationpolicies", "ClusterPropagationPolicy", false, { shortNames: ["cpp"] }),
  rt("policy.karmada.io", "v1alpha1", "overridepolicies", "OverridePolicy", true, { shortNames: ["op"] }),
  rt("autoscaling.karmada.io", "v1alpha1", "federatedhpas", "FederatedHPA", true, { shortNames: ["fhpa"], subresources: ["status"] }),
  rt("networking.karmada.io", "v1alpha1", "multiclusterservices", "MultiClusterService", true, { shortNames: ["mcs"], subresources: ["status"] }),
  rt("work.karmada.io", "v1alpha2", "resourcebindings", "ResourceBinding", true, {
    shortNames: ["rb"],
    subresources: ["status"],
    readOnly: true,
  }),
  rt("multicluster.x-k8s.io", "v1alpha1", "serviceexports", "ServiceExport", true, { shortNames: ["svcex"], subresources: ["status"] }),
  rt("multicluster.x-k8s.io", "v1alpha1", "serviceimports", "ServiceImport", true, { shortNames: ["svcim"], subresources: ["status"] }),
  rt("monitoring.coreos.com", "v1", "prometheusrules", "PrometheusRule", true, { shortNames: ["promrule"], categories: ["prometheus-operator"] }),
];

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Stable key of a resource type, e.g. "apps/v1/deployments" or "v1/namespaces". */
export function typeKey(t: ResourceType): string {
  return `${apiVersionOf(t)}/${t.plural}`;
}

export function verbsOf(t: ResourceType): string[] {
  return t.readOnly ? READ_VERBS : ALL_VERBS;
}

export function subresourceVerbs(t: ResourceType): string[] {
  return t.readOnly ? ["get"] : ["get", "patch", "update"];
}

export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();

  constructor(readonly types: readonly ResourceType[] = RESOURCE_TYPES) {
    for (const t of types) {
      this.byPath.set(`${apiVersionOf(t)}/${t.plural}`, t);
      this.byKind.set(`${apiVersionOf(t)}/${t.kind}`, t);
    }
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group ? `${group}/${version}` : version}/${plural}`);
  }

  byApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Groups in discovery order: each group with its versions (one each here). */
  groups(): { name: string; versions: string[] }[] {
    const out = new Map<string, Set<string>>();
    for (const t of this.types) if (t.group) (out.get(t.group) ?? out.set(t.group, new Set()).get(t.group)!).add(t.version);
    return [...out].map(([name, v]) => ({ name, versions: [...v] }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }
}

export const NAMESPACES = RESOURCE_TYPES[0]!;
