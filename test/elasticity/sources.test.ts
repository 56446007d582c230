// Many reporters for one service: the rate is the sum over sources of each one's latest fresh sample; a source
// that stops reporting stops counting; decisions say which sources they used. Real parts (simulated Karmada,
// PGlite, solver) with short freshness bounds so expiry happens within the test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { expireSources, freshnessMs, recordSample, totalRate, type Sources } from "../../src/core/elasticity/sources.js";
import { eventually, sleep, startHarness, type Harness } from "./harness.js";

const cfg = { sourceFreshnessIntervals: 3, sourceFreshnessMinMs: 300, sourceFreshnessMaxMs: 1500 };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ sim: { config: { clusters: [{ name: "member1", cpu: 32 }] }, podStartMs: 20 }, config: { ...cfg, stabilizationMs: 300 } });
});

afterAll(async () => {
  await h?.close();
});

const decisionsOf = (graph: string) => h.store.decisions.listAfter(0, { graph });

describe("load sources (pure)", () => {
  it("sums each source's latest sample, estimates each one's interval, and drops the stale", () => {
    const m: Sources = new Map();
    recordSample(m, "a", "a", 20, 0, 0);
    recordSample(m, "b", "b", 30, 0, 0);
    expect(totalRate(m)).toBe(50);
    // A source's second sample replaces its first; an older one is ignored.
    recordSample(m, "a", "a", 25, 100, 100);
    expect(recordSample(m, "a", "a", 99, 50, 120)).toBe(false);
    expect(totalRate(m)).toBe(55);
    // a's gaps of 100 and 200 ms smooth to 150 ms: fresh for 450 ms. b (one sample) gets the upper bound.
    recordSample(m, "a", "a", 25, 300, 300);
    expect(freshnessMs(m.get("a")!, cfg)).toBe(450);
    expect(freshnessMs(m.get("b")!, cfg)).toBe(1500);
    expect(expireSources(m, 600, cfg)).toBe(false);
    expect(expireSources(m, 1000, cfg)).toBe(true);
    expect([...m.keys()]).toEqual(["b"]);
    expect(expireSources(m, 1600, cfg)).toBe(true);
    expect(m.size).toBe(0);
    // The unnamed slot never expires (the original meaning: the latest sample holds).
    recordSample(m, "", "", 7, 0, 0);
    expireSources(m, 10_000, cfg);
    expect([...m.keys()]).toEqual([""]);
  });
});

