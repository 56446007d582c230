// The Karmada objects smo owns per service: the PropagationPolicy `<svc>` that places its Deployment and
// Service, and for connectionPoints the ServiceExport/ServiceImport `<svc>` with policies `<svc>-export`
// and `<svc>-import` (the names NEPHELE's charts use, so a chart-made policy is patched, not duplicated).
// Written by server-side apply as field manager `smo`; a policy made by smo's helm deployer (release `<svc>`)
// gets only its cluster list applied; objects of anyone else are refused (ownership.ts).
import { InvalidArgumentError } from "../../core/errors.js";
import { orUndefined, callKube } from "./call.js";
import { apiVersionOf, MANAGED_BY, NamespacedResource, type KubeObject, type ResourceType } from "./custom-objects.js";
import type { KubeAccess } from "./kube.js";
import { checkLabelName, checkSubdomainName } from "./names.js";
import { GRAPH_ANNOTATION, MANAGED_BY_LABEL, type Expectation } from "./ownership.js";

export const PROPAGATION_POLICY: ResourceType = {
  group: "policy.karmada.io",
  version: "v1alpha1",
  plural: "propagationpolicies",
  kind: "PropagationPolicy",
};
export const SERVICE_EXPORT: ResourceType = {
  group: "multicluster.x-k8s.io",
  version: "v1alpha1",
  plural: "serviceexports",
  kind: "ServiceExport",
};
export const SERVICE_IMPORT: ResourceType = {
  group: "multicluster.x-k8s.io",
  version: "v1alpha1",
  plural: "serviceimports",
  kind: "ServiceImport",
};

interface Selector {
  apiVersion: string;
  kind: string;
  name: string;
}

function policyBody(namespace: string, name: string, selectors: Selector[], clusters: string[], annotations: Record<string, string>): KubeObject {
  return {
    apiVersion: apiVersionOf(PROPAGATION_POLICY),
    kind: PROPAGATION_POLICY.kind,
    metadata: { name, namespace, labels: { ...MANAGED_BY }, annotations },
    spec: { resourceSelectors: selectors, placement: { clusterAffinity: { clusterNames: clusters } } },
  };
}

/** Only the cluster list is applied to a chart's policy: it keeps its own selectors and options. */
function clustersOnly(namespace: string, name: string, clusters: string[]): KubeObject {
  return {
    apiVersion: apiVersionOf(PROPAGATION_POLICY),
    kind: PROPAGATION_POLICY.kind,
    metadata: { name, namespace },
    spec: { placement: { clusterAffinity: { clusterNames: clusters } } },
  };
}

/** The graph a service's objects belong to, as the ownership check expects it and as annotations to write. */
interface Owner {
  expect: Expectation;
  annotations: Record<string, string>;
}

function chartMade(obj: KubeObject | undefined): boolean {
  return obj !== undefined && obj.metadata?.labels?.[MANAGED_BY_LABEL] !== "smo";
}

function checkClusters(field: string, clusters: string[]): string[] {
  // An empty clusterNames means "every member" to Karmada: never write one by accident.
  if (clusters.length === 0) {
    throw new InvalidArgumentError(`${field} is empty`, [{ field, description: "at least one member cluster" }]);
  }
  clusters.forEach((cluster, i) => checkSubdomainName(`${field}[${i}]`, cluster));
  return [...new Set(clusters)];
}

