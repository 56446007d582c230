// Retention: events and decisions older than the cut-off are deleted in bounded batches, newer ones stay.
import { expect, it } from "vitest";
import { silentLogger } from "../../src/observability/logger.js";
import { pruneHistory } from "../../src/cli/serve-app.js";
import { describeBackends, storeBackends } from "./backends.js";
import { newDecision, newGraph } from "./fixtures.js";

const backends = await storeBackends();

describeBackends("retention", backends, ({ store }) => {
  it("pruneBefore deletes at most `limit` old rows per call, oldest first, and keeps recent ones", async () => {
    await store().graphs.create(newGraph("g"));
    const old = new Date("2020-01-01T00:00:00Z");
    for (let i = 0; i < 5; i++) await store().events.append({ graph: "g", type: "scaled", service: "web", message: `old ${i}`, details: {}, occurredAt: old });
    await store().events.append({ graph: "g", type: "scaled", service: "web", message: "new", details: {} });
    for (let i = 0; i < 3; i++) await store().decisions.add(newDecision("g", "web", { decidedAt: old, observedAt: old, receivedAt: old }));
    await store().decisions.add(newDecision("g", "web"));
    const cut = new Date("2021-01-01T00:00:00Z");
    expect(await store().events.pruneBefore(cut, 2)).toBe(2);
    expect(await store().events.pruneBefore(cut, 10)).toBe(3);
    expect(await store().events.pruneBefore(cut, 10)).toBe(0);
    expect((await store().events.listAfter("g", 0)).map((e) => e.message)).toEqual(["new"]);
    expect(await store().decisions.pruneBefore(cut, 10)).toBe(3);
    expect(await store().decisions.listAfter(0)).toHaveLength(1);
  });

  it("pruneBeyond keeps each graph's newest rows, deleting at most `limit` per call, oldest first", async () => {
    await store().graphs.create(newGraph("busy"));
    await store().graphs.create(newGraph("quiet"));
    for (let i = 0; i < 6; i++) await store().events.append({ graph: "busy", type: "scaled", service: "web", message: `busy ${i}`, details: {} });
    for (let i = 0; i < 2; i++) await store().events.append({ graph: "quiet", type: "scaled", service: "web", message: `quiet ${i}`, details: {} });
    for (let i = 0; i < 5; i++) await store().decisions.add(newDecision("busy", "web"));
    await store().decisions.add(newDecision("quiet", "web"));
    expect(await store().events.pruneBeyond(3, 2)).toBe(2);
    expect((await store().events.listAfter("busy", 0)).map((e) => e.message)).toEqual(["busy 2", "busy 3", "busy 4", "busy 5"]);
    expect(await store().events.pruneBeyond(3, 10)).toBe(1);
    expect(await store().events.pruneBeyond(3, 10)).toBe(0);
    expect((await store().events.listAfter("busy", 0)).map((e) => e.message)).toEqual(["busy 3", "busy 4", "busy 5"]);
    expect((await store().events.listAfter("quiet", 0)).map((e) => e.message)).toEqual(["quiet 0", "quiet 1"]);
    expect(await store().decisions.pruneBeyond(2, 10)).toBe(3);
    const left = await store().decisions.listAfter(0);
    expect(left.filter((d) => d.graph === "busy")).toHaveLength(2);
    expect(left.filter((d) => d.graph === "quiet")).toHaveLength(1);
  });

  it("pruneHistory stops cleanly", () => {
    const stop = pruneHistory(store(), 7 * 86_400_000, silentLogger());
    stop();
  });
});
