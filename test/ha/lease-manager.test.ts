// The lease manager on both store backends: rendezvous spread over live members, hand-over when a member joins
// or leaves, loss on a refused renewal, a stalled process (its monotonic clock jumped past the lease) acts on
// nothing and fencing refuses it, and a graceful stop hands everything over at once.
import pino from "pino";
import { expect, it, vi } from "vitest";
import { earliestExpiry, LeaseManager } from "../../src/core/ha/lease-manager.js";
import { ownerOf, planLeases } from "../../src/core/ha/rendezvous.js";
import { NotOwnerError } from "../../src/core/ports/ownership.js";
import type { Store } from "../../src/core/ports/store.js";
import { describeBackends, storeBackends } from "../store/backends.js";
import { newGraph } from "../store/fixtures.js";

const backends = await storeBackends();
const logger = pino({ level: "silent" });

it("rendezvous: every member computes the same owner; a new member takes only a share", () => {
  const projects = Array.from({ length: 300 }, (_, i) => `project-${i}`);
  const three = ["a", "b", "c"];
  const before = new Map(projects.map((p) => [p, ownerOf(p, three)]));
  const counts = new Map<string, number>();
  for (const o of before.values()) counts.set(o!, (counts.get(o!) ?? 0) + 1);
  for (const m of three) expect(counts.get(m)).toBeGreaterThan(60); // roughly a third each
  const after = new Map(projects.map((p) => [p, ownerOf(p, [...three, "d"])]));
  for (const p of projects) if (after.get(p) !== before.get(p)) expect(after.get(p)).toBe("d");
  expect(ownerOf("x", [])).toBeUndefined();
  const plan = planLeases("a", three, projects, new Set(["gone", ...projects.filter((p) => before.get(p) === "b")]));
  expect(plan.acquire.every((p) => before.get(p) === "a")).toBe(true);
  expect(plan.release).toContain("gone");
  expect(plan.release.filter((p) => p !== "gone").every((p) => before.get(p) === "b")).toBe(true);
});

/** A manager with a hand-driven monotonic clock (ticks are called explicitly; no timers needed). */
function manager(store: Store, id: string, clock: { now: number }, events: string[] = []) {
  return new LeaseManager({
    leases: store.leases,
    self: { id, address: `${id}:50051` },
    durationMs: 3_000,
    renewMs: 1_000,
    logger,
    monotonic: () => clock.now,
    listener: { acquired: (p, t) => events.push(`${id} +${p}#${t}`), lost: (p) => events.push(`${id} -${p}`) },
  });
}

async function graphIn(store: Store, project: string, name: string): Promise<void> {
  await store.graphs.create(newGraph(name, { project }));
}

describeBackends("lease manager", backends, ({ store }) => {
  it("spreads projects over the members, hands over on join and on graceful stop, fences the old holder", async () => {
    const projects = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];
    for (const p of projects) await graphIn(store(), p, `g-${p}`);
    const clock = { now: 0 };
    const events: string[] = [];
    const a = manager(store(), "member-a", clock, events);
    await a.start();
    expect(a.owned()).toEqual([...projects].sort()); // alone: everything
    const b = manager(store(), "member-b", clock, events);
    await b.start(); // sees a, takes nothing a still holds
    await a.tick(); // a sees b: hands b its share
    await b.tick();
    const shareB = projects.filter((p) => ownerOf(p, ["member-a", "member-b"]) === "member-b");
    expect(shareB.length).toBeGreaterThan(0);
    expect(b.owned()).toEqual([...shareB].sort());
    expect(a.owned()).toEqual(projects.filter((p) => !shareB.includes(p)).sort());
    for (const p of projects) expect(a.owns(p) !== b.owns(p)).toBe(true); // exactly one owner each
    await a.tick(); // a's view of the other holders is as of its last round
    expect(a.ownerOf(shareB[0]!)).toEqual({ holder: "member-b", address: "member-b:50051" });
    const members = await a.members();
    expect(members.map((m) => [m.id, m.projects, m.self])).toEqual([
      ["member-a", projects.length - shareB.length, true],
      ["member-b", shareB.length, false],
    ]);

    // b stops gracefully: a takes everything back at its next round, with higher tokens.
    await b.stop();
    expect(b.owned()).toEqual([]);
    await a.tick();
    expect(a.owned()).toEqual([...projects].sort());
    expect(events.filter((e) => e.startsWith(`member-a +${shareB[0]}#`)).length).toBe(2);
    await a.stop();
  });

  it("a stalled process acts on nothing once its lease lapsed, and fencing refuses its old token", async () => {
    await graphIn(store(), "shop", "g-shop");
    const clockA = { now: 0 };
    const events: string[] = [];
    const a = manager(store(), "member-a", clockA, events);
    await a.start();
    expect(a.owns("shop")).toBe(true);
    await a.fence("shop");
    // a stalls for 10 s (SIGSTOP): its monotonic clock moves on, the database expires the lease meanwhile.
    clockA.now += 10_000;
    expect(a.owns("shop")).toBe(false);
    await expect(a.fence("shop")).rejects.toBeInstanceOf(NotOwnerError);
    expect(events).toContain("member-a -shop");
    await a.stop();
  });

  it("fencing checks the database: a lease taken over meanwhile is refused even before the local clock says so", async () => {
    await graphIn(store(), "shop", "g-shop");
    const clock = { now: 0 };
    const a = manager(store(), "member-a", clock);
    await a.start();
    // Someone else takes the project (as after an expiry a's clock did not notice): the token moves on.
    await store().leases.release("member-a", ["shop"]);
    expect((await store().leases.acquire("shop", "member-b", 3_000))?.token).toBe(2);
    expect(a.owns("shop")).toBe(true); // a's belief, until its next renewal
    await expect(store().transaction((tx) => a.fence("shop", tx.leases))).rejects.toBeInstanceOf(NotOwnerError);
    expect(a.owns("shop")).toBe(false);
    await a.tick();
    expect(a.owned()).toEqual([]);
    await a.stop();
  });
});

