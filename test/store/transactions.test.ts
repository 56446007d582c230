// Transactions on both backends: atomicity, isolation between concurrent transactions (PGlite is one
// session: its driver must serialise them, never interleave), row locks, and misuse detection.
import { expect, it } from "vitest";
import { TransactionMisuseError } from "../../src/adapters/store/index.js";
import { AlreadyExistsError } from "../../src/core/errors.js";
import { describeBackends, storeBackends } from "./backends.js";
import { newGraph, newService, sleep } from "./fixtures.js";

const backends = await storeBackends();

describeBackends("transactions", backends, ({ store }) => {
  it("commits every write of the callback and returns its value", async () => {
    const result = await store().transaction(async (tx) => {
      await tx.graphs.create(newGraph("g"));
      await tx.services.upsert(newService("g", "web"));
      await tx.events.append({ graph: "g", type: "deployed", service: null, message: "ok", details: {} });
      return "done";
    });
    expect(result).toBe("done");
    expect(await store().services.listByGraph("g")).toHaveLength(1);
    expect(await store().events.listAfter("g", 0)).toHaveLength(1);
  });

  it("rolls back every write when the callback throws: no partial rows", async () => {
    await store().graphs.create(newGraph("existing"));
    const failure = new Error("karmada said no");
    await expect(
      store().transaction(async (tx) => {
        await tx.graphs.create(newGraph("g"));
        await tx.services.upsert(newService("g", "web"));
        await tx.placements.add({ graph: "g", strategy: "optimal", status: "optimal", placement: { web: "m1" }, objective: 1, reason: "", solveMs: 1, details: {} });
        await tx.events.append({ graph: "g", type: "deployed", service: null, message: "m", details: {} });
        await tx.outbox.enqueue("g", [{ kind: "workload" }]);
        await tx.graphs.update("existing", { status: "failed" });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await store().graphs.get("g")).toBeUndefined();
    expect(await store().services.listByGraph("g")).toEqual([]);
    expect(await store().placements.history("g")).toEqual([]);
    expect(await store().events.listAfter("g", 0)).toEqual([]);
    expect(await store().outbox.pending()).toEqual([]);
    expect((await store().graphs.get("existing"))?.status).toBe("deploying");
  });

  it("a database error swallowed inside the callback still aborts the whole transaction", async () => {
    await store().graphs.create(newGraph("taken"));
    await expect(
      store().transaction(async (tx) => {
        await tx.graphs.create(newGraph("fresh"));
        await tx.graphs.create(newGraph("taken")).catch((error) => expect(error).toBeInstanceOf(AlreadyExistsError));
        return "pretend all is well";
      }),
    ).rejects.toThrow();
    expect(await store().graphs.get("fresh")).toBeUndefined();
    expect(await store().graphs.list()).toHaveLength(1); // and the store is usable afterwards
  });

  it("two concurrent transactions both commit", async () => {
    const write = (name: string, pause: number) =>
      store().transaction(async (tx) => {
        await tx.graphs.create(newGraph(name));
        await sleep(pause);
        await tx.services.upsert(newService(name, "web"));
        return name;
      });
    expect(await Promise.all([write("a", 30), write("b", 5)])).toEqual(["a", "b"]);
    expect((await store().graphs.list()).map((g) => g.name)).toEqual(["a", "b"]);
    expect(await store().services.listByStatus(["pending"])).toHaveLength(2);
  });

  it("a rolled-back transaction does not take a concurrent one with it, nor show it uncommitted rows", async () => {
    const committed = store().transaction(async (tx) => {
      await tx.graphs.create(newGraph("kept"));
      await sleep(30);
      await tx.services.upsert(newService("kept", "web"));
    });
    let seenDuringRollback: string[] = [];
    const rolledBack = store().transaction(async (tx) => {
      await tx.graphs.create(newGraph("dropped"));
      await sleep(10);
      throw new Error("rollback");
    }).then(
      () => "committed",
      (error: Error) => error.message,
    );
    // A plain read while both run must never see the rows of an uncommitted transaction.
    const reader = (async () => {
      await sleep(5);
      seenDuringRollback = (await store().graphs.list()).map((g) => g.name);
    })();
    await committed;
    expect(await rolledBack).toBe("rollback");
    await reader;
    expect(seenDuringRollback).not.toContain("dropped");
    expect((await store().graphs.list()).map((g) => g.name)).toEqual(["kept"]);
    expect((await store().services.get("kept", "web"))?.name).toBe("web");
  });

  it("lock serialises concurrent read-modify-write transactions: no lost update", async () => {
    await store().graphs.create(newGraph("g", { version: "0" }));
    const increment = () =>
      store().transaction(async (tx) => {
        const graph = await tx.graphs.lock("g");
        await sleep(10); // widen the race window: without the lock every writer would read the same version
        await tx.graphs.update("g", { version: String(Number(graph!.version) + 1) });
      });
    await Promise.all([increment(), increment(), increment(), increment()]);
    expect((await store().graphs.get("g"))?.version).toBe("4");
  });

  it("using the store's own repositories inside a transaction fails at once instead of hanging", async () => {
    await store().graphs.create(newGraph("g"));
    await expect(
      store().transaction(async (tx) => {
        await tx.graphs.lock("g");
        await store().graphs.update("g", { status: "running" });
      }),
    ).rejects.toBeInstanceOf(TransactionMisuseError);
    await expect(store().transaction(async () => store().transaction(async () => 1))).rejects.toBeInstanceOf(TransactionMisuseError);
    // Outside the transaction everything works again.
    expect((await store().graphs.update("g", { status: "running" })).status).toBe("running");
    expect(await store().transaction(async (tx) => (await tx.graphs.get("g"))?.status)).toBe("running");
  });
});
