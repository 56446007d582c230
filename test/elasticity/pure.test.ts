import { describe, expect, it } from "vitest";
import { holtForecast } from "../../src/core/elasticity/forecast.js";
import { isOverProvisioned, isUnderProvisioned, recommendedReplicas, replicasNeeded } from "../../src/core/elasticity/capacity.js";
import { ScaleDownStabilizer } from "../../src/core/elasticity/stabilizer.js";
import { ChangeNotifier } from "../../src/core/elasticity/notifier.js";
import { PrometheusLoadSource, createElasticityMetrics, delayToOffset, pollOffset } from "../../src/core/elasticity/index.js";
import { CapacityLedger } from "../../src/core/elasticity/capacity-ledger.js";
import { partialFit, type Planned } from "../../src/core/elasticity/decide.js";
import type { ServiceState } from "../../src/core/elasticity/state.js";
import pino from "pino";
import { Registry } from "prom-client";

const model = { alpha: 10, beta: 5, minReplicas: 1, maxReplicas: 20 };

describe("capacity model", () => {
  it("needs the smallest r with alpha·r + beta ≥ rate, within bounds", () => {
    expect(replicasNeeded(model, 0)).toBe(1);
    expect(replicasNeeded(model, 15)).toBe(1);
    expect(replicasNeeded(model, 15.01)).toBe(2);
    expect(replicasNeeded(model, 105)).toBe(10);
    expect(replicasNeeded(model, 205)).toBe(20);
    expect(replicasNeeded(model, 205.5)).toBeUndefined();
  });

  it("detects under- and over-provisioning with headroom", () => {
    expect(isUnderProvisioned(model, 3, 36)).toBe(true);
    expect(isUnderProvisioned(model, 3, 35)).toBe(false);
    // 3 replicas, one fewer serves 25; with 10 % headroom only rates ≤ 22.5 allow scale-down.
    expect(isOverProvisioned(model, 3, 22.5, 0.1)).toBe(true);
    expect(isOverProvisioned(model, 3, 23, 0.1)).toBe(false);
    expect(isOverProvisioned(model, 1, 0, 0.1)).toBe(false);
  });

  it("recommends the count with headroom, consistent with the over-provisioning test", () => {
    // 24 req/s needs 2 replicas bare (2·10 + 5 = 25), 3 with 10 % headroom (24 / 0.9 = 26.7 > 25).
    expect(replicasNeeded(model, 24)).toBe(2);
    expect(recommendedReplicas(model, 24, 0.1)).toBe(3);
    expect(recommendedReplicas(model, 10_000, 0.1)).toBe(20);
    for (let rate = 0; rate <= 200; rate += 0.5) {
      for (let r = 1; r <= 20; r++) {
        expect(isOverProvisioned(model, r, rate, 0.1)).toBe(recommendedReplicas(model, rate, 0.1) < r);
      }
    }
  });
});

describe("Holt forecast", () => {
  it("extrapolates a linear ramp", () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ at: i * 1000, rate: 100 + 10 * i }));
    const f = holtForecast(points, 5000, { alpha: 0.5, beta: 0.3 })!;
    // Last sample 190 at t=9 s; 5 s ahead on a 10/s slope is 240.
    expect(f).toBeGreaterThan(230);
    expect(f).toBeLessThan(250);
  });

  it("stays flat on a flat series and needs two points", () => {
    expect(holtForecast([{ at: 0, rate: 5 }], 1000, { alpha: 0.5, beta: 0.3 })).toBeUndefined();
    const flat = Array.from({ length: 5 }, (_, i) => ({ at: i * 1000, rate: 50 }));
    expect(holtForecast(flat, 10_000, { alpha: 0.5, beta: 0.3 })).toBeCloseTo(50, 6);
  });

  it("never forecasts a negative rate", () => {
    const falling = Array.from({ length: 5 }, (_, i) => ({ at: i * 1000, rate: 40 - 10 * i }));
    expect(holtForecast(falling, 60_000, { alpha: 0.5, beta: 0.3 })).toBe(0);
  });
});

describe("scale-down stabiliser", () => {
  it("keeps the current count until the window is covered, then allows the window's highest recommendation", () => {
    const s = new ScaleDownStabilizer(30_000);
    s.record(0, 5);
    s.record(10_000, 2);
    expect(s.floor(10_000, 5)).toBe(5);
    s.record(25_000, 2);
    // At 31 s the 5 recommended at 0 s is still the value in force at the window's start.
    expect(s.floor(31_000, 5)).toBe(5);
    // At 41 s the window [11 s, 41 s] only saw 2s.
    expect(s.floor(41_000, 5)).toBe(2);
  });

  it("knows when the floor will drop below the current count", () => {
    const s = new ScaleDownStabilizer(30_000);
    s.record(0, 5);
    // The latest recommendation is the current count: no scale-down without a lower one.
    expect(s.scaleDownAt(5)).toBeUndefined();
    s.record(10_000, 2);
    // 5 stays in force until the window no longer reaches back before 10 s.
    expect(s.scaleDownAt(5)).toBe(40_000);
    expect(s.floor(39_999, 5)).toBe(5);
    expect(s.floor(40_000, 5)).toBe(2);
    s.record(20_000, 3);
    // Consecutive equal recommendations are one step; the 3 does not delay a scale-down from 5.
    s.record(25_000, 3);
    expect(s.scaleDownAt(5)).toBe(40_000);
    expect(s.floor(40_000, 5)).toBe(3);
    // Every recommendation below the current count: allowed once the window is covered.
    const fresh = new ScaleDownStabilizer(1_000);
    fresh.record(100, 1);
    expect(fresh.scaleDownAt(4)).toBe(1_100);
    expect(fresh.floor(1_099, 4)).toBe(4);
    expect(fresh.floor(1_100, 4)).toBe(1);
  });

  it("with no history keeps the current count", () => {
    expect(new ScaleDownStabilizer(1000).floor(5000, 7)).toBe(7);
  });
});

