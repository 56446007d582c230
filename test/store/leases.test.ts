// Members and per-project leases on both backends: one holder at a time, token monotonic per project, expiry
// and renewal on the database clock, and check() fencing writes inside a transaction.
import { expect, it } from "vitest";
import { describeBackends, storeBackends } from "./backends.js";

const backends = await storeBackends();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeBackends("leases", backends, ({ store }) => {
  it("a free project goes to the first member; another member cannot take it while it is held", async () => {
    const a = await store().leases.acquire("shop", "member-a", 5_000);
    expect(a).toMatchObject({ project: "shop", holder: "member-a", token: 1 });
    expect(a!.expiresAt.getTime()).toBeGreaterThan(a!.renewedAt.getTime());
    expect(await store().leases.acquire("shop", "member-b", 5_000)).toBeUndefined();
    // The holder acquiring again is a renewal: same token.
    expect((await store().leases.acquire("shop", "member-a", 5_000))?.token).toBe(1);
    expect(await store().leases.list()).toMatchObject([{ project: "shop", holder: "member-a", token: 1 }]);
  });

  it("an expired lease passes to another member with the next token, and the old token fails check and renew", async () => {
    await store().leases.acquire("shop", "member-a", 50);
    await sleep(120);
    const b = await store().leases.acquire("shop", "member-b", 5_000);
    expect(b).toMatchObject({ holder: "member-b", token: 2 });
    expect(await store().leases.check("shop", "member-a", 1)).toBe(false);
    expect(await store().leases.check("shop", "member-b", 2)).toBe(true);
    expect(await store().leases.renew("member-a", [{ project: "shop", token: 1 }], 5_000)).toEqual([]);
  });

  it("renew extends only unexpired leases held with the given token", async () => {
    await store().leases.acquire("p1", "member-a", 5_000);
    await store().leases.acquire("p2", "member-a", 50);
    await store().leases.acquire("p3", "member-b", 5_000);
    await sleep(120);
    const renewed = await store().leases.renew(
      "member-a",
      [
        { project: "p1", token: 1 },
        { project: "p2", token: 1 },
        { project: "p3", token: 1 },
      ],
      5_000,
    );
    expect(renewed.map((l) => l.project)).toEqual(["p1"]);
    // p2 expired: its holder must acquire it again, which bumps the token (its old term is fenced off).
    expect(await store().leases.acquire("p2", "member-a", 5_000)).toMatchObject({ holder: "member-a", token: 2 });
  });

  it("release expires the lease at once; the next holder gets the next token", async () => {
    await store().leases.acquire("shop", "member-a", 60_000);
    await store().leases.release("member-a", ["shop"]);
    expect(await store().leases.check("shop", "member-a", 1)).toBe(false);
    expect(await store().leases.acquire("shop", "member-b", 5_000)).toMatchObject({ holder: "member-b", token: 2 });
    // Releasing a lease one does not hold changes nothing.
    await store().leases.release("member-a", ["shop"]);
    expect(await store().leases.check("shop", "member-b", 2)).toBe(true);
  });

  it("check inside a transaction fences the transaction's writes", async () => {
    const lease = (await store().leases.acquire("shop", "member-a", 5_000))!;
    const held = await store().transaction(async (tx) => tx.leases.check("shop", "member-a", lease.token));
    expect(held).toBe(true);
    expect(await store().transaction(async (tx) => tx.leases.check("shop", "member-a", lease.token + 1))).toBe(false);
  });

  it("members heartbeat, list by liveness and can be removed", async () => {
    const first = await store().leases.heartbeat({ id: "member-a", address: "10.0.0.1:50051" });
    await store().leases.heartbeat({ id: "member-b", address: "10.0.0.2:50051" });
    await sleep(20);
    const again = await store().leases.heartbeat({ id: "member-a", address: "10.0.0.9:50051" });
    expect(again.startedAt).toEqual(first.startedAt);
    expect(again.heartbeatAt.getTime()).toBeGreaterThan(first.heartbeatAt.getTime());
    expect((await store().leases.members(60_000)).map((m) => [m.id, m.address])).toEqual([
      ["member-a", "10.0.0.9:50051"],
      ["member-b", "10.0.0.2:50051"],
    ]);
    await sleep(120);
    await store().leases.heartbeat({ id: "member-b", address: "10.0.0.2:50051" });
    expect((await store().leases.members(100)).map((m) => m.id)).toEqual(["member-b"]);
    await store().leases.removeMember("member-b");
    expect((await store().leases.members(60_000)).map((m) => m.id)).toEqual(["member-a"]);
  });
});
