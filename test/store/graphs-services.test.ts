import { parse } from "yaml";
import { expect, it } from "vitest";
import { AlreadyExistsError, NotFoundError } from "../../src/core/errors.js";
import { describeBackends, storeBackends } from "./backends.js";
import { fixtureText } from "../fixtures/index.js";
import { GiB, newGraph, newService, sleep } from "./fixtures.js";

const backends = await storeBackends();

describeBackends("graphs", backends, ({ store }) => {
  it("creates, gets and lists graphs ordered by name, filtered by project", async () => {
    const created = await store().graphs.create(newGraph("web", { project: "p1", warnings: ["w1"] }));
    await store().graphs.create(newGraph("api", { project: "p2" }));
    await store().graphs.create(newGraph("batch", { project: "p1" }));

    expect(created).toMatchObject({ name: "web", project: "p1", status: "deploying", warnings: ["w1"], dashboardUrl: null });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.updatedAt).toBeInstanceOf(Date);
    expect(await store().graphs.get("web")).toEqual(created);
    expect(await store().graphs.get("nope")).toBeUndefined();
    expect((await store().graphs.list()).map((g) => g.name)).toEqual(["api", "batch", "web"]);
    expect((await store().graphs.list({ project: "" })).map((g) => g.name)).toEqual(["api", "batch", "web"]);
    expect((await store().graphs.list({ project: "p1" })).map((g) => g.name)).toEqual(["batch", "web"]);
    expect(await store().graphs.list({ project: "p3" })).toEqual([]);
    // Pages by name (keyset), alone or with the project filter.
    expect((await store().graphs.list({ limit: 2 })).map((g) => g.name)).toEqual(["api", "batch"]);
    expect((await store().graphs.list({ after: "batch", limit: 2 })).map((g) => g.name)).toEqual(["web"]);
    expect((await store().graphs.list({ after: "web", limit: 2 })).map((g) => g.name)).toEqual([]);
    expect((await store().graphs.list({ project: "p1", after: "api" })).map((g) => g.name)).toEqual(["batch", "web"]);
  });

  it("lists the services, latest placements and newest events of some graphs only", async () => {
    for (const g of ["a", "b", "c"]) {
      await store().graphs.create(newGraph(g));
      await store().services.upsert(newService(g, "web"));
      await store().services.upsert(newService(g, "api"));
      for (const cluster of ["c1", "c2"]) {
        await store().placements.add({ graph: g, strategy: "optimal", status: "optimal", placement: { web: cluster }, objective: 1, reason: "", solveMs: 1, details: null });
      }
      for (let i = 0; i < 3; i++) await store().events.append({ graph: g, type: "scaled", service: "web", message: `${g}${i}`, details: null });
    }
    expect((await store().services.listAll(["c", "a"])).map((s) => `${s.graph}/${s.name}`)).toEqual(["a/api", "a/web", "c/api", "c/web"]);
    expect((await store().services.listAll()).length).toBe(6);
    expect(await store().services.listAll([])).toEqual([]);
    const latest = await store().placements.latestAll(["b"]);
    expect(latest.map((p) => [p.graph, p.placement])).toEqual([["b", { web: "c2" }]]);
    expect(await store().placements.latestAll([])).toEqual([]);
    expect((await store().placements.latestAll()).map((p) => p.graph)).toEqual(["a", "b", "c"]);
    expect((await store().events.latestAll(2, ["a", "c"])).map((e) => e.message)).toEqual(["a1", "a2", "c1", "c2"]);
    expect(await store().events.latestAll(2, [])).toEqual([]);
  });

  it("rejects a duplicate name with AlreadyExistsError and keeps the first graph", async () => {
    await store().graphs.create(newGraph("web", { version: "1" }));
    const duplicate = store().graphs.create(newGraph("web", { version: "2" }));
    await expect(duplicate).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(duplicate).rejects.toThrow(/web/);
    expect((await store().graphs.get("web"))?.version).toBe("1");
  });

  it("updates only the patched fields, moves updatedAt forward, NotFoundError for an unknown graph", async () => {
    const created = await store().graphs.create(newGraph("web"));
    await sleep(5);
    const updated = await store().graphs.update("web", { status: "running", dashboardUrl: "http://g/d/web", warnings: ["a", "b"] });
    expect(updated).toMatchObject({ status: "running", dashboardUrl: "http://g/d/web", warnings: ["a", "b"], project: "demo", version: "1.0.0" });
    expect(updated.createdAt).toEqual(created.createdAt);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
    const cleared = await store().graphs.update("web", { dashboardUrl: null, message: "ok" });
    expect(cleared).toMatchObject({ dashboardUrl: null, message: "ok", status: "running" });
    await expect(store().graphs.update("nope", { status: "failed" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("keeps a nested descriptor through JSONB, unknown fields included", async () => {
    const descriptor = parse(fixtureText("batch-event-all.yaml")) as Record<string, unknown>;
    const withExtras = { ...descriptor, "x-unknown": { deep: [1, { a: null, b: "é ✓" }], n: 1.25, flag: false } };
    await store().graphs.create(newGraph("corpus", { descriptor: withExtras }));
    expect((await store().graphs.get("corpus"))?.descriptor).toEqual(withExtras);
    // An array or a bare string at the top level stays JSON (pg would send a JS array as a PostgreSQL array).
    await store().graphs.update("corpus", { descriptor: [1, "two", { three: 3 }] });
    expect((await store().graphs.get("corpus"))?.descriptor).toEqual([1, "two", { three: 3 }]);
    await store().graphs.update("corpus", { descriptor: "text" });
    expect((await store().graphs.get("corpus"))?.descriptor).toBe("text");
  });

  it("lock returns the row (inside and outside a transaction) and undefined for an unknown graph", async () => {
    await store().graphs.create(newGraph("web"));
    expect((await store().graphs.lock("web"))?.name).toBe("web");
    const inTx = await store().transaction(async (tx) => [await tx.graphs.lock("web"), await tx.graphs.lock("nope")]);
    expect(inTx[0]?.name).toBe("web");
    expect(inTx[1]).toBeUndefined();
  });

  it("delete removes the graph and cascades to everything that belongs to it", async () => {
    for (const name of ["web", "other"]) {
      await store().graphs.create(newGraph(name));
      await store().services.upsert(newService(name, "frontend"));
      await store().placements.add({ graph: name, strategy: "optimal", status: "optimal", placement: { frontend: "m1" }, objective: 1, reason: "r", solveMs: 2, details: {} });
      await store().decisions.add({
        graph: name, service: "frontend", cluster: "m1", previousReplicas: 1, replicas: 2, requestsPerSecond: 1, status: "optimal",
        reason: "r", trigger: "push", observedAt: new Date(), receivedAt: new Date(), decidedAt: new Date(), actuatedAt: null, readyAt: null,
      });
      await store().events.append({ graph: name, type: "deployed", service: null, message: "m", details: {} });
      await store().outbox.enqueue(name, [{ kind: "apply" }]);
    }
    await store().graphs.delete("web");
    await store().graphs.delete("web"); // idempotent

    expect(await store().graphs.get("web")).toBeUndefined();
    expect(await store().services.listByGraph("web")).toEqual([]);
    expect(await store().placements.history("web")).toEqual([]);
    expect(await store().decisions.listAfter(0, { graph: "web" })).toEqual([]);
    expect(await store().events.listAfter("web", 0)).toEqual([]);
    expect(await store().outbox.pending("web")).toEqual([]);
    // The other graph is untouched.
    expect(await store().services.listByGraph("other")).toHaveLength(1);
    expect(await store().placements.history("other")).toHaveLength(1);
    expect(await store().decisions.listAfter(0)).toHaveLength(1);
    expect(await store().events.listAfter("other", 0)).toHaveLength(1);
    expect(await store().outbox.pending()).toHaveLength(1);
  });
});

describeBackends("services", backends, ({ store }) => {
  it("upserts by (graph, name): names are unique per graph, not globally", async () => {
    await store().graphs.create(newGraph("a"));
    await store().graphs.create(newGraph("b"));
    await store().services.upsert(newService("a", "frontend", { cpu: 1 }));
    await store().services.upsert(newService("a", "backend"));
    await store().services.upsert(newService("b", "frontend", { cpu: 2 }));
    await store().services.upsert(newService("a", "frontend", { cpu: 3, cluster: "m2", status: "deployed" }));

    expect((await store().services.listByGraph("a")).map((s) => [s.name, s.cpu])).toEqual([["backend", 0.5], ["frontend", 3]]);
    expect((await store().services.get("a", "frontend"))?.cluster).toBe("m2");
    expect((await store().services.get("b", "frontend"))?.cpu).toBe(2);
    expect(await store().services.get("b", "backend")).toBeUndefined();
  });

  it("round-trips every field: bigint bytes as numbers, JSONB spec, booleans and nulls", async () => {
    await store().graphs.create(newGraph("a"));
    const service = newService("a", "gpu-worker", {
      status: "deployed",
      cluster: "member2",
      desiredReplicas: 4,
      cpu: 2.75,
      memoryBytes: 64 * GiB,
      storageBytes: 2 ** 52,
      gpu: 1,
      eventTriggered: true,
      minReplicas: 2,
      maxReplicas: 10,
      dashboardUrl: "http://grafana/d/x",
      spec: { name: "gpu-worker", env: [{ name: "A", value: "1" }], extra: { nested: [true, null] } },
    });
    await store().services.upsert(service);
    const read = await store().services.get("a", "gpu-worker");
    expect(read).toEqual(service);
    expect(typeof read?.memoryBytes).toBe("number");
    expect(typeof read?.storageBytes).toBe("number");
  });

  it("update patches fields and throws NotFoundError for an unknown service", async () => {
    await store().graphs.create(newGraph("a"));
    await store().services.upsert(newService("a", "frontend"));
    const updated = await store().services.update("a", "frontend", { status: "deployed", desiredReplicas: 3, cluster: "m1" });
    expect(updated).toMatchObject({ status: "deployed", desiredReplicas: 3, cluster: "m1", cpu: 0.5, artifact: "registry.example/frontend:1" });
    expect(await store().services.update("a", "frontend", {})).toEqual(updated);
    await expect(store().services.update("a", "nope", { status: "failed" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(store().services.update("nope", "frontend", {})).rejects.toBeInstanceOf(NotFoundError);
  });

  it("listByStatus spans graphs, ordered by graph then name", async () => {
    await store().graphs.create(newGraph("a"));
    await store().graphs.create(newGraph("b"));
    await store().services.upsert(newService("b", "x", { status: "deployed" }));
    await store().services.upsert(newService("a", "y", { status: "deployed" }));
    await store().services.upsert(newService("a", "z", { status: "pending" }));
    await store().services.upsert(newService("a", "w", { status: "failed" }));
    const list = await store().services.listByStatus(["deployed", "pending"]);
    expect(list.map((s) => `${s.graph}/${s.name}`)).toEqual(["a/y", "a/z", "b/x"]);
    expect(await store().services.listByStatus([])).toEqual([]);
  });

  it("upsert for an unknown graph is NotFoundError", async () => {
    await expect(store().services.upsert(newService("ghost", "x"))).rejects.toBeInstanceOf(NotFoundError);
  });
});