describe("change notifier", () => {
  it("wakes waiters on notify and on abort", async () => {
    const n = new ChangeNotifier();
    let woke = false;
    const p = n.wait(60_000).then(() => (woke = true));
    n.notify();
    await p;
    expect(woke).toBe(true);
    const ac = new AbortController();
    const q = n.wait(60_000, ac.signal);
    ac.abort();
    await q;
  });
});

describe("Prometheus load source bookkeeping", () => {
  it("forgets the condition, gauge series and hold of a project once it is no longer managed", async () => {
    const registry = new Registry();
    const metrics = createElasticityMetrics(registry);
    let projects = ["p-a", "p-b"];
    const health = new Map<string, boolean>();
    const source = new PrometheusLoadSource({
      query: { queryProject: async (p) => { if (p === "p-b") throw new Error("down"); return []; } },
      sink: { projects: () => projects, graphOf: () => undefined, report: async () => 0, setSourceHealth: (p, up) => health.set(p, up) },
      metrics,
      logger: pino({ level: "silent" }),
    });
    await source.tick();
    expect(source.conditions().map((c) => c.project).sort()).toEqual(["p-a", "p-b"]);
    expect(health.get("p-b")).toBe(false);

    projects = ["p-a"];
    await source.tick();
    expect(source.conditions().map((c) => c.project)).toEqual(["p-a"]);
    // No longer held: a graph of that project created later may scale down again.
    expect(health.get("p-b")).toBe(true);
    const series = (await registry.getSingleMetric("smo_load_source_up")!.get()).values.map((v) => v.labels.project);
    expect(series).toEqual(["p-a"]);
  });
});

describe("polls aligned to scrapes", () => {
  it("polls just after the one target's scrape lands, whatever the epoch offset", () => {
    // Scrapes land at …300 ms within each second, taking 5 ms: poll at 300 + 2·5 + 25 ms.
    expect(pollOffset({ intervalMs: 1000, landedAt: [1_700_000_000_300], durationMs: 5 })).toBe(335);
    expect(pollOffset({ intervalMs: 1000, landedAt: [], durationMs: 0 })).toBeUndefined();
    // A phase near the end of the interval wraps round.
    expect(pollOffset({ intervalMs: 1000, landedAt: [990], durationMs: 0 })).toBe(15);
  });

  it("with several targets, polls after the one that precedes the longest quiet gap", () => {
    // Phases 100, 200, 700 of 1000: gaps 100, 500, 400 (700 → 100 wraps). Longest after 200.
    expect(pollOffset({ intervalMs: 1000, landedAt: [5_700, 3_100, 9_200], durationMs: 0 })).toBe(225);
    // The wrapping gap is the longest: after 300 (phases 100, 300; gaps 200 and 800).
    expect(pollOffset({ intervalMs: 1000, landedAt: [100, 300], durationMs: 0 })).toBe(325);
  });

  it("waits until the next moment at the offset, never zero", () => {
    expect(delayToOffset(10_100, 335, 1000)).toBe(235);
    expect(delayToOffset(10_400, 335, 1000)).toBe(935);
    expect(delayToOffset(10_335, 335, 1000)).toBe(1000);
    expect(delayToOffset(10_000, 335, 15_000)).toBe(5_335);
  });
});

describe("partial capacity and the capacity ledger", () => {
  const svc = (name: string, cpu: number, replicas: number) =>
    ({ name, cpu, replicas, scaling: { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 20 } }) as unknown as ServiceState;
  const plan = (s: ServiceState, rate: number): Planned => ({ s, rate, capped: false, min: s.replicas, max: 20, seen: { rate, sources: [] } });

  it("gives what the budget holds to the service that caused the decision first, then to the others, scaling none down", () => {
    const web = svc("web", 1, 2);
    const api = svc("api", 1, 1);
    // Budget 6 cores: 3 in use, 3 free. web needs 8 (80 req/s), api 4 (40 req/s); web came first.
    const fits = partialFit([plan(api, 40), plan(web, 80)], web, 6);
    expect(fits.map((f) => [f.p.s.name, f.target, f.wanted])).toEqual([["web", 5, 8]]);
    // Nothing free: nothing to do (the caller records an infeasible decision instead).
    expect(partialFit([plan(api, 40), plan(web, 80)], web, 3)).toEqual([]);
  });

  it("holds a scale-up's CPU until the inventory moves, or the hold expires", () => {
    let free = 10;
    let now = 0;
    const ledger = new CapacityLedger({ cpuFree: () => free }, () => now, 30_000);
    ledger.hold("m1", 4);
    expect(ledger.cpuFree("m1")).toBe(6);
    free = 6; // the inventory now counts the new pods
    expect(ledger.cpuFree("m1")).toBe(6);
    ledger.hold("m1", 2);
    now = 30_001;
    expect(ledger.cpuFree("m1")).toBe(6);
    expect(ledger.cpuFree("unknown")).toBe(6);
  });
});
