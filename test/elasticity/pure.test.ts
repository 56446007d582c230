import { describe, expect, it } from "vitest";
import { holtForecast } from "../../src/core/elasticity/forecast.js";
import { isOverProvisioned, isUnderProvisioned, replicasNeeded } from "../../src/core/elasticity/capacity.js";
import { ScaleDownStabilizer } from "../../src/core/elasticity/stabilizer.js";
import { ChangeNotifier } from "../../src/core/elasticity/notifier.js";

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
    expect(s.nextCheckAt(41_000)).toBe(40_000);
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
