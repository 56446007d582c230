// `manifest` deployer: smo renders the service's Deployment + Service itself and applies them to the Karmada
// control plane (create, else replace with the current resourceVersion; a 409 re-reads and retries). The
// PropagationPolicy that places them is the KarmadaClient's job (applyPlacement), not this deployer's.
import type { V1Deployment, V1Service } from "@kubernetes/client-node";
import { AlreadyExistsError, ConflictError, InvalidArgumentError } from "../../../core/errors.js";
import type { GraphModel, ServiceModel } from "../../../core/hdag/model.js";
import type { Deployer, WorkloadPlacement } from "../../../core/ports/karmada.js";
import { callKube, ignoreNotFound, orUndefined } from "../call.js";
import type { KubeAccess } from "../kube.js";
import { checkLabelName, checkLabelValue } from "../names.js";
import { renderWorkload } from "./manifest-render.js";

export interface ManifestDeployerOptions {
  /** Read-modify-write rounds before a ConflictError surfaces. */
  conflictRetries?: number;
}

interface Kind<T extends { metadata?: { resourceVersion?: string } }> {
  label: string;
  read(namespace: string, name: string): Promise<T | undefined>;
  create(namespace: string, body: T): Promise<unknown>;
  replace(namespace: string, name: string, body: T): Promise<unknown>;
  /** Fields the server owns that a replace must carry over. */
  carry(existing: T, wanted: T): T;
}

export function createManifestDeployer(client: { kube: KubeAccess }, options: ManifestDeployerOptions = {}): Deployer {
  const kube = client.kube;
  const rounds = options.conflictRetries ?? 5;

  const deployments: Kind<V1Deployment> = {
    label: "Deployment",
    read: (namespace, name) =>
      orUndefined(callKube(kube.policy, `get Deployment ${namespace}/${name}`, (o) => kube.apps.readNamespacedDeployment({ namespace, name }, o))),
    create: (namespace, body) =>
      callKube(kube.policy, `create Deployment ${namespace}/${body.metadata?.name}`, (o) => kube.apps.createNamespacedDeployment({ namespace, body }, o)),
    replace: (namespace, name, body) =>
      callKube(kube.policy, `replace Deployment ${namespace}/${name}`, (o) => kube.apps.replaceNamespacedDeployment({ namespace, name, body }, o)),
    carry: (_existing, wanted) => wanted,
  };

  const services: Kind<V1Service> = {
    label: "Service",
    read: (namespace, name) =>
      orUndefined(callKube(kube.policy, `get Service ${namespace}/${name}`, (o) => kube.core.readNamespacedService({ namespace, name }, o))),
    create: (namespace, body) =>
      callKube(kube.policy, `create Service ${namespace}/${body.metadata?.name}`, (o) => kube.core.createNamespacedService({ namespace, body }, o)),
    replace: (namespace, name, body) =>
      callKube(kube.policy, `replace Service ${namespace}/${name}`, (o) => kube.core.replaceNamespacedService({ namespace, name, body }, o)),
    // clusterIP is immutable once allocated.
    carry: (existing, wanted) => ({
      ...wanted,
      spec: { ...wanted.spec, clusterIP: existing.spec?.clusterIP, clusterIPs: existing.spec?.clusterIPs },
    }),
  };

  async function upsert<T extends { metadata?: { name?: string; resourceVersion?: string } }>(
    kind: Kind<T>,
    namespace: string,
    wanted: T,
  ): Promise<void> {
    const name = wanted.metadata?.name ?? "";
    for (let round = 1; ; round++) {
      const existing = await kind.read(namespace, name);
      try {
        if (!existing) {
          await kind.create(namespace, wanted);
        } else {
          const body = kind.carry(existing, wanted);
          await kind.replace(namespace, name, {
            ...body,
            metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion },
          });
        }
        return;
      } catch (err) {
        const lost = err instanceof ConflictError || err instanceof AlreadyExistsError;
        if (!lost || round >= rounds) throw err;
        kube.policy.logger.info({ kind: kind.label, namespace, name, round }, "object changed concurrently; re-reading");
      }
    }
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
      await upsert(services, namespace, rendered.service);
      await upsert(deployments, namespace, rendered.deployment);
    },

    async remove(namespace: string, _graphId: string, service: ServiceModel): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service.id", service.id);
      const name = service.id;
      await ignoreNotFound(
        callKube(kube.policy, `delete Deployment ${namespace}/${name}`, (o) => kube.apps.deleteNamespacedDeployment({ namespace, name }, o)),
      );
      await ignoreNotFound(
        callKube(kube.policy, `delete Service ${namespace}/${name}`, (o) => kube.core.deleteNamespacedService({ namespace, name }, o)),
      );
    },
  };
}
