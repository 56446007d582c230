// Scaling a service's Deployment template on the Karmada control plane and reading back the status
// Karmada aggregates from the members.
import { PatchStrategy } from "@kubernetes/client-node";
import { InvalidArgumentError } from "../../core/errors.js";
import type { ReplicaStatus } from "../../core/ports/karmada.js";
import { callKube, orUndefined } from "./call.js";
import type { KubeAccess } from "./kube.js";
import { checkLabelName } from "./names.js";

interface DeploymentShape {
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number };
  status?: { readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number };
}

export function replicaStatusOf(object: unknown): ReplicaStatus {
  const deployment = object as DeploymentShape;
  return {
    // The API server defaults spec.replicas to 1.
    desired: deployment.spec?.replicas ?? 1,
    ready: deployment.status?.readyReplicas ?? 0,
    available: deployment.status?.availableReplicas ?? 0,
    updated: deployment.status?.updatedReplicas ?? 0,
  };
}

export function sameStatus(a: ReplicaStatus | undefined, b: ReplicaStatus): boolean {
  return !!a && a.desired === b.desired && a.ready === b.ready && a.available === b.available && a.updated === b.updated;
}

export function createReplicaOps(access: KubeAccess) {
  return {
    async scale(namespace: string, deployment: string, replicas: number): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("deployment", deployment);
      if (!Number.isInteger(replicas) || replicas < 0) {
        throw new InvalidArgumentError(`replicas ${replicas} is not a non-negative integer`, [
          { field: "replicas", description: "a non-negative integer" },
        ]);
      }
      await callKube(
        access.policy,
        `scale Deployment ${namespace}/${deployment} to ${replicas}`,
        (options) =>
          access.apps.patchNamespacedDeploymentScale(
            { name: deployment, namespace, body: { spec: { replicas } } },
            options,
          ),
        { contentType: PatchStrategy.MergePatch },
      );
    },

    async getReplicas(namespace: string, deployment: string): Promise<ReplicaStatus | undefined> {
      checkLabelName("namespace", namespace);
      checkLabelName("deployment", deployment);
      const found = await orUndefined(
        callKube(access.policy, `get Deployment ${namespace}/${deployment}`, (options) =>
          access.apps.readNamespacedDeployment({ name: deployment, namespace }, options),
        ),
      );
      return found ? replicaStatusOf(found) : undefined;
    },
  };
}
