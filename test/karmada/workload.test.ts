// The manifest deployer and scaling through the real client-node against the simulated federation: what is
// rendered is what the simulator runs, on the member the policy names, with the translated requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplicaStatus } from "../../src/core/ports/karmada.js";
import { createManifestDeployer } from "../../src/adapters/karmada/index.js";
import { eventually, startKarmadaTestbed, type KarmadaTestbed } from "./federation.js";
import { makeGraph, makeService, recordingLogger } from "./fixtures.js";

let fed: KarmadaTestbed;
const ns = "demo2";
const graph = makeGraph("demo2");
const GiB = 2 ** 30;

async function free(name: string) {
  const cluster = (await fed.client.listClusters()).find((c) => c.name === name);
  if (!cluster) throw new Error(`no cluster ${name}`);
  return cluster;
}

/** Pods of a workload per member, as the simulator runs them. */
function podsOf(name: string): Record<string, { pending: number; starting: number; running: number }> {
  const out: Record<string, { pending: number; starting: number; running: number }> = {};
  for (const member of fed.sim.snapshot()) {
    for (const [key, pods] of Object.entries(member.workloads)) if (key === `${ns}/${name}`) out[member.name] = pods;
  }
  return out;
}

beforeAll(async () => {
  fed = await startKarmadaTestbed({ clusters: 3, gpuClusters: 1, podStartMs: 50 });
  await fed.client.ensureNamespace(ns);
});

afterAll(async () => {
  await fed?.stop();
});

describe("manifest deployer", () => {
  it("renders Deployment + Service with image, ports, env, labels and translated requests", async () => {
    const service = makeService("web-frontend", {
      resources: { ...makeService("x").resources, cpu: 0.5, memoryBytes: GiB },
      artifact: {
        ...makeService("x").artifact,
        container: { image: "nginx:1.27", ports: [8080, 9090], env: { MODE: "demo" } },
      },
    });
    const deployer = createManifestDeployer(fed.client);
    await deployer.apply(ns, graph, service, { clusters: ["member2"], importClusters: [] }, 2);
    await deployer.apply(ns, graph, service, { clusters: ["member2"], importClusters: [] }, 2); // idempotent

    const deployment = await fed.client.kube.apps.readNamespacedDeployment({ namespace: ns, name: "web-frontend" });
    expect(deployment.metadata?.labels).toMatchObject({ "smo.graph": "demo2", "smo.service": "web-frontend" });
    expect(deployment.spec?.replicas).toBe(2);
    expect(deployment.spec?.selector.matchLabels).toEqual({ "smo.graph": "demo2", "smo.service": "web-frontend" });
    const container = deployment.spec?.template.spec?.containers[0];
    expect(container?.image).toBe("nginx:1.27");
    expect(container?.ports?.map((p) => [p.name, p.containerPort])).toEqual([["web", 8080], ["port-9090", 9090]]);
    expect(container?.env).toEqual([{ name: "MODE", value: "demo" }]);
    expect(container?.resources?.requests).toEqual({ cpu: "500m", memory: "1Gi" });

    const svc = await fed.client.kube.core.readNamespacedService({ namespace: ns, name: "web-frontend" });
    expect(svc.spec?.selector).toEqual({ "smo.graph": "demo2", "smo.service": "web-frontend" });
    expect(svc.spec?.ports?.map((p) => [p.name, p.port])).toEqual([["web", 8080], ["port-9090", 9090]]);
  });

  it("runs on the placed member with the rendered requests, and follows a re-placement", async () => {
    const service = makeService("ml-inference", {
      resources: { ...makeService("x").resources, cpu: 2, memoryBytes: 4 * GiB, gpu: 1 },
    });
    const before1 = await free("member1");
    const before3 = await free("member3");
    const deployer = createManifestDeployer(fed.client);
    await deployer.apply(ns, graph, service, { clusters: ["member1"], importClusters: [] }, 1);
    const container = (await fed.client.kube.apps.readNamespacedDeployment({ namespace: ns, name: "ml-inference" })).spec?.template.spec
      ?.containers[0];
    expect(container?.image).toBe("registry.invalid/smo-placeholder/ml-inference:latest");
    expect(container?.resources?.limits).toEqual({ "nvidia.com/gpu": "1" });
    await fed.client.applyPlacement(ns, "ml-inference", ["member1"]);

    await eventually(() => fed.client.getReplicas(ns, "ml-inference"), (s) => s?.available === 1);
    const on1 = await free("member1");
    expect(before1.cpuFree - on1.cpuFree).toBeCloseTo(2, 6);
    expect(before1.memoryFreeBytes - on1.memoryFreeBytes).toBe(4 * GiB);
    expect(before1.gpusFree - on1.gpusFree).toBe(1);
    expect((await free("member3")).cpuFree).toBe(before3.cpuFree);
    expect(podsOf("ml-inference")).toEqual({ member1: { pending: 0, starting: 0, running: 1 } });

    // Re-placement to a member without GPUs: the pod cannot run there and stays pending; member1 is freed.
    await fed.client.applyPlacement(ns, "ml-inference", ["member3"]);
    await eventually(() => free("member1"), (c) => c.cpuFree === before1.cpuFree);
    expect((await fed.client.getReplicas(ns, "ml-inference"))?.available).toBe(0);
    expect(podsOf("ml-inference")).toEqual({ member3: { pending: 1, starting: 0, running: 0 } });

    await deployer.remove(ns, "demo2", service);
    await deployer.remove(ns, "demo2", service); // idempotent
    expect(await fed.client.getReplicas(ns, "ml-inference")).toBeUndefined();
    await fed.client.removePlacement(ns, "ml-inference");
  });

  it("converges when several writers apply the same service at once (server-side apply, no read-modify-write)", async () => {
    const deployer = createManifestDeployer(fed.client);
    const service = makeService("racer");
    await deployer.apply(ns, graph, service, { clusters: ["member2"], importClusters: [] }, 1);
    await Promise.all([1, 2, 3, 4].map((r) => deployer.apply(ns, graph, service, { clusters: ["member2"], importClusters: [] }, r)));
    // Once the Deployment exists, applies never change its count: the scale subresource is its writer.
    const replicas = (await fed.client.kube.apps.readNamespacedDeployment({ namespace: ns, name: "racer" })).spec?.replicas;
    expect(replicas).toBe(1);
    await deployer.remove(ns, "demo2", service);
  });
});

