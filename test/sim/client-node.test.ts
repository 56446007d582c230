// The simulator through the real @kubernetes/client-node: optimistic concurrency, watch resume and expiry,
// scheduling limits (pending pods on a full member), NotReady members, fault injection, the three patch
// flavours and the scale subresource.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Deployment,
} from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSim, type Sim } from "../../src/sim/index.js";
import { waitFor } from "../helpers/processes.js";

const TOKEN = "t0ken";

function clients(sim: Sim) {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  return { kc, apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api), custom: kc.makeApiClient(CustomObjectsApi) };
}

function deployment(name: string, replicas: number, cpu = "1", extra: Partial<V1Deployment["spec"]> = {}): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: `${name}:1`, resources: { requests: { cpu, memory: "256Mi" } } }] },
      },
      ...extra,
    },
  };
}

function policy(name: string, namespace: string, clusters: string[], placement: Record<string, unknown> = {}) {
  return {
    apiVersion: "policy.karmada.io/v1alpha1",
    kind: "PropagationPolicy",
    metadata: { name, namespace },
    spec: {
      resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name }],
      placement: { clusterAffinity: { clusterNames: clusters }, ...placement },
    },
  };
}

const PP = { group: "policy.karmada.io", version: "v1alpha1", plural: "propagationpolicies" };

async function statusCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

