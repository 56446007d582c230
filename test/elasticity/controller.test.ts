// The elasticity controller against real parts: simulated Karmada (pods start after 50 ms), the client-node
// adapter, PGlite, the solver. Each test uses its own project and graph on a shared federation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError } from "../../src/core/errors.js";
import type { DecisionRecord } from "../../src/core/ports/store.js";
import { eventually, sleep, startHarness, type Harness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  // member1 is small (4 cores) for the infeasible case; the other tests run on member2.
  h = await startHarness({ sim: { config: { clusters: [{ name: "member1", cpu: 4 }, { name: "member2", cpu: 32 }] }, podStartMs: 50 } });
});

afterAll(async () => {
  await h?.close();
});

async function decisionsOf(graph: string): Promise<DecisionRecord[]> {
  return h.store.decisions.listAfter(0, { graph });
}

function callsFor(namespace: string, deployment?: string) {
  return h.scaleCalls.filter((c) => c.namespace === namespace && (!deployment || c.deployment === deployment));
}

describe("elasticity controller (simulated Karmada, PGlite, solver)", () => {
  it("scales up at once on a violating sample, with one scale call per changed service and full stage times", async () => {
    await h.seedGraph({ name: "up", project: "p-up", services: [{ name: "web", cluster: "member2" }, { name: "api", cluster: "member2" }] });
    // api's load fits its one replica: no decision for it.
    await h.controller.report([{ graph: "up", service: "api", requestsPerSecond: 5 }]);
    const before = Date.now();
    await h.controller.report([{ graph: "up", service: "web", requestsPerSecond: 35, observedAt: new Date(before - 20) }]);
    await h.controller.settled();

    expect(callsFor("p-up")).toEqual([{ namespace: "p-up", deployment: "web", replicas: 4 }]);
    const status = await h.replicas("p-up", "web");
    expect(status?.desired).toBe(4);
    expect((await h.store.services.get("up", "web"))?.desiredReplicas).toBe(4);
    // The graph's audit trail says so, and WatchGraph readers were told.
    const events = (await h.store.events.listAfter("up", 0)).filter((e) => e.type === "scaled");
    expect(events).toEqual([expect.objectContaining({ service: "web", message: expect.stringMatching(/^web 1 → 4 replicas \(rate 35 req\/s/) })]);
    expect(events[0]!.details).toMatchObject({ previous: 1, replicas: 4, trigger: "push" });
    expect(h.events.filter((e) => e.graph === "up").map((e) => e.id)).toEqual([events[0]!.id]);

    const [d, ...rest] = await decisionsOf("up");
    expect(rest).toHaveLength(0);
    expect(d).toMatchObject({ service: "web", cluster: "member2", previousReplicas: 1, replicas: 4, trigger: "push", status: "optimal" });
    expect(d!.requestsPerSecond).toBe(35);
    expect(d!.observedAt.getTime()).toBe(before - 20);
    expect(d!.receivedAt.getTime()).toBeGreaterThanOrEqual(d!.observedAt.getTime());
    expect(d!.decidedAt.getTime()).toBeGreaterThanOrEqual(d!.receivedAt.getTime());
    expect(d!.actuatedAt!.getTime()).toBeGreaterThanOrEqual(d!.decidedAt.getTime());

    // Ready once the four pods are available on the member.
    await h.waitAvailable("p-up", "web", 4);
    const ready = await eventually(async () => (await decisionsOf("up"))[0]!, (r) => r.readyAt !== null, "the ready time");
    expect(ready.readyAt!.getTime()).toBeGreaterThanOrEqual(ready.actuatedAt!.getTime());
  });

  it("rejects unknown graphs and services with NotFoundError and bad rates with field paths, applying nothing", async () => {
    await h.seedGraph({ name: "val", project: "p-val", services: [{ name: "web", cluster: "member2" }] });
    await expect(h.controller.report([{ graph: "nope", service: "web", requestsPerSecond: 1 }])).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.controller.report([{ graph: "val", service: "nope", requestsPerSecond: 1 }])).rejects.toThrow(/service "nope" not found/);

    const bad = (rate: number) =>
      h.controller.report([
        { graph: "val", service: "web", requestsPerSecond: 80 },
        { graph: "val", service: "web", requestsPerSecond: rate },
      ]);
    for (const rate of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = await bad(rate).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).violations).toEqual([{ field: "samples[1].requests_per_second", description: expect.stringContaining("≥ 0") }]);
    }
    const missing = await h.controller.report([{ graph: "", service: "web", requestsPerSecond: 1 }]).catch((e: unknown) => e);
    expect((missing as InvalidArgumentError).violations[0]!.field).toBe("samples[0].graph");
    // A batch with an unknown service is refused whole: its valid, violating sample was not applied either.
    await expect(
      h.controller.report([
        { graph: "val", service: "web", requestsPerSecond: 80 },
        { graph: "val", service: "ghost", requestsPerSecond: 1 },
      ]),
    ).rejects.toBeInstanceOf(NotFoundError);
    await h.controller.settled();
    expect(callsFor("p-val")).toEqual([]);
    expect(await decisionsOf("val")).toEqual([]);
  });

  it("coalesces a burst: at most one decision in flight per service and far fewer scale calls than samples", async () => {
    await h.seedGraph({ name: "burst", project: "p-burst", services: [{ name: "web", cluster: "member2", scaling: { maxReplicas: 30 } }] });
    const rates = Array.from({ length: 40 }, (_, i) => 20 + 5 * i); // 20 … 215 req/s
    await Promise.all(rates.map((r) => h.controller.report([{ graph: "burst", service: "web", requestsPerSecond: r }])));
    await h.controller.settled();

    const calls = callsFor("p-burst", "web");
    expect(calls.length).toBeGreaterThanOrEqual(1);
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(h.maxConcurrentSolves()).toBe(1);
    // The last decision serves the last rate (215 req/s at 10 per replica, with 10 % headroom: 24).
    expect(calls.at(-1)!.replicas).toBe(24);
    expect((await h.replicas("p-burst", "web"))?.desired).toBe(24);
  });

  it("waits for the stabilisation window before scaling down, and hysteresis keeps a hovering rate from flapping", async () => {
    await h.seedGraph({ name: "down", project: "p-down", services: [{ name: "web", cluster: "member2" }] });
    await h.controller.report([{ graph: "down", service: "web", requestsPerSecond: 35 }]);
    await h.controller.settled();
    expect((await h.replicas("p-down", "web"))?.desired).toBe(4);

    // A rate hovering around the 3-replica step (29–31 req/s) for longer than the window: stays at 4.
    for (const r of [29, 31, 29, 31, 29, 31]) {
      await h.controller.report([{ graph: "down", service: "web", requestsPerSecond: r }]);
      await sleep(100);
    }
    await h.controller.settled();
    expect(callsFor("p-down", "web").map((c) => c.replicas)).toEqual([4]);

    // A real drop: not at once, but once the window (300 ms) has passed.
    const dropAt = Date.now();
    await h.controller.report([{ graph: "down", service: "web", requestsPerSecond: 5 }]);
    await h.controller.settled();
    expect(callsFor("p-down", "web").map((c) => c.replicas)).toEqual([4]);
    await eventually(() => callsFor("p-down", "web").length, (n) => n === 2, "the scale-down");
    await h.controller.settled();
    expect(callsFor("p-down", "web").map((c) => c.replicas)).toEqual([4, 1]);
    const last = (await decisionsOf("down")).at(-1)!;
    expect(last).toMatchObject({ previousReplicas: 4, replicas: 1, trigger: "stabilization" });
    expect(last.decidedAt.getTime() - dropAt).toBeGreaterThanOrEqual(300);
  });

  it("keeps the replicas through a short dip inside the window", async () => {
    await h.seedGraph({ name: "dip", project: "p-dip", services: [{ name: "web", cluster: "member2" }] });
    await h.controller.report([{ graph: "dip", service: "web", requestsPerSecond: 55 }]);
    await h.controller.settled();
    await h.controller.report([{ graph: "dip", service: "web", requestsPerSecond: 5 }]);
    await sleep(100);
    await h.controller.report([{ graph: "dip", service: "web", requestsPerSecond: 55 }]);
    await sleep(500);
    await h.controller.settled();
    expect(callsFor("p-dip", "web").map((c) => c.replicas)).toEqual([7]);
  });

  it("gives pushed samples precedence over Prometheus samples for the same service", async () => {
    await h.seedGraph({ name: "mixed", project: "p-mixed", services: [{ name: "web", cluster: "member2" }] });
    await h.controller.report([{ graph: "mixed", service: "web", requestsPerSecond: 55 }], "push");
    await h.controller.settled();
    // A lagging Prometheus rate for a service that Hop3 pushes is ignored, even past the window.
    await h.controller.report([{ graph: "mixed", service: "web", requestsPerSecond: 5 }], "prometheus");
    await sleep(500);
    await h.controller.settled();
    expect(callsFor("p-mixed", "web").map((c) => c.replicas)).toEqual([7]);
    // A service nobody pushes for follows Prometheus.
    await h.seedGraph({ name: "pulled-only", project: "p-pulled", services: [{ name: "web", cluster: "member2" }] });
    await h.controller.report([{ graph: "pulled-only", service: "web", requestsPerSecond: 55 }], "prometheus");
    await h.controller.settled();
    expect(callsFor("p-pulled", "web").map((c) => c.replicas)).toEqual([7]);
    expect((await decisionsOf("pulled-only"))[0]!.trigger).toBe("prometheus");
  });

  it("scales at once to what fits when the cluster cannot hold the replicas, then asks for a re-placement, once per back-off", async () => {
    await h.seedGraph({ name: "full", project: "p-full", services: [{ name: "big", cluster: "member1", cpu: 1 }] });
    // 95 req/s needs 10 replicas of 1 core; member1 has 4 cores: 4 now (partial), a re-placement for the rest.
    await h.controller.report([{ graph: "full", service: "big", requestsPerSecond: 95 }]);
    await h.controller.settled();
    await h.controller.report([{ graph: "full", service: "big", requestsPerSecond: 96 }]);
    await h.controller.settled();

    expect(h.replaced).toEqual([{ graph: "full", service: "big", reason: expect.stringMatching(/cluster CPU/) }]);
    expect(callsFor("p-full"), JSON.stringify(await decisionsOf("full"))).toEqual([{ namespace: "p-full", deployment: "big", replicas: 4 }]);
    const [d, ...rest] = await decisionsOf("full");
    expect(rest).toHaveLength(0);
    expect(d).toMatchObject({ status: "feasible", partial: true, previousReplicas: 1, replicas: 4 });
    expect(d!.actuatedAt).not.toBeNull();
    expect(d!.reason).toMatch(/partial: 4 of 10 replicas fit/);
  });

  it("records an infeasible decision and asks for a re-placement when not one more replica fits", async () => {
    // 17 cores a replica on member2 (32 cores): one runs, two never fit.
    await h.seedGraph({ name: "none", project: "p-none", services: [{ name: "huge", cluster: "member2", cpu: 17 }] });
    await h.controller.report([{ graph: "none", service: "huge", requestsPerSecond: 25 }]);
    await h.controller.settled();
    expect(callsFor("p-none")).toEqual([]);
    expect(h.replaced.filter((r) => r.graph === "none")).toHaveLength(1);
    expect(await decisionsOf("none")).toEqual([expect.objectContaining({ status: "infeasible", partial: false, replicas: 1, actuatedAt: null })]);
    // Give member2's cores back to the tests after this one.
    await h.store.graphs.update("none", { status: "stopped" });
    await h.controller.refreshGraph("none");
    await h.client.scale("p-none", "huge", 0);
    await eventually(() => h.capacity.cpuFree("member2"), (free) => (free ?? 0) >= 17, "member2's cores to be free again");
  });

  it("caps a rate beyond what max replicas serve at max instead of asking for a re-placement", async () => {
    await h.seedGraph({ name: "cap", project: "p-cap", services: [{ name: "web", cluster: "member2", scaling: { maxReplicas: 3 } }] });
    await h.controller.report([{ graph: "cap", service: "web", requestsPerSecond: 500 }]);
    await h.controller.settled();
    expect(callsFor("p-cap", "web").map((c) => c.replicas)).toEqual([3]);
    expect((await decisionsOf("cap"))[0]!.reason).toMatch(/capped at max/);
    // At max, further samples decide nothing.
    await h.controller.report([{ graph: "cap", service: "web", requestsPerSecond: 600 }]);
    await h.controller.settled();
    expect(callsFor("p-cap", "web")).toHaveLength(1);
    expect(h.replaced.filter((r) => r.graph === "cap")).toEqual([]);
  });

  it("reconcile restores the decided count after someone scaled behind smo's back", async () => {
    await h.seedGraph({ name: "drift", project: "p-drift", services: [{ name: "web", cluster: "member2" }] });
    await h.controller.report([{ graph: "drift", service: "web", requestsPerSecond: 25 }]);
    await h.controller.settled();
    expect((await h.replicas("p-drift", "web"))?.desired).toBe(3);

    await h.client.scale("p-drift", "web", 7); // by hand, through the adapter, not through smo
    // The pass reads the statuses the Deployment watch keeps: it acts once the watch has seen the change.
    await eventually(
      async () => {
        await h.controller.reconcile();
        return h.replicas("p-drift", "web");
      },
      (s) => s?.desired === 3,
      "the reconcile to restore 3 replicas",
    );
    const repairs = (await decisionsOf("drift")).filter((d) => d.trigger === "reconcile");
    expect(repairs).toHaveLength(1);
    const last = repairs[0]!;
    expect(last).toMatchObject({ trigger: "reconcile", previousReplicas: 7, replicas: 3 });
    expect(last.reason).toMatch(/drift/);

    // Nothing drifted: a second pass changes nothing.
    const count = h.scaleCalls.length;
    await eventually(() => h.replicas("p-drift", "web"), (s) => s?.desired === 3, "desired 3");
    await h.controller.reconcile();
    expect(h.scaleCalls.length).toBe(count);
  });

  it("forgets the Deployment statuses of a graph it no longer manages (no growth over created and deleted graphs)", async () => {
    await h.seedGraph({ name: "gone", project: "p-gone", services: [{ name: "web", cluster: "member2" }] });
    await h.controller.report([{ graph: "gone", service: "web", requestsPerSecond: 25 }]);
    await h.controller.settled();
    const readiness = (h.controller as unknown as { readiness: { status(key: string): unknown } }).readiness;
    await eventually(() => readiness.status("p-gone/web"), (s) => s !== undefined, "the watch to report web's status");

    await h.store.graphs.update("gone", { status: "stopped" });
    await h.controller.refreshGraph("gone");
    expect(h.controller.managedGraphs()).not.toContain("gone");
    expect(readiness.status("p-gone/web")).toBeUndefined();
  });

  it("watchDecisions streams new decisions, again once ready, and resumes after an id", async () => {
    await h.seedGraph({ name: "watch", project: "p-watch", services: [{ name: "web", cluster: "member2" }] });
    const ac = new AbortController();
    const seen: DecisionRecord[] = [];
    const reader = (async () => {
      for await (const d of h.controller.watchDecisions({ graph: "watch" }, 0, ac.signal)) {
        seen.push(d);
        if (d.readyAt) ac.abort();
      }
    })();
    await sleep(50);
    await h.controller.report([{ graph: "watch", service: "web", requestsPerSecond: 45 }]);
    await reader;
    expect(seen.length).toBe(2);
    expect(seen[0]).toMatchObject({ graph: "watch", service: "web", replicas: 5, readyAt: null });
    expect(seen[1]!.id).toBe(seen[0]!.id);
    expect(seen[1]!.readyAt).not.toBeNull();

    // Another decision, then a reader resuming after the first one gets exactly the second.
    await h.controller.report([{ graph: "watch", service: "web", requestsPerSecond: 75 }]);
    await h.controller.settled();
    const resumed = new AbortController();
    const got: DecisionRecord[] = [];
    for await (const d of h.controller.watchDecisions({ graph: "watch" }, seen[0]!.id, resumed.signal)) {
      got.push(d);
      resumed.abort();
    }
    expect(got.map((d) => [d.previousReplicas, d.replicas])).toEqual([[5, 9]]);
    expect(got[0]!.id).toBeGreaterThan(seen[0]!.id);
  });

  it("the forecast strategy scales earlier than reactive on a ramp", async () => {
    await h.seedGraph({ name: "ramp-reactive", project: "p-ramp-r", services: [{ name: "web", cluster: "member2", scaling: { maxReplicas: 30 } }] });
    await h.seedGraph({ name: "ramp-forecast", project: "p-ramp-f", forecast: true, services: [{ name: "web", cluster: "member2", scaling: { maxReplicas: 30 } }] });
    const start = Date.now() - 20_000;
    // 5 req/s more every second; one replica serves 10.
    for (let i = 0; i < 6; i++) {
      const sample = { service: "web", requestsPerSecond: 4 + 5 * i, observedAt: new Date(start + i * 1000) };
      await h.controller.report([{ graph: "ramp-reactive", ...sample }, { graph: "ramp-forecast", ...sample }]);
      await h.controller.settled();
    }
    const reactive = (await decisionsOf("ramp-reactive"))[0]!;
    const forecast = (await decisionsOf("ramp-forecast"))[0]!;
    expect(forecast.trigger).toBe("forecast");
    expect(reactive.trigger).toBe("push");
    // Reactive waits for the sample that breaks one replica (14 req/s); the forecast sees the trend before.
    expect(reactive.requestsPerSecond).toBe(14);
    expect(forecast.observedAt.getTime()).toBeLessThan(reactive.observedAt.getTime());
    expect(forecast.replicas).toBeGreaterThan(reactive.replicas);
  });

  it("exports observations of every stage in smo_elasticity_stage_seconds", async () => {
    const metric = await h.registry.getSingleMetric("smo_elasticity_stage_seconds")!.get();
    const counts = new Map(
      (metric.values as { metricName?: string; labels: Record<string, string | number>; value: number }[])
        .filter((v) => v.metricName === "smo_elasticity_stage_seconds_count").map((v) => [v.labels.stage, v.value]),
    );
    for (const stage of ["receive", "decide", "actuate", "ready", "load_to_actuate", "load_to_ready"]) {
      expect(counts.get(stage), stage).toBeGreaterThan(0);
    }
    const text = await h.registry.metrics();
    expect(text).toMatch(/smo_elasticity_decisions_total\{trigger="push",outcome="scaled"\} \d+/);
  });
});