describe("load sources (controller)", () => {
  it("two sources reporting 20 and 30 req/s: the decision serves 50 and names both", async () => {
    await h.seedGraph({ name: "two", project: "p-two", services: [{ name: "web", cluster: "member1" }] });
    await h.controller.report([{ graph: "two", service: "web", requestsPerSecond: 20, source: "host-a" }]);
    await h.controller.report([{ graph: "two", service: "web", requestsPerSecond: 30, source: "host-b" }]);
    await h.controller.settled();

    const last = (await decisionsOf("two")).at(-1)!;
    // 50 req/s at 10 per replica with the 10 % headroom the stabiliser keeps: 6.
    expect(last).toMatchObject({ replicas: 6, requestsPerSecond: 50, partial: false });
    expect(last.sources).toEqual(
      expect.arrayContaining([
        { source: "host-a", requestsPerSecond: 20 },
        { source: "host-b", requestsPerSecond: 30 },
      ]),
    );
    expect((await h.replicas("p-two", "web"))?.desired).toBe(6);
  });

  it("a sample arriving while a decision is applied belongs to the next one: each record states the load it was decided on", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let first = true;
    const g = await startHarness({
      sim: { config: { clusters: [{ name: "member1", cpu: 32 }] }, podStartMs: 20 },
      config: { ...cfg, stabilizationMs: 300 },
      // The first scale call waits until host-b's sample has been taken in.
      beforeScale: async () => {
        if (!first) return;
        first = false;
        await held;
      },
    });
    try {
      await g.seedGraph({ name: "mid", project: "p-mid", services: [{ name: "web", cluster: "member1" }] });
      await g.controller.report([{ graph: "mid", service: "web", requestsPerSecond: 20, source: "host-a" }]);
      await eventually(() => g.scaleCalls.length, (n) => n === 1, "the first scale call");
      await g.controller.report([{ graph: "mid", service: "web", requestsPerSecond: 30, source: "host-b" }]);
      release();
      await g.controller.settled();
      const list = await g.store.decisions.listAfter(0, { graph: "mid" });
      expect(list.map((d) => [d.requestsPerSecond, d.replicas, (d.sources ?? []).map((x) => x.source).sort()])).toEqual([
        [20, 3, ["host-a"]],
        [50, 6, ["host-a", "host-b"]],
      ]);
      expect(list[0]!.reason).toContain("rate 20 req/s");
    } finally {
      await g.close();
    }
  });

  it("a source that stops reporting expires and the service scales down to what the rest report", async () => {
    await h.seedGraph({ name: "stale", project: "p-stale", services: [{ name: "web", cluster: "member1" }] });
    await h.controller.report([
      { graph: "stale", service: "web", requestsPerSecond: 20, source: "host-a" },
      { graph: "stale", service: "web", requestsPerSecond: 30, source: "host-b" },
    ]);
    await h.controller.settled();
    expect((await h.replicas("p-stale", "web"))?.desired).toBe(6);

    // host-a keeps reporting every 50 ms; host-b is silent. Once b is stale (≤ 1.5 s) and the stabilisation
    // window has passed, 20 req/s with 10 % headroom needs 3 replicas.
    let reporting = true;
    const reporter = (async () => {
      while (reporting) {
        await h.controller.report([{ graph: "stale", service: "web", requestsPerSecond: 20, source: "host-a" }]);
        await sleep(50);
      }
    })();
    try {
      await eventually(() => h.replicas("p-stale", "web"), (r) => r?.desired === 3, "the scale-down after host-b went stale");
    } finally {
      reporting = false;
      await reporter;
    }
    await h.controller.settled();
    const last = (await decisionsOf("stale")).at(-1)!;
    expect(last).toMatchObject({ previousReplicas: 6, replicas: 3, requestsPerSecond: 20 });
    expect(last.sources).toEqual([{ source: "host-a", requestsPerSecond: 20 }]);
  });

  it("Prometheus is one source; unnamed samples keep replacing each other", async () => {
    await h.seedGraph({ name: "prom", project: "p-prom", services: [{ name: "web", cluster: "member1" }] });
    await h.controller.report([{ graph: "prom", service: "web", requestsPerSecond: 42 }], "prometheus");
    await h.controller.settled();
    expect((await decisionsOf("prom")).at(-1)).toMatchObject({ replicas: 5, sources: [{ source: "prometheus", requestsPerSecond: 42 }] });

    await h.seedGraph({ name: "plain", project: "p-plain", services: [{ name: "web", cluster: "member1" }] });
    await h.controller.report([{ graph: "plain", service: "web", requestsPerSecond: 35 }]);
    await h.controller.report([{ graph: "plain", service: "web", requestsPerSecond: 45 }]);
    await h.controller.settled();
    // Not 80: without a source the latest sample replaces the previous one.
    expect((await h.replicas("p-plain", "web"))?.desired).toBe(5);
    expect((await decisionsOf("plain")).at(-1)!.sources).toEqual([{ source: "", requestsPerSecond: 45 }]);
  });

  it("refuses a source name with control characters or over 128 characters, with its field path", async () => {
    for (const source of ["a\nb", "x".repeat(129)]) {
      const err = await h.controller.report([{ graph: "two", service: "web", requestsPerSecond: 1, source }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).violations).toEqual([{ field: "samples[0].source", description: expect.any(String) }]);
    }
  });
});