describe("simulator through @kubernetes/client-node", () => {
  let sim: Sim;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    sim = await startSim({
      config: {
        clusters: [
          { name: "big", cpu: 8, memory: "16Gi", region: "eu-west", labels: { tier: "edge" } },
          { name: "small", cpu: 2, memory: "4Gi", region: "eu-east" },
          { name: "gpu", cpu: 4, memory: "8Gi", gpus: 2 },
        ],
      },
      podStartMs: 50,
      token: TOKEN,
      watchHistory: 100,
      seed: 7,
    });
    c = clients(sim);
  });
  afterAll(() => sim?.close());
  afterEach(() => {
    sim.setFailRate(0);
    sim.setLatency(0);
  });

  const status = async (ns: string, name: string) => (await c.apps.readNamespacedDeployment({ name, namespace: ns })).status ?? {};
  const allocatedCpu = async (cluster: string) => {
    const obj = (await c.custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: cluster })) as {
      status: { resourceSummary: { allocated: { cpu: string }; allocating: { pods: string } } };
    };
    return obj.status.resourceSummary;
  };

  it("answers 401 without the bearer token", async () => {
    const res = await fetch(`${sim.url}/api/v1/namespaces`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  it("returns NotFound and AlreadyExists as Status objects", async () => {
    const err = await c.apps.readNamespacedDeployment({ name: "missing", namespace: "default" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    const body = JSON.parse((err as ApiException<string>).body);
    expect(body).toMatchObject({
      kind: "Status",
      apiVersion: "v1",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      details: { name: "missing", kind: "deployments", group: "apps" },
    });
    await c.apps.createNamespacedDeployment({ namespace: "dup", body: deployment("d", 0) });
    expect(await statusCode(c.apps.createNamespacedDeployment({ namespace: "dup", body: deployment("d", 0) }))).toBe(409);
  });

  it("rejects a stale update with 409 Conflict and bumps generation only on spec changes", async () => {
    const created = await c.apps.createNamespacedDeployment({ namespace: "conflict", body: deployment("app", 1) });
    expect(created.metadata?.generation).toBe(1);
    const first = await c.apps.readNamespacedDeployment({ name: "app", namespace: "conflict" });
    const second = structuredClone(first);
    first.spec!.replicas = 2;
    const updated = await c.apps.replaceNamespacedDeployment({ name: "app", namespace: "conflict", body: first });
    expect(updated.metadata?.generation).toBe(2);
    second.spec!.replicas = 5;
    expect(await statusCode(c.apps.replaceNamespacedDeployment({ name: "app", namespace: "conflict", body: second }))).toBe(409);
    const labelled = await c.apps.patchNamespacedDeployment(
      { name: "app", namespace: "conflict", body: { metadata: { labels: { extra: "yes" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(labelled.metadata?.generation).toBe(2);
    expect(labelled.metadata?.labels).toMatchObject({ app: "app", extra: "yes" });
  });

  it("applies JSON merge, strategic merge and JSON patches", async () => {
    const ns = "patches";
    const d = deployment("p", 1);
    d.spec!.template.spec!.containers.push({ name: "side", image: "side:1", env: [{ name: "A", value: "1" }] });
    await c.apps.createNamespacedDeployment({ namespace: ns, body: d });
    // Strategic: containers merge by name, env by name.
    const smp = await c.apps.patchNamespacedDeployment(
      {
        name: "p",
        namespace: ns,
        body: { spec: { template: { spec: { containers: [{ name: "side", env: [{ name: "B", value: "2" }] }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const side = smp.spec!.template.spec!.containers.find((x) => x.name === "side")!;
    expect(smp.spec!.template.spec!.containers.map((x) => x.name)).toEqual(["main", "side"]);
    expect(side.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    // Merge patch replaces lists wholesale.
    const mp = await c.apps.patchNamespacedDeployment(
      { name: "p", namespace: ns, body: { spec: { template: { spec: { containers: [{ name: "only", image: "only:1" }] } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(mp.spec!.template.spec!.containers.map((x) => x.name)).toEqual(["only"]);
    // JSON patch (client-node's default for patch calls).
    const jp = await c.apps.patchNamespacedDeployment({
      name: "p",
      namespace: ns,
      body: [
        { op: "test", path: "/spec/replicas", value: 1 },
        { op: "replace", path: "/spec/replicas", value: 2 },
      ],
    });
    expect(jp.spec!.replicas).toBe(2);
    const failed = await statusCode(
      c.apps.patchNamespacedDeployment({ name: "p", namespace: ns, body: [{ op: "test", path: "/spec/replicas", value: 9 }] }),
    );
    expect(failed).toBe(422);
    // Custom resources do not take strategic merge patches, like a real API server.
    await c.custom.createNamespacedCustomObject({ ...PP, namespace: ns, body: policy("p", ns, ["big"]) });
    expect(
      await statusCode(
        c.custom.patchNamespacedCustomObject(
          { ...PP, namespace: ns, name: "p", body: { spec: { priority: 1 } } },
          setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
        ),
      ),
    ).toBe(415);
  });

  it("reads and merge-patches the scale subresource", async () => {
    const ns = "scale";
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("s", 1, "100m") });
    await c.custom.createNamespacedCustomObject({ ...PP, namespace: ns, body: policy("s", ns, ["big"]) });
    const scale = await c.apps.readNamespacedDeploymentScale({ name: "s", namespace: ns });
    expect(scale).toMatchObject({ kind: "Scale", apiVersion: "autoscaling/v1", spec: { replicas: 1 }, status: { selector: "app=s" } });
    const patched = await c.apps.patchNamespacedDeploymentScale(
      { name: "s", namespace: ns, body: { spec: { replicas: 4 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.spec?.replicas).toBe(4);
    await waitFor(async () => ((await status(ns, "s")).availableReplicas === 4 ? true : undefined), "4 available");
    const s = await status(ns, "s");
    expect(s).toMatchObject({ replicas: 4, readyReplicas: 4, updatedReplicas: 4, observedGeneration: 2 });
    const stale = { ...scale, spec: { replicas: 2 } };
    expect(await statusCode(c.apps.replaceNamespacedDeploymentScale({ name: "s", namespace: ns, body: stale }))).toBe(409);
  });

  it("resumes a watch from a resourceVersion and expires a too old one", async () => {
    const ns = "watch";
    const list = await c.apps.listNamespacedDeployment({ namespace: ns });
    const from = list.metadata!.resourceVersion!;
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("w1", 0) });
    await c.apps.patchNamespacedDeployment(
      { name: "w1", namespace: ns, body: { metadata: { labels: { step: "2" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await c.apps.deleteNamespacedDeployment({ name: "w1", namespace: ns });

    const events: string[] = [];
    const watch = new Watch(c.kc);
    const req = await watch.watch(
      `/apis/apps/v1/namespaces/${ns}/deployments`,
      { resourceVersion: from },
      (type, obj: V1Deployment) => events.push(`${type} ${obj.metadata?.name} ${obj.metadata?.labels?.step ?? "-"}`),
      () => {},
    );
    await waitFor(() => (events.some((e) => e.startsWith("DELETED")) ? true : undefined), "replayed events", { timeoutMs: 5000 });
    req.abort();
    // The simulator's own status write is a MODIFIED event too, between ADDED and the label change.
    expect(events[0]).toBe("ADDED w1 -");
    expect(events).toContain("MODIFIED w1 2");
    expect(events.at(-1)).toBe("DELETED w1 2");

    // Push the kept history (100 events) past `from`.
    for (let i = 0; i < 110; i++) {
      await c.core.createNamespacedService({ namespace: "churn", body: { metadata: { name: `s${i}` }, spec: { ports: [{ port: 80 }] } } });
    }
    const got: { type: string; obj: { code?: number; reason?: string } }[] = [];
    await new Promise<void>((resolve) => {
      void watch.watch(`/apis/apps/v1/namespaces/${ns}/deployments`, { resourceVersion: from }, (type, obj) => got.push({ type, obj }), () => resolve());
    });
    expect(got).toEqual([{ type: "ERROR", obj: expect.objectContaining({ kind: "Status", code: 410, reason: "Expired" }) }]);
    // A version the server never issued (a client resuming after the server restarted): re-list, do not wait.
    const ahead: { type: string; obj: { code?: number; message?: string } }[] = [];
    await new Promise<void>((resolve) => {
      void watch.watch(`/apis/apps/v1/namespaces/${ns}/deployments`, { resourceVersion: "99999999" }, (type, obj) => ahead.push({ type, obj }), () => resolve());
    });
    expect(ahead).toEqual([{ type: "ERROR", obj: expect.objectContaining({ kind: "Status", code: 504, message: expect.stringMatching(/Too large resource version/) }) }]);
  });

  it("keeps pods pending on a full member and schedules them when room frees up", async () => {
    const ns = "capacity";
    // "small" has 2 cores: 3 pods of 1 core → 2 run, 1 pending.
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("fat", 3, "1") });
    await c.custom.createNamespacedCustomObject({ ...PP, namespace: ns, body: policy("fat", ns, ["small"]) });
    await waitFor(async () => ((await status(ns, "fat")).availableReplicas === 2 ? true : undefined), "2 of 3 available");
    await sim.settle();
    const s = await status(ns, "fat");
    expect(s).toMatchObject({ replicas: 3, availableReplicas: 2, unavailableReplicas: 1 });
    const summary = await allocatedCpu("small");
    expect(summary.allocated.cpu).toBe("2");
    expect(summary.allocating.pods).toBe("1");
    expect(sim.snapshot().find((m) => m.name === "small")!.pods.pending).toBe(1);
    // Scaling down to 2 drops the pending pod first.
    await c.apps.patchNamespacedDeploymentScale(
      { name: "fat", namespace: ns, body: { spec: { replicas: 2 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await waitFor(async () => ((await status(ns, "fat")).replicas === 2 ? true : undefined), "pending pod dropped");
    expect((await status(ns, "fat")).availableReplicas).toBe(2);
    await c.apps.deleteNamespacedDeployment({ name: "fat", namespace: ns });
    await waitFor(async () => ((await allocatedCpu("small")).allocated.cpu === "0" ? true : undefined), "capacity released");
  });

  it("divides replicas by static weight and counts GPUs", async () => {
    const ns = "divided";
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("split", 4, "100m") });
    await c.custom.createNamespacedCustomObject({
      ...PP,
      namespace: ns,
      body: policy("split", ns, ["big", "gpu"], {
        replicaScheduling: {
          replicaSchedulingType: "Divided",
          replicaDivisionPreference: "Weighted",
          weightPreference: {
            staticWeightList: [
              { targetCluster: { clusterNames: ["big"] }, weight: 3 },
              { targetCluster: { clusterNames: ["gpu"] }, weight: 1 },
            ],
          },
        },
      }),
    });
    await waitFor(async () => ((await status(ns, "split")).availableReplicas === 4 ? true : undefined), "4 available");
    const rb = (await c.custom.getNamespacedCustomObject({
      group: "work.karmada.io",
      version: "v1alpha2",
      plural: "resourcebindings",
      namespace: ns,
      name: "split-deployment",
    })) as { spec: { clusters: { name: string; replicas: number }[] } };
    expect(rb.spec.clusters).toEqual([
      { name: "big", replicas: 3 },
      { name: "gpu", replicas: 1 },
    ]);

    const g = deployment("trainer", 3, "100m");
    g.spec!.template.spec!.containers[0]!.resources!.requests!["nvidia.com/gpu"] = "1";
    await c.apps.createNamespacedDeployment({ namespace: ns, body: g });
    await c.custom.createNamespacedCustomObject({ ...PP, namespace: ns, body: policy("trainer", ns, ["gpu"]) });
    await waitFor(async () => ((await status(ns, "trainer")).availableReplicas === 2 ? true : undefined), "2 GPU pods");
    const gpu = (await c.custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: "gpu" })) as {
      status: { resourceSummary: { allocatable: Record<string, string>; allocated: Record<string, string> } };
    };
    expect(gpu.status.resourceSummary.allocatable["nvidia.com/gpu"]).toBe("2");
    expect(gpu.status.resourceSummary.allocated["nvidia.com/gpu"]).toBe("2");
    expect((await status(ns, "trainer")).replicas).toBe(3);
  });

  it("makes pods on a NotReady member unavailable and restores them when it is Ready again", async () => {
    const ns = "notready";
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("nr", 2, "100m") });
    await c.custom.createNamespacedCustomObject({ ...PP, namespace: ns, body: policy("nr", ns, ["big"]) });
    await waitFor(async () => ((await status(ns, "nr")).availableReplicas === 2 ? true : undefined), "2 available");

    const res = await fetch(`${sim.url}/sim/v1/clusters/big/ready?value=false`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    await waitFor(async () => ((await status(ns, "nr")).availableReplicas === undefined ? true : undefined), "0 available");
    const cluster = (await c.custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: "big" })) as {
      status: { conditions: { type: string; status: string; reason: string }[] };
    };
    expect(cluster.status.conditions).toEqual([expect.objectContaining({ type: "Ready", status: "False", reason: "ClusterNotReachable" })]);
    expect(await status(ns, "nr")).toMatchObject({ replicas: 2, unavailableReplicas: 2 });

    sim.setClusterReady("big", true);
    await waitFor(async () => ((await status(ns, "nr")).availableReplicas === 2 ? true : undefined), "available again");
  });

  it("reschedules onto the remaining members when a member is removed", async () => {
    const ns = "removal";
    sim.addCluster({ name: "spare", cpu: 4, memory: "8Gi" });
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment("r", 2, "100m") });
    await c.custom.createNamespacedCustomObject({
      ...PP,
      namespace: ns,
      body: policy("r", ns, ["spare", "big"], { replicaScheduling: { replicaSchedulingType: "Divided", replicaDivisionPreference: "Weighted" } }),
    });
    await waitFor(async () => ((await status(ns, "r")).availableReplicas === 2 ? true : undefined), "2 available");
    expect(sim.snapshot().find((m) => m.name === "spare")!.workloads[`${ns}/r`]).toEqual({ pending: 0, starting: 0, running: 1 });
    sim.removeCluster("spare");
    await waitFor(async () => (sim.snapshot().find((m) => m.name === "big")!.workloads[`${ns}/r`]?.running === 2 ? true : undefined), "both on big");
    expect(await statusCode(c.custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: "spare" }))).toBe(404);
  });

  it("joins and unjoins members created and deleted through the API", async () => {
    const clusters = { group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters" };
    await c.custom.createClusterCustomObject({
      ...clusters,
      body: {
        apiVersion: "cluster.karmada.io/v1alpha1",
        kind: "Cluster",
        metadata: { name: "joined", annotations: { "sim.smo.dev/cpu": "3", "sim.smo.dev/memory": "6Gi" }, labels: { site: "lab" } },
        spec: { syncMode: "Pull" },
      },
    });
    const joined = await waitFor(async () => {
      const o = (await c.custom.getClusterCustomObject({ ...clusters, name: "joined" })) as { status?: { resourceSummary: { allocatable: Record<string, string> } } };
      return o.status?.resourceSummary ? o.status.resourceSummary : undefined;
    }, "status of the joined cluster");
    expect(joined.allocatable).toMatchObject({ cpu: "3", memory: "6Gi" });
    expect(sim.snapshot().map((m) => m.name)).toContain("joined");
    await c.custom.deleteClusterCustomObject({ ...clusters, name: "joined" });
    await sim.settle();
    expect(sim.snapshot().map((m) => m.name)).not.toContain("joined");
  });

  it("injects 5xx faults at roughly the configured rate, never on discovery", async () => {
    sim.setFailRate(0.3);
    let failures = 0;
    const n = 200;
    for (let i = 0; i < n; i++) {
      const code = await statusCode(c.core.listNamespace());
      if (code !== 200) {
        expect([500, 503]).toContain(code);
        failures++;
      }
    }
    expect(failures / n).toBeGreaterThan(0.15);
    expect(failures / n).toBeLessThan(0.45);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${sim.url}/apis`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
    }
  });
});
