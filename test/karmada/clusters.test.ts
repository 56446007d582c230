// Member clusters through the real client-node against the simulated federation: list and watch.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../src/core/errors.js";
import type { MemberCluster } from "../../src/core/ports/karmada.js";
import { createKarmadaClient } from "../../src/adapters/karmada/index.js";
import { silentLogger } from "./fixtures.js";
import { eventually, startKarmadaTestbed, type KarmadaTestbed } from "./federation.js";

let fed: KarmadaTestbed;

beforeAll(async () => {
  fed = await startKarmadaTestbed({ clusters: 3, gpuClusters: 1 });
});

afterAll(async () => {
  await fed?.stop();
});

describe("clusters", () => {
  it("lists the members with capacity, free resources, GPUs and readiness", async () => {
    const clusters = await fed.client.listClusters();
    expect(clusters.map((c) => c.name)).toEqual(["member1", "member2", "member3"]);
    for (const c of clusters) {
      expect(c.ready).toBe(true);
      expect(c.cpuAllocatable).toBeGreaterThan(0);
      expect(c.cpuFree).toBeLessThanOrEqual(c.cpuAllocatable);
      expect(c.memoryAllocatableBytes).toBeGreaterThan(0);
      expect(c.memoryFreeBytes).toBeLessThanOrEqual(c.memoryAllocatableBytes);
    }
    // --gpu-clusters 1: only the first member has GPUs.
    expect(clusters[0]!.gpus).toBeGreaterThan(0);
    expect(clusters[0]!.gpusFree).toBe(clusters[0]!.gpus);
    expect(clusters.slice(1).map((c) => c.gpus)).toEqual([0, 0]);
  });

  it("takes the kubeconfig as YAML text as well as a path; a missing file is FAILED_PRECONDITION", async () => {
    const fromText = createKarmadaClient({ kubeconfig: fed.sim.kubeconfig(), logger: silentLogger });
    expect((await fromText.listClusters()).map((c) => c.name)).toEqual(["member1", "member2", "member3"]);
    expect(() => createKarmadaClient({ kubeconfig: "/nonexistent/kubeconfig", logger: silentLogger })).toThrow(FailedPreconditionError);
  });

  it("watches: a member going NotReady, coming back, and being removed each call back with the whole list", async () => {
    const seen: MemberCluster[][] = [];
    const subscription = fed.client.watchClusters((clusters) => seen.push(clusters));
    try {
      await eventually(() => seen.at(-1), (last) => last?.length === 3);

      fed.sim.setClusterReady("member2", false);
      await eventually(() => seen.at(-1), (last) => last?.find((c) => c.name === "member2")?.ready === false);
      expect(seen.at(-1)!.filter((c) => c.ready).map((c) => c.name)).toEqual(["member1", "member3"]);

      fed.sim.setClusterReady("member2", true);
      await eventually(() => seen.at(-1), (last) => last?.find((c) => c.name === "member2")?.ready === true);

      fed.sim.addCluster({ name: "member4", cpu: 8, memory: "32Gi", gpus: 2, region: "eu-west", labels: { tier: "edge" } });
      const added = await eventually(() => seen.at(-1), (l) => l?.length === 4);
      expect(added!.find((c) => c.name === "member4")).toMatchObject({
        ready: true,
        cpuAllocatable: 8,
        cpuFree: 8,
        memoryAllocatableBytes: 32 * 2 ** 30,
        gpus: 2,
        region: "eu-west",
        labels: { tier: "edge" },
      });

      fed.sim.removeCluster("member3");
      const last = await eventually(() => seen.at(-1), (l) => l?.length === 3);
      expect(last!.map((c) => c.name)).toEqual(["member1", "member2", "member4"]);
      expect((await fed.client.listClusters()).map((c) => c.name)).toEqual(["member1", "member2", "member4"]);
    } finally {
      subscription.stop();
    }
  });

  it("stops calling back after stop()", async () => {
    let calls = 0;
    const subscription = fed.client.watchClusters(() => calls++);
    await eventually(() => calls, (n) => n >= 1);
    subscription.stop();
    const before = calls;
    fed.sim.setClusterReady("member1", false);
    // A second watch proves the change was published; the stopped one must not have seen it.
    const seen: MemberCluster[][] = [];
    const probe = fed.client.watchClusters((c) => seen.push(c));
    await eventually(() => seen.at(-1), (l) => l?.find((c) => c.name === "member1")?.ready === false);
    probe.stop();
    fed.sim.setClusterReady("member1", true);
    expect(calls).toBe(before);
  });
});
