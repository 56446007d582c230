// Clusters, placements, decisions, events and outbox repositories on both backends.
import { expect, it } from "vitest";
import { NotFoundError } from "../../src/core/errors.js";
import type { ClusterRecord } from "../../src/core/ports/store.js";
import { describeBackends, storeBackends } from "./backends.js";
import { GiB, newDecision, newGraph } from "./fixtures.js";

const backends = await storeBackends();

function cluster(name: string, overrides: Partial<ClusterRecord> = {}): Omit<ClusterRecord, "profile" | "syncedAt"> {
  return {
    name,
    ready: true,
    cpuAllocatable: 16,
    cpuFree: 12.5,
    memoryAllocatableBytes: 64 * GiB,
    memoryFreeBytes: 48 * GiB,
    gpus: 0,
    gpusFree: 0,
    labels: { region: "eu-west", "topology.kubernetes.io/zone": "a" },
    ...overrides,
  };
}

describeBackends("clusters", backends, ({ store }) => {
  it("sync inserts clusters with the default profile and returns them ordered by name", async () => {
    const at = new Date("2025-03-01T10:00:00.000Z");
    const synced = await store().clusters.sync([cluster("member2", { gpus: 2, gpusFree: 1 }), cluster("member1")], at);
    expect(synced.map((c) => c.name)).toEqual(["member1", "member2"]);
    expect(synced[1]).toEqual({
      ...cluster("member2", { gpus: 2, gpusFree: 1 }),
      profile: { energyCost: 1, carbonIntensity: 0, pue: 1, location: "", gpus: null },
      syncedAt: at,
    });
    expect(typeof synced[0]!.memoryAllocatableBytes).toBe("number");
    expect(await store().clusters.list()).toEqual(synced);
    expect(await store().clusters.get("member1")).toEqual(synced[0]);
    expect(await store().clusters.get("nope")).toBeUndefined();
  });

  it("sync replaces capacity, keeps profiles and marks absent clusters not ready", async () => {
    await store().clusters.sync([cluster("member1"), cluster("member2"), cluster("member3")], new Date("2025-03-01T10:00:00Z"));
    const profile = { energyCost: 0.4, carbonIntensity: 210.5, pue: 1.3, location: "Brussels", gpus: 4 };
    expect((await store().clusters.setProfile("member1", profile)).profile).toEqual(profile);

    const later = new Date("2025-03-01T10:05:00Z");
    const synced = await store().clusters.sync([cluster("member1", { cpuFree: 3, labels: { region: "eu-north" } }), cluster("member3")], later);
    const byName = Object.fromEntries(synced.map((c) => [c.name, c]));
    expect(byName.member1).toMatchObject({ ready: true, cpuFree: 3, labels: { region: "eu-north" }, profile, syncedAt: later });
    expect(byName.member2).toMatchObject({ ready: false, cpuFree: 12.5, syncedAt: new Date("2025-03-01T10:00:00Z") });
    expect(byName.member3?.ready).toBe(true);

    // A cluster that comes back is ready again; an empty inventory marks every cluster not ready.
    expect((await store().clusters.sync([cluster("member2")], later)).find((c) => c.name === "member2")?.ready).toBe(true);
    expect((await store().clusters.sync([], later)).map((c) => c.ready)).toEqual([false, false, false]);
  });

  it("sync inside a transaction rolls back with it", async () => {
    await store().clusters.sync([cluster("member1")], new Date());
    await expect(
      store().transaction(async (tx) => {
        await tx.clusters.sync([cluster("member2")], new Date());
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect((await store().clusters.list()).map((c) => [c.name, c.ready])).toEqual([["member1", true]]);
  });

  it("setProfile on an unknown cluster is NotFoundError", async () => {
    await expect(
      store().clusters.setProfile("ghost", { energyCost: 1, carbonIntensity: 0, pue: 1, location: "", gpus: null }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describeBackends("placements", backends, ({ store }) => {
  it("adds placements and reads the latest and the history, newest first", async () => {
    await store().graphs.create(newGraph("g"));
    await store().graphs.create(newGraph("other"));
    expect(await store().placements.latest("g")).toBeUndefined();
    const first = await store().placements.add({
      graph: "g", strategy: "first-fit", status: "feasible", placement: { a: "m1", b: "m2" }, objective: 12.5, reason: "initial",
      solveMs: 3.25, details: { moved: [], backend: "glpk", gap: 0 },
    });
    const second = await store().placements.add({
      graph: "g", strategy: "optimal", status: "optimal", placement: { a: "m2", b: "m2" }, objective: 9, reason: "replace", solveMs: 4, details: { moved: ["a"] },
    });
    await store().placements.add({ graph: "other", strategy: "optimal", status: "infeasible", placement: {}, objective: 0, reason: "x", solveMs: 1, details: null });

    expect(first).toMatchObject({ graph: "g", placement: { a: "m1", b: "m2" }, objective: 12.5, solveMs: 3.25, details: { moved: [], backend: "glpk", gap: 0 } });
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(second.id).toBeGreaterThan(first.id);
    expect(await store().placements.latest("g")).toEqual(second);
    expect((await store().placements.history("g")).map((p) => p.id)).toEqual([second.id, first.id]);
    expect(await store().placements.history("g", 1)).toEqual([second]);
    await expect(
      store().placements.add({ graph: "ghost", strategy: "s", status: "optimal", placement: {}, objective: 0, reason: "", solveMs: 0, details: {} }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describeBackends("decisions", backends, ({ store }) => {
  it("adds decisions with stage timestamps and marks actuated/ready later", async () => {
    await store().graphs.create(newGraph("g"));
    expect(await store().decisions.latestId()).toBe(0);
    const added = await store().decisions.add(newDecision("g", "web"));
    expect(added).toEqual({ ...newDecision("g", "web"), id: added.id });
    expect(typeof added.id).toBe("number");
    expect(await store().decisions.latestId()).toBe(added.id);

    const actuated = new Date("2025-01-01T00:00:00.150Z");
    const ready = new Date("2025-01-01T00:00:02.500Z");
    await store().decisions.markStage(added.id, "actuatedAt", actuated);
    let [read] = await store().decisions.listAfter(added.id - 1);
    expect(read).toMatchObject({ actuatedAt: actuated, readyAt: null });
    await store().decisions.markStage(added.id, "readyAt", ready);
    [read] = await store().decisions.listAfter(added.id - 1);
    expect(read?.readyAt).toEqual(ready);
    expect(read?.actuatedAt).toBeInstanceOf(Date);
    await store().decisions.markStage(added.id + 1000, "readyAt", ready); // unknown id: no-op
    await expect(store().decisions.add(newDecision("ghost", "web"))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("addMany and markStageMany write several decisions in one statement each, in order; an unknown graph fails the lot", async () => {
    await store().graphs.create(newGraph("gm"));
    const batch = [newDecision("gm", "a", { replicas: 2 }), newDecision("gm", "b", { replicas: 3 }), newDecision("gm", "a", { replicas: 4 })];
    const added = await store().decisions.addMany(batch);
    expect(added.map((d) => [d.service, d.replicas])).toEqual([["a", 2], ["b", 3], ["a", 4]]);
    expect(added[0]!.id).toBeLessThan(added[1]!.id);
    const ready = new Date("2025-01-01T00:00:03.000Z");
    await store().decisions.markStageMany("readyAt", [{ id: added[0]!.id, at: ready }, { id: added[2]!.id, at: ready }, { id: 999_999, at: ready }]);
    const read = await store().decisions.listAfter(added[0]!.id - 1, { graph: "gm" });
    expect(read.map((d) => d.readyAt)).toEqual([ready, null, ready]);
    await expect(store().decisions.addMany([newDecision("gm", "a"), newDecision("ghost", "a")])).rejects.toBeInstanceOf(NotFoundError);
    expect(await store().decisions.listAfter(added[2]!.id, { graph: "gm" })).toEqual([]);
  });

  it("listAfter pages oldest first, filtered by graph and service", async () => {
    await store().graphs.create(newGraph("g1"));
    await store().graphs.create(newGraph("g2"));
    const ids: number[] = [];
    for (const [graph, service] of [["g1", "a"], ["g2", "a"], ["g1", "b"], ["g1", "a"], ["g2", "b"]] as const) {
      ids.push((await store().decisions.add(newDecision(graph, service, { replicas: ids.length + 1 }))).id);
    }
    expect((await store().decisions.listAfter(0)).map((d) => d.id)).toEqual(ids);
    expect((await store().decisions.listAfter(ids[1]!)).map((d) => d.id)).toEqual(ids.slice(2));
    expect((await store().decisions.listAfter(0, { limit: 2 })).map((d) => d.id)).toEqual(ids.slice(0, 2));
    expect((await store().decisions.listAfter(0, { graph: "g1" })).map((d) => d.id)).toEqual([ids[0], ids[2], ids[3]]);
    expect((await store().decisions.listAfter(0, { graph: "g1", service: "a" })).map((d) => d.id)).toEqual([ids[0], ids[3]]);
    expect((await store().decisions.listAfter(ids[0]!, { graph: "g1", service: "a", limit: 5 })).map((d) => d.id)).toEqual([ids[3]]);
    expect((await store().decisions.listAfter(0, { service: "b" })).map((d) => d.replicas)).toEqual([3, 5]);
    expect(await store().decisions.latestId()).toBe(ids[4]);
  });
});

describeBackends("events", backends, ({ store }) => {
  it("appends events and resumes listing after an id, per graph", async () => {
    await store().graphs.create(newGraph("g"));
    await store().graphs.create(newGraph("other"));
    const explicit = new Date("2025-02-02T02:02:02.002Z");
    const appended = [];
    for (let i = 0; i < 5; i++) {
      appended.push(await store().events.append({ graph: "g", type: i === 0 ? "deployed" : "scaled", service: i === 0 ? null : "web", message: `event ${i}`, details: { i, list: [i] } }));
      await store().events.append({ graph: "other", type: "placed", service: null, message: "noise", details: {} });
    }
    const withTime = await store().events.append({ graph: "g", type: "failed", service: "web", message: "late", details: null, occurredAt: explicit });
    expect(withTime.occurredAt).toEqual(explicit);
    expect(appended[0]).toMatchObject({ graph: "g", type: "deployed", service: null, details: { i: 0, list: [0] } });
    expect(appended[0]!.occurredAt).toBeInstanceOf(Date);

    const firstPage = await store().events.listAfter("g", 0, 2);
    expect(firstPage.map((e) => e.message)).toEqual(["event 0", "event 1"]);
    const rest = await store().events.listAfter("g", firstPage[1]!.id);
    expect(rest.map((e) => e.message)).toEqual(["event 2", "event 3", "event 4", "late"]);
    expect(rest.every((e) => e.graph === "g")).toBe(true);
    expect(await store().events.listAfter("g", withTime.id)).toEqual([]);
    await expect(store().events.append({ graph: "ghost", type: "failed", service: null, message: "", details: {} })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("the newest events of a graph, and of every graph in one query, oldest first", async () => {
    for (const g of ["a", "b", "quiet"]) await store().graphs.create(newGraph(g));
    const appended: Record<string, number[]> = { a: [], b: [] };
    for (let i = 0; i < 5; i++) {
      for (const g of ["a", "b"] as const) {
        if (g === "b" && i > 1) continue;
        appended[g]!.push((await store().events.append({ graph: g, type: "scaled", service: "web", message: `${g}${i}`, details: { i } })).id);
      }
    }
    expect((await store().events.latest("a", 3)).map((e) => e.id)).toEqual(appended.a!.slice(-3));
    expect((await store().events.latest("b", 3)).map((e) => e.id)).toEqual(appended.b);
    expect(await store().events.latest("quiet", 3)).toEqual([]);
    const all = await store().events.latestAll(3);
    expect(all.map((e) => `${e.graph}:${e.id}`)).toEqual([...appended.a!.slice(-3).map((id) => `a:${id}`), ...appended.b!.map((id) => `b:${id}`)]);
    expect(all[0]).toMatchObject({ type: "scaled", service: "web", details: { i: 2 } });
    expect(all[0]!.occurredAt).toBeInstanceOf(Date);
    expect(all).toEqual([...(await store().events.latest("a", 3)), ...(await store().events.latest("b", 3))]);
  });
});

describeBackends("outbox", backends, ({ store }) => {
  it("enqueues in order, lists pending by graph then seq, completes and records failures", async () => {
    await store().graphs.create(newGraph("b"));
    await store().graphs.create(newGraph("a"));
    const forB = await store().outbox.enqueue("b", [{ kind: "namespace", name: "p" }, { kind: "workload", service: "web" }, { kind: "policy" }]);
    const forA = await store().outbox.enqueue("a", [{ kind: "workload", nested: { list: [1, 2] } }]);
    expect(forB.map((o) => o.seq)).toEqual([1, 2, 3]);
    expect(forB[0]).toMatchObject({ graph: "b", action: { kind: "namespace", name: "p" }, attempts: 0, lastError: null });
    expect(forB[0]!.createdAt).toBeInstanceOf(Date);
    expect(await store().outbox.enqueue("a", [])).toEqual([]);

    const pending = await store().outbox.pending();
    expect(pending.map((o) => `${o.graph}:${o.seq}`)).toEqual(["a:1", "b:1", "b:2", "b:3"]);
    expect(pending[0]).toEqual(forA[0]);
    expect((await store().outbox.pending("b")).map((o) => o.id)).toEqual(forB.map((o) => o.id));

    await store().outbox.recordFailure(forB[0]!.id, "karmada unavailable");
    await store().outbox.recordFailure(forB[0]!.id, "timeout");
    expect((await store().outbox.pending("b"))[0]).toMatchObject({ attempts: 2, lastError: "timeout", seq: 1 });

    await store().outbox.complete(forB[0]!.id);
    await store().outbox.complete(forB[0]!.id); // idempotent
    expect((await store().outbox.pending("b")).map((o) => o.seq)).toEqual([2, 3]);

    // New actions go after the pending ones.
    const more = await store().outbox.enqueue("b", [{ kind: "dashboard" }]);
    expect(more[0]!.seq).toBe(4);
    expect((await store().outbox.pending("b")).map((o) => (o.action as { kind: string }).kind)).toEqual(["workload", "policy", "dashboard"]);
    await expect(store().outbox.enqueue("ghost", [{}])).rejects.toBeInstanceOf(NotFoundError);
  });
});
