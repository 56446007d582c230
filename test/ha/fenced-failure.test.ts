// What an outbox failure writes is fenced by the project's lease, like every other outbox write: the owner that
// still holds the lease marks the graph failed (or notes the retry); a stale owner, which believes it owns the
// project but whose token the database refuses, writes nothing (no failed mark, no event, no error on the row)
// and leaves the row to the new owner.
import pino from "pino";
import { expect, it } from "vitest";
import { SmoError, UnavailableError } from "../../src/core/errors.js";
import type { ActionExecutor } from "../../src/core/graphs/executor.js";
import { KeyedMutex } from "../../src/core/graphs/mutex.js";
import { OutboxRunner } from "../../src/core/graphs/runner.js";
import { LeaseManager } from "../../src/core/ha/lease-manager.js";
import type { Store } from "../../src/core/ports/store.js";
import { describeBackends, storeBackends } from "../store/backends.js";
import { newGraph } from "../store/fixtures.js";

const backends = await storeBackends();
const logger = pino({ level: "silent" });

/** A graph in project "shop" with one pending action, an owner holding the lease, and a runner whose action fails. */
async function setup(store: Store, failure: Error) {
  await store.graphs.create(newGraph("g", { project: "shop", status: "running" }));
  const [row] = await store.outbox.enqueue("g", [{ kind: "remove-placement", namespace: "shop", service: "web" }]);
  const clock = { now: 0 };
  const owner = new LeaseManager({ leases: store.leases, self: { id: "member-a", address: "a:1" }, durationMs: 3_000, renewMs: 1_000, logger, monotonic: () => clock.now });
  await owner.start();
  const executor = { apply: async () => Promise.reject(failure) } as unknown as ActionExecutor;
  const runner = new OutboxRunner({
    store, executor, mutex: new KeyedMutex(), logger, initialMs: 60_000, maxMs: 60_000, hooks: {}, ownership: owner, onEvents: () => undefined,
  });
  return { row: row!, owner, runner };
}

/** Another member takes the project (as after an expiry the stale owner's clock did not notice). */
async function stealLease(store: Store): Promise<void> {
  await store.leases.release("member-a", ["shop"]);
  expect((await store.leases.acquire("shop", "member-b", 3_000))?.token).toBe(2);
}

describeBackends("fenced outbox failures", backends, ({ store }) => {
  it("the lease holder marks the graph failed", async () => {
    const { owner, runner } = await setup(store(), new SmoError("rejected by Karmada"));
    await expect(runner.drain("g")).rejects.toThrow("rejected by Karmada");
    expect((await store().graphs.get("g"))?.status).toBe("failed");
    expect((await store().events.listAfter("g", 0)).map((e) => e.type)).toEqual(["failed"]);
    expect((await store().outbox.pending("g"))[0]?.lastError).toContain("rejected by Karmada");
    runner.close();
    await owner.stop();
  });

  it("a stale owner cannot mark the graph failed", async () => {
    const { row, owner, runner } = await setup(store(), new SmoError("rejected by Karmada"));
    await stealLease(store());
    expect(owner.owns("shop")).toBe(true); // its belief, until its next renewal
    await runner.drain("g"); // stops: the new owner applies the row
    expect((await store().graphs.get("g"))?.status).toBe("running");
    expect(await store().events.listAfter("g", 0)).toEqual([]);
    expect(await store().outbox.pending("g")).toEqual([{ ...row, lastError: null }]);
    expect(owner.owns("shop")).toBe(false);
    runner.close();
    await owner.stop();
  });

  it("a stale owner notes no retry and schedules none", async () => {
    const { row, owner, runner } = await setup(store(), new UnavailableError("Karmada unreachable"));
    await stealLease(store());
    await runner.drain("g");
    expect((await store().graphs.get("g"))?.message).toBeNull();
    expect(await store().outbox.pending("g")).toEqual([{ ...row, lastError: null }]);
    expect(runner.scheduled).toEqual([]);
    runner.close();
    await owner.stop();
  });
});