it("the next round runs right after the earliest expiry of another member's heartbeat or lease", () => {
  const db = Date.parse("2026-01-01T00:00:00Z");
  const at = (ms: number) => new Date(db + ms);
  const member = (id: string, heartbeat: number) => ({ id, address: `${id}:1`, startedAt: at(-60_000), heartbeatAt: at(heartbeat) });
  const lease = (project: string, holder: string, expires: number) => ({ project, holder, token: 1, renewedAt: at(expires - 5_000), expiresAt: at(expires) });
  const clocks = { db, local: 1_000 };
  // b died 4.7 s ago: its heartbeat is stale at +300 ms, its lease expires at +400 ms; a's own rows do not count.
  const members = [member("a", 0), member("b", -4_700)];
  const leases = [lease("p1", "b", 400), lease("p2", "a", 100), lease("p3", "c", -50)];
  expect(earliestExpiry("a", members, leases, 5_000, clocks)).toBe(1_300);
  expect(earliestExpiry("a", [member("a", 0)], [lease("p1", "b", 400)], 5_000, clocks)).toBe(1_400);
  // Only past expiries (or none): no early round.
  expect(earliestExpiry("a", [member("a", 0)], [lease("p3", "c", -50)], 5_000, clocks)).toBeUndefined();
});

// PostgreSQL only: PGlite's clock_timestamp() is this process's own wall clock (and PGlite is single-process).
describeBackends("wall clock jumps", backends.filter((b) => b.name === "postgres"), ({ store }) => {
  it("change nothing: belief runs on the monotonic clock, expiry on the database's", async () => {
    await graphIn(store(), "shop", "g-shop");
    // The default clock (performance.now), a long lease so a loaded box never lapses it during the test.
    const a = new LeaseManager({ leases: store().leases, self: { id: "member-a", address: "a:1" }, durationMs: 60_000, renewMs: 1_000, logger });
    await a.start();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 3_600_000); // an hour ahead: nothing expired
      expect(a.owns("shop")).toBe(true);
      await a.fence("shop");
      vi.setSystemTime(Date.now() - 7_200_000); // two hours back: nothing extended either
      await a.tick();
      expect(a.owned()).toEqual(["shop"]);
      await a.fence("shop");
    } finally {
      vi.useRealTimers();
    }
    await a.stop();
  });
});

describeBackends("members gone silent", backends, ({ store }) => {
  it("their rows are deleted after the grace period; live members stay", async () => {
    await store().leases.heartbeat({ id: "dead", address: "dead:1" });
    await new Promise((r) => setTimeout(r, 300));
    const clock = { now: 0 };
    const a = new LeaseManager({ leases: store().leases, self: { id: "member-a", address: "a:1" }, durationMs: 3_000, renewMs: 1_000, logger, monotonic: () => clock.now, memberGraceMs: 200 });
    await a.start();
    const ids = async () => (await store().leases.members(3_600_000)).map((m) => m.id);
    expect(await ids()).toEqual(["member-a"]);
    expect((await a.members()).map((m) => m.id)).toEqual(["member-a"]);
    await a.stop();
  });
});