export function createPlacementOps(access: KubeAccess) {
  const policies = new NamespacedResource(access, PROPAGATION_POLICY);
  const exports = new NamespacedResource(access, SERVICE_EXPORT);
  const imports = new NamespacedResource(access, SERVICE_IMPORT);

  /**
   * Which graph the service's objects belong to: the graph annotation of its Deployment, which the workload
   * action wrote before any policy (the placement port does not carry the graph id).
   */
  async function ownerOf(namespace: string, service: string): Promise<Owner> {
    const deployment = await orUndefined(
      callKube(access.policy, `get Deployment ${namespace}/${service}`, (options) => access.apps.readNamespacedDeployment({ name: service, namespace }, options)),
    );
    const graphId = deployment?.metadata?.labels?.[MANAGED_BY_LABEL] === "smo" ? deployment.metadata.annotations?.[GRAPH_ANNOTATION] : undefined;
    return {
      expect: { helmRelease: service, ...(graphId ? { graphId, adoptUnannotated: true } : {}) },
      annotations: graphId ? { [GRAPH_ANNOTATION]: graphId } : {},
    };
  }

  async function applyPolicy(namespace: string, owner: Owner, name: string, selectors: Selector[], clusters: string[]): Promise<void> {
    const existing = await policies.get(namespace, name);
    const body = chartMade(existing) ? clustersOnly(namespace, name, clusters) : policyBody(namespace, name, selectors, clusters, owner.annotations);
    await policies.applyOwned(namespace, body, owner.expect, existing ?? null);
  }

  /** Ports of the Service `<svc>` in ServiceImport form; none when the Service does not exist (yet). */
  async function servicePorts(namespace: string, service: string): Promise<Record<string, unknown>[]> {
    const found = await orUndefined(
      callKube(access.policy, `get Service ${namespace}/${service}`, (options) =>
        access.core.readNamespacedService({ name: service, namespace }, options),
      ),
    );
    return (found?.spec?.ports ?? []).map((port) => ({
      ...(port.name ? { name: port.name } : {}),
      port: port.port,
      protocol: port.protocol ?? "TCP",
    }));
  }

  return {
    async applyPlacement(namespace: string, service: string, clusters: string[]): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service", service);
      const names = checkClusters("clusters", clusters);
      await applyPolicy(
        namespace,
        await ownerOf(namespace, service),
        service,
        [
          { apiVersion: "apps/v1", kind: "Deployment", name: service },
          { apiVersion: "v1", kind: "Service", name: service },
        ],
        names,
      );
    },

    async getPlacement(namespace: string, service: string): Promise<string[] | undefined> {
      checkLabelName("namespace", namespace);
      checkLabelName("service", service);
      const policy = await policies.get(namespace, service);
      if (!policy) return undefined;
      const placement = (policy.spec?.placement ?? {}) as { clusterAffinity?: { clusterNames?: string[] } };
      return [...(placement.clusterAffinity?.clusterNames ?? [])];
    },

    async removePlacement(namespace: string, service: string): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service", service);
      await policies.removeOwned(namespace, service, (await ownerOf(namespace, service)).expect);
    },

    async applyServiceExport(namespace: string, service: string, exportCluster: string, importClusters: string[]): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service", service);
      const [exportTo] = checkClusters("exportCluster", [exportCluster]);
      const owner = await ownerOf(namespace, service);
      const { expect, annotations } = owner;
      const metadata = { name: service, namespace, labels: { ...MANAGED_BY }, annotations };
      await exports.applyOwned(namespace, { apiVersion: apiVersionOf(SERVICE_EXPORT), kind: SERVICE_EXPORT.kind, metadata }, expect);
      await applyPolicy(
        namespace,
        owner,
        `${service}-export`,
        [{ apiVersion: apiVersionOf(SERVICE_EXPORT), kind: SERVICE_EXPORT.kind, name: service }],
        [exportTo!],
      );
      if (importClusters.length === 0) {
        // No caller runs anywhere: an import policy with no clusters would propagate to every member.
        await imports.removeOwned(namespace, service, expect);
        await policies.removeOwned(namespace, `${service}-import`, expect);
        return;
      }
      const importTo = checkClusters("importClusters", importClusters);
      const spec = { type: "ClusterSetIP", ports: await servicePorts(namespace, service) };
      await imports.applyOwned(namespace, { apiVersion: apiVersionOf(SERVICE_IMPORT), kind: SERVICE_IMPORT.kind, metadata, spec }, expect);
      await applyPolicy(
        namespace,
        owner,
        `${service}-import`,
        [{ apiVersion: apiVersionOf(SERVICE_IMPORT), kind: SERVICE_IMPORT.kind, name: service }],
        importTo,
      );
    },

    async removeServiceExport(namespace: string, service: string): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service", service);
      const { expect } = await ownerOf(namespace, service);
      await policies.removeOwned(namespace, `${service}-import`, expect);
      await policies.removeOwned(namespace, `${service}-export`, expect);
      await imports.removeOwned(namespace, service, expect);
      await exports.removeOwned(namespace, service, expect);
    },
  };
}
