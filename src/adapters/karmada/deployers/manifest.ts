// `manifest` deployer: smo renders the service's Deployment + Service itself and applies them to the Karmada
// control plane by server-side apply, field manager `smo`. The PropagationPolicy that places them is the
// KarmadaClient's job (applyPlacement), not this deployer's.
//
// replicas: the Deployment is created with the requested count; once it exists smo applies it without
// `replicas` (the scale subresource — elasticity, an HPA, an operator — is its writer), except while smo's
// own apply still owns the field, where it re-applies the live value so that the field is neither changed nor
// removed. So re-placement, restart, repair and redeploy never reset a count someone chose.
import type { V1Deployment, V1Service } from "@kubernetes/client-node";
import { PatchStrategy } from "@kubernetes/client-node";
import { ConflictError, InvalidArgumentError } from "../../../core/errors.js";
import type { GraphModel, ServiceModel } from "../../../core/hdag/model.js";
import type { Deployer, WorkloadPlacement } from "../../../core/ports/karmada.js";
import { callKube, ignoreNotFound, orUndefined } from "../call.js";
import type { KubeAccess } from "../kube.js";
import { checkLabelName, checkLabelValue } from "../names.js";
import { checkOwnership, conflictRefused, FIELD_MANAGER, ownConflict, refusal, type OwnedObject } from "../ownership.js";
import { renderWorkload } from "./manifest-render.js";

export type ManifestDeployerOptions = Record<string, never>;

interface Kind<T extends OwnedObject> {
  label: string;
  read(namespace: string, name: string): Promise<T | undefined>;
  apply(namespace: string, name: string, body: T, force: boolean): Promise<unknown>;
  remove(namespace: string, name: string): Promise<void>;
}

type Managed = { manager?: string; operation?: string; subresource?: string; fieldsV1?: { "f:spec"?: Record<string, unknown> } };

/** Whether smo's own apply (not a scale) owns spec.replicas of the live Deployment. */
export function smoOwnsReplicas(live: V1Deployment): boolean {
  return ((live.metadata?.managedFields ?? []) as Managed[]).some(
    (e) => e.manager === FIELD_MANAGER && e.operation === "Apply" && !e.subresource && e.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined,
  );
}

export function createManifestDeployer(client: { kube: KubeAccess }, _options: ManifestDeployerOptions = {}): Deployer {
  const kube = client.kube;
  const ssa = { contentType: PatchStrategy.ServerSideApply };
  // Strict: a field the server does not know fails the write instead of being dropped silently.
  const params = (force: boolean) => ({ fieldManager: FIELD_MANAGER, fieldValidation: "Strict", ...(force ? { force: true } : {}) });

  const deployments: Kind<V1Deployment> = {
    label: "Deployment",
    read: (namespace, name) =>
      orUndefined(callKube(kube.policy, `get Deployment ${namespace}/${name}`, (o) => kube.apps.readNamespacedDeployment({ namespace, name }, o))),
    apply: (namespace, name, body, force) =>
      callKube(kube.policy, `apply Deployment ${namespace}/${name}`, (o) => kube.apps.patchNamespacedDeployment({ namespace, name, body, ...params(force) }, o), ssa),
    remove: (namespace, name) =>
      ignoreNotFound(callKube(kube.policy, `delete Deployment ${namespace}/${name}`, (o) => kube.apps.deleteNamespacedDeployment({ namespace, name }, o))),
  };

  const services: Kind<V1Service> = {
    label: "Service",
    read: (namespace, name) =>
      orUndefined(callKube(kube.policy, `get Service ${namespace}/${name}`, (o) => kube.core.readNamespacedService({ namespace, name }, o))),
    apply: (namespace, name, body, force) =>
      callKube(kube.policy, `apply Service ${namespace}/${name}`, (o) => kube.core.patchNamespacedService({ namespace, name, body, ...params(force) }, o), ssa),
    remove: (namespace, name) =>
      ignoreNotFound(callKube(kube.policy, `delete Service ${namespace}/${name}`, (o) => kube.core.deleteNamespacedService({ namespace, name }, o))),
  };

  /** Applies `wanted` (adjusted to the live object by `adjust`) if the object is absent or this graph's. */
  async function applyOwned<T extends OwnedObject & { metadata?: { name?: string } }>(
    kind: Kind<T>,
    namespace: string,
    graphId: string,
    wanted: T,
    adjust: (live: T, wanted: T) => T = (_l, w) => w,
  ): Promise<void> {
    const name = wanted.metadata?.name ?? "";
    const what = `${kind.label} ${namespace}/${name}`;
    const live = await kind.read(namespace, name);
    checkOwnership(what, live, { graphId });
    const body = live ? adjust(live, wanted) : wanted;
    try {
      await kind.apply(namespace, name, body, false);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (!ownConflict(err, live, { graphId })) throw conflictRefused(`apply ${what}`, err);
      await kind.apply(namespace, name, body, true);
    }
  }

  async function removeOwned<T extends OwnedObject>(kind: Kind<T>, namespace: string, name: string, graphId: string): Promise<void> {
    const live = await kind.read(namespace, name);
    if (!live) return;
    const why = refusal(`${kind.label} ${namespace}/${name}`, live, { graphId });
    if (why) {
      kube.policy.logger.warn({ kind: kind.label, namespace, name }, why);
      return;
    }
    await kind.remove(namespace, name);
  }

  return {
    name: "manifest",

    async apply(
      namespace: string,
      graph: Pick<GraphModel, "id" | "intent">,
      service: ServiceModel,
      _placement: WorkloadPlacement,
      replicas: number,
    ): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service.id", service.id);
      checkLabelValue("graph.id", graph.id);
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw new InvalidArgumentError(`replicas ${replicas} is not a non-negative integer`, [
          { field: "replicas", description: "a non-negative integer" },
        ]);
      }
      const rendered = renderWorkload(namespace, graph, service, replicas);
      await applyOwned(services, namespace, graph.id, rendered.service);
      await applyOwned(deployments, namespace, graph.id, rendered.deployment, (live, wanted) => {
        const spec = { ...wanted.spec! };
        if (smoOwnsReplicas(live)) spec.replicas = live.spec?.replicas;
        else delete spec.replicas;
        return { ...wanted, spec };
      });
    },

    async remove(namespace: string, graphId: string, service: ServiceModel): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service.id", service.id);
      await removeOwned(deployments, namespace, service.id, graphId);
      await removeOwned(services, namespace, service.id, graphId);
    },
  };
}