describe("scaling", () => {
  it("scale patches the scale subresource; getReplicas and watchReplicas see the members catch up", async () => {
    const service = makeService("scaled", { resources: { ...makeService("x").resources, cpu: 0.25 } });
    await createManifestDeployer(fed.client).apply(ns, graph, service, { clusters: ["member2"], importClusters: [] }, 1);
    await fed.client.applyPlacement(ns, "scaled", ["member2"]);
    await eventually(() => fed.client.getReplicas(ns, "scaled"), (s) => s?.available === 1);

    const seen: ReplicaStatus[] = [];
    const subscription = fed.client.watchReplicas(ns, (deployment, namespace, status) => {
      if (deployment === "scaled" && namespace === ns) seen.push(status);
    });
    try {
      await eventually(() => seen.length, (n) => n >= 1);
      const before = await free("member2");
      await fed.client.scale(ns, "scaled", 4);
      const status = await eventually(() => fed.client.getReplicas(ns, "scaled"), (s) => s?.available === 4);
      expect(status).toEqual({ desired: 4, ready: 4, available: 4, updated: 4 });
      await eventually(() => seen.at(-1)?.available, (a) => a === 4);
      // The watch saw the desired count first and availability rise afterwards.
      expect(seen.some((s) => s.desired === 4 && s.available < 4)).toBe(true);
      expect((await free("member2")).cpuFree).toBeCloseTo(before.cpuFree - 3 * 0.25, 6);

      await fed.client.scale(ns, "scaled", 1);
      await eventually(() => fed.client.getReplicas(ns, "scaled"), (s) => s?.available === 1 && s.desired === 1);
    } finally {
      subscription.stop();
    }
  });
});
