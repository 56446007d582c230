// The simulator's two pod models through the real @kubernetes/client-node: "pods" (one object per pod, the
// default) and "counts" (a workload's pods on a member held as counts per phase). Both must report the same
// Deployment and Cluster status for the same calls: scale-ups, a member too small for every pod (pending pods
// bound when room frees), scale-downs dropping pending pods first, deletion releasing the capacity. Only the
// number of objects behind those pods differs.
import { AppsV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Deployment } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type PodModel, type Sim } from "../../src/sim/index.js";
import { waitFor } from "../helpers/processes.js";

function deployment(name: string, replicas: number, cpu: string): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image: `${name}:1`, resources: { requests: { cpu, memory: "64Mi" } } }] } },
    },
  };
}

const PP = { group: "policy.karmada.io", version: "v1alpha1", plural: "propagationpolicies" };
const policy = (name: string, namespace: string, cluster: string) => ({
  apiVersion: "policy.karmada.io/v1alpha1",
  kind: "PropagationPolicy",
  metadata: { name, namespace },
  spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name }], placement: { clusterAffinity: { clusterNames: [cluster] } } },
});

describe.each<PodModel>(["pods", "counts"])("pod model %s", (podModel) => {
  let sim: Sim;
  let apps: AppsV1Api;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    sim = await startSim({ podModel, podStartMs: 30, config: { clusters: [{ name: "big", cpu: 64, memory: "64Gi" }, { name: "small", cpu: 2, memory: "4Gi" }] } });
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    apps = kc.makeApiClient(AppsV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(() => sim?.close());

  const status = async (ns: string, name: string) => (await apps.readNamespacedDeployment({ name, namespace: ns })).status ?? {};
  const summary = async (cluster: string) =>
    ((await custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: cluster })) as {
      status: { resourceSummary: { allocated: { cpu: string; pods: string }; allocating: { pods: string } } };
    }).status.resourceSummary;
  const scale = (ns: string, name: string, replicas: number) =>
    apps.patchNamespacedDeploymentScale({ name, namespace: ns, body: { spec: { replicas } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
  const available = (ns: string, name: string, n: number) =>
    waitFor(async () => ((await status(ns, name)).availableReplicas === n ? true : undefined), `${ns}/${name}: ${n} available`);

  it("scales a Deployment up and down with the right ready and available replicas", async () => {
    const ns = "web";
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("w", 1, "100m") });
    await custom.createNamespacedCustomObject({ ...PP, namespace: ns, body: policy("w", ns, "big") });
    await available(ns, "w", 1);
    await scale(ns, "w", 40);
    await available(ns, "w", 40);
    expect(await status(ns, "w")).toMatchObject({ replicas: 40, readyReplicas: 40, availableReplicas: 40, updatedReplicas: 40 });
    expect((await summary("big")).allocated).toMatchObject({ cpu: "4", pods: "40" });
    const big = sim.snapshot().find((m) => m.name === "big")!;
    expect(big.pods).toEqual({ pending: 0, starting: 0, running: 40 });
    // The one thing the models differ in: the objects behind the 40 pods.
    expect(big.podObjects).toBe(podModel === "counts" ? 1 : 40);
    await scale(ns, "w", 3);
    await waitFor(async () => ((await status(ns, "w")).replicas === 3 ? true : undefined), "scaled down to 3");
    expect(await status(ns, "w")).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect((await summary("big")).allocated).toMatchObject({ cpu: "300m", pods: "3" });
  });

  it("keeps what does not fit pending, drops pending pods first on scale-down, binds them when room frees", async () => {
    const ns = "fat";
    // "small" has 2 cores: 5 pods of 1 core → 2 run, 3 pending.
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment("f", 5, "1") });
    await custom.createNamespacedCustomObject({ ...PP, namespace: ns, body: policy("f", ns, "small") });
    await available(ns, "f", 2);
    await sim.settle();
    expect(await status(ns, "f")).toMatchObject({ replicas: 5, availableReplicas: 2, unavailableReplicas: 3 });
    expect((await summary("small")).allocating.pods).toBe("3");
    await scale(ns, "f", 3);
    await waitFor(async () => ((await status(ns, "f")).replicas === 3 ? true : undefined), "two pending pods dropped");
    expect(await status(ns, "f")).toMatchObject({ replicas: 3, availableReplicas: 2, unavailableReplicas: 1 });
    // Another workload leaving frees nothing here; the member growing does: scale the running pods down to
    // make room instead, and the pending one is bound.
    await scale(ns, "f", 1);
    await waitFor(async () => ((await status(ns, "f")).replicas === 1 ? true : undefined), "down to 1");
    expect(await status(ns, "f")).toMatchObject({ replicas: 1, availableReplicas: 1 });
    expect((await summary("small")).allocating.pods).toBe("0");
    await scale(ns, "f", 2);
    await available(ns, "f", 2);
    expect((await summary("small")).allocated).toMatchObject({ cpu: "2", pods: "2" });
    await apps.deleteNamespacedDeployment({ name: "f", namespace: ns });
    await waitFor(async () => ((await summary("small")).allocated.cpu === "0" ? true : undefined), "capacity released");
    expect(sim.snapshot().find((m) => m.name === "small")!.podObjects).toBe(0);
  });
});

describe("pod model option", () => {
  it("refuses an unknown model with the field named", async () => {
    await expect(startSim({ podModel: "flat" as PodModel })).rejects.toMatchObject({ name: "InvalidArgumentError", violations: [{ field: "podModel" }] });
  });
});
