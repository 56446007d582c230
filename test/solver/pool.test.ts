// The worker pool: solves off the main thread (the event loop keeps ticking during a 2 s solve), crashes and
// hangs replace the worker, aborts and close() reject what they cut short.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { TimeoutError, UnavailableError } from "../../src/core/errors.js";
import { WorkerPool } from "../../src/solver/pool.js";
import { createSolver } from "../../src/solver/index.js";
import { generatePlacement } from "../../bench/solver/generate.js";

const fake = new URL("./fixtures/fake-worker.mjs", import.meta.url);

describe("worker pool mechanics", () => {
  const pool = new WorkerPool({ size: 2, workerUrl: fake });
  afterAll(() => pool.close());
  const run = (mode: string, extra: object = {}, watchdogMs = 5000, signal?: AbortSignal) => pool.run<{ value: number }>({ mode, ...extra }, { watchdogMs, signal });

  it("runs jobs and never starts more threads than its size", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => run("echo", { value: i })));
    expect(results.map((r) => r.value)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(pool.threads).toBeLessThanOrEqual(2);
  });

  it("rebuilds typed errors a worker reports", async () => {
    await expect(run("fail")).rejects.toBeInstanceOf(TimeoutError);
  });

  it("a worker that exits rejects its call and is replaced", async () => {
    await expect(run("exit")).rejects.toThrow(/exited with code 3/);
    expect((await run("echo", { value: 7 })).value).toBe(7);
  });

  it("a worker that throws rejects its call with UnavailableError and is replaced", async () => {
    const err = await run("throw").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/crashed: boom/);
    expect((await run("echo", { value: 8 })).value).toBe(8);
  });

  it("a worker that does not answer within the watchdog is killed and replaced", async () => {
    await expect(run("hang", {}, 300)).rejects.toBeInstanceOf(TimeoutError);
    expect((await run("echo", { value: 9 })).value).toBe(9);
  });

  it("abort rejects a running call (its worker is replaced) and a queued one", async () => {
    const running = new AbortController();
    const first = run("hang", {}, 10_000, running.signal);
    const second = run("hang", {}, 10_000, running.signal);
    const queued = new AbortController();
    const third = run("echo", { value: 1 }, 10_000, queued.signal);
    queued.abort(new Error("not needed"));
    await expect(third).rejects.toThrow("not needed");
    running.abort();
    await expect(first).rejects.toThrow();
    await expect(second).rejects.toThrow();
    expect((await run("echo", { value: 10 })).value).toBe(10);
  });

  it("close rejects running and later calls", async () => {
    const p = new WorkerPool({ size: 1, workerUrl: fake });
    const running = p.run({ mode: "hang" }, { watchdogMs: 10_000 }).catch((e: unknown) => e);
    const queued = p.run({ mode: "echo", value: 1 }, { watchdogMs: 10_000 }).catch((e: unknown) => e);
    await p.close();
    expect(await running).toBeInstanceOf(UnavailableError);
    expect(await queued).toBeInstanceOf(UnavailableError);
    await expect(p.run({ mode: "echo" }, { watchdogMs: 1000 })).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe("solver in the pool", () => {
  // Solves run the compiled worker (dist/src/solver/worker.js): build first with `npx tsc -p tsconfig.json`.
  const solver = createSolver({ workers: 2 });
  afterAll(() => solver.close());

  it("the main event loop keeps ticking while a hard instance solves for its 2 s time limit", async () => {
    const hard = generatePlacement({ services: 50, clusters: 10, tightness: 0.9, seed: 7, coLocation: 5, current: true, weights: { moves: 1, energy: 0.1, traffic: 0.5 } });
    // Warm the worker (wasm load) so the measured window is the solve itself.
    await solver.decidePlacement({ clusters: [{ name: "a", cpu: 1 }], services: [{ name: "x", cpu: 1 }], backend: "glpk" });
    // A solve on this thread would stall it for the full 2 s (a delay of ~2000 ms). On a loaded 2-core machine the
    // scheduler alone causes hiccups of tens of ms (76 ms seen), so the bound sits far below the stall and far
    // above the noise, and the 2 s window is measured up to three times; one clean window passes.
    const maxDelays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 10);
      delay.enable();
      const result = await solver.decidePlacement({ ...hard, backend: "glpk", timeLimitMs: 2000 });
      delay.disable();
      clearInterval(timer);
      // The time limit stopped the solve: it really ran for the whole window.
      expect(result.status).toBe("feasible");
      expect(ticks).toBeGreaterThan(50);
      maxDelays.push(delay.max / 1e6);
      if (delay.max / 1e6 < 250) break;
    }
    expect(Math.min(...maxDelays)).toBeLessThan(250);
  });

  it("answers several calls at once, the same as the inline solver", async () => {
    const inline = createSolver({ workers: 0 });
    const problems = [1, 2, 3, 4].map((seed) => generatePlacement({ services: 8, clusters: 3, tightness: 0.6, seed, current: true }));
    const pooled = await Promise.all(problems.map((p) => solver.decidePlacement({ ...p, backend: "glpk" })));
    for (const [i, p] of problems.entries()) {
      const direct = await inline.decidePlacement({ ...p, backend: "glpk" });
      expect(pooled[i]!.status).toBe(direct.status);
      expect(pooled[i]!.objective).toBeCloseTo(direct.objective, 9);
    }
    const replicas = await solver.decideReplicas({ cluster: { cpu: 10 }, services: [{ name: "web", cpu: 1, alpha: 10, rate: 35, current: 2, max: 8 }] });
    expect(replicas).toMatchObject({ status: "optimal", replicas: { web: 4 } });
  });

  it("with a time limit, HiGHS returns its best answer as feasible with a positive gap", async () => {
    const hard = generatePlacement({ services: 50, clusters: 10, tightness: 0.9, seed: 7, coLocation: 5, current: true, weights: { moves: 1, energy: 0.1, traffic: 0.5 } });
    const r = await solver.decidePlacement({ ...hard, backend: "highs", timeLimitMs: 500 });
    expect(r.status).toBe("feasible");
    expect(r.gap).not.toBeNull();
    expect(r.gap!).toBeGreaterThan(0);
    expect(Object.keys(r.placement)).toHaveLength(50);
    expect(r.reason).toMatch(/time limit/);
  });

  it("validation errors are thrown on the caller's thread, typed", async () => {
    await expect(solver.decidePlacement({ clusters: [], services: [{ name: "x", cpu: -1 }] })).rejects.toThrow(/services\[0\]\.cpu/);
  });
});
