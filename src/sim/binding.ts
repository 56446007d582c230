// The ResourceBinding Karmada keeps for each propagated Deployment, rendered from the simulator's decision:
// spec.clusters (replicas per member) and status.aggregatedStatus (each member's Deployment status and health).
import type { KObject } from "./store.js";
import { memberStatus, type MemberReplicas, type Workload } from "./workload.js";

export function bindingName(deployment: string): string {
  return `${deployment}-deployment`;
}

/** The binding's metadata (name, namespace, labels), spec and status; uid and timestamps are the caller's. */
export function renderBinding(
  w: Workload,
  d: KObject,
  byMember: Map<string, MemberReplicas>,
  generation: number,
  isReady: (cluster: string) => boolean,
  previous: KObject | undefined,
  now: string,
): KObject {
  const [kind, ...ref] = (w.policy ?? "").split("/");
  const labels: Record<string, string> =
    kind === "PropagationPolicy"
      ? { "propagationpolicy.karmada.io/namespace": ref[0]!, "propagationpolicy.karmada.io/name": ref[1]! }
      : { "clusterpropagationpolicy.karmada.io/name": ref[0]! };
  const replicaRequest: Record<string, string> = { cpu: `${w.requests.cpuMillis}m`, memory: String(w.requests.memoryBytes) };
  if (w.requests.gpus > 0) replicaRequest["nvidia.com/gpu"] = String(w.requests.gpus);
  const clusters = [...w.assignment].map(([name, replicas]) => ({ name, replicas }));
  const spec = {
    resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: w.namespace, name: w.name, uid: d.metadata.uid },
    replicas: d.spec?.replicas ?? 1,
    replicaRequirements: { resourceRequest: replicaRequest },
    clusters,
    placement: w.placement ?? {},
  };
  const prevConds = (previous?.status?.conditions ?? []) as KObject[];
  const cond = (type: string, ok: boolean, reason: string, message: string) => {
    const prev = prevConds.find((c) => c.type === type);
    const status = ok ? "True" : "False";
    return { type, status, reason, message, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : now };
  };
  const fullyApplied = clusters.length > 0 && clusters.every((c) => isReady(c.name));
  const status = {
    schedulerObservedGeneration: generation,
    conditions: [
      clusters.length > 0
        ? cond("Scheduled", true, "Success", "Binding has been scheduled successfully.")
        : cond("Scheduled", false, "NoClusterFit", "0 clusters available for scheduling."),
      cond(
        "FullyApplied",
        fullyApplied,
        fullyApplied ? "FullyAppliedSuccess" : "FullyAppliedFailed",
        fullyApplied ? "All works have been successfully applied" : "Failed to apply all works, see status.aggregatedStatus for details",
      ),
    ],
    aggregatedStatus: [...byMember]
      .filter(([c]) => w.assignment.has(c))
      .map(([clusterName, r]) => ({
        clusterName,
        status: memberStatus(r, generation),
        applied: true,
        health: !isReady(clusterName) ? "Unknown" : r.ready >= r.desired ? "Healthy" : "Unhealthy",
      })),
  };
  return {
    apiVersion: "work.karmada.io/v1alpha2",
    kind: "ResourceBinding",
    metadata: { name: bindingName(w.name), namespace: w.namespace, labels },
    spec,
    status,
  };
}
