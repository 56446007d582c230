// The pool's priority lane: replica decisions (the elasticity loop) do not wait behind placements, and
// OptimizerService's caps (concurrency → RESOURCE_EXHAUSTED, size and time limit → INVALID_ARGUMENT).
// The figure asked for (a replica decision's latency under two maximal OptimizerService requests) is printed,
// not asserted: the machine is shared.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { afterAll, describe, expect, it } from "vitest";
import { WorkerPool } from "../../src/solver/pool.js";
import { createSolver } from "../../src/solver/index.js";
import { createOptimizerService } from "../../src/api/handlers/optimizer.js";
import { DEFAULT_OPTIMIZER_LIMITS } from "../../src/api/handlers/optimizer-limits.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { DecidePlacementRequestSchema, OptimizerService } from "../../src/gen/smo/v1/optimizer_pb.js";
import { generatePlacement } from "../../bench/solver/generate.js";

const fake = new URL("./fixtures/fake-worker.mjs", import.meta.url);

function ctx(signal?: AbortSignal) {
  return createHandlerContext({
    service: OptimizerService,
    method: OptimizerService.method.decidePlacement,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://localhost/smo.v1.OptimizerService/DecidePlacement",
    requestSignal: signal,
  });
}

describe("pool lanes", () => {
  it("a priority job runs on the reserved worker while normal jobs occupy every other one", async () => {
    const pool = new WorkerPool({ size: 1, reserved: 1, workerUrl: fake });
    try {
      const stuck = [pool.run({ mode: "hang" }, { watchdogMs: 60_000 }), pool.run({ mode: "hang" }, { watchdogMs: 60_000 })];
      for (const p of stuck) p.catch(() => undefined);
      // A normal job would wait for ever behind the hung one; a priority job answers.
      expect(await pool.run<{ value: number }>({ mode: "echo", value: 5 }, { watchdogMs: 10_000, lane: "priority" })).toMatchObject({ value: 5 });
      expect(pool.threads).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it("priority jobs queue ahead of normal ones", async () => {
    const pool = new WorkerPool({ size: 1, reserved: 0, workerUrl: fake });
    try {
      const order: string[] = [];
      const jobs = [
        pool.run({ mode: "echo", value: 1 }, { watchdogMs: 10_000 }).then(() => order.push("n1")),
        pool.run({ mode: "echo", value: 2 }, { watchdogMs: 10_000 }).then(() => order.push("n2")),
        pool.run({ mode: "echo", value: 3 }, { watchdogMs: 10_000, lane: "priority" }).then(() => order.push("p")),
      ];
      await Promise.all(jobs);
      expect(order).toEqual(["n1", "p", "n2"]);
    } finally {
      await pool.close();
    }
  });
});

describe("OptimizerService caps", () => {
  const blocking = {
    decidePlacement: () => new Promise<never>(() => undefined),
    decideReplicas: () => new Promise<never>(() => undefined),
  };

  it("answers RESOURCE_EXHAUSTED beyond the concurrency cap, without queueing", async () => {
    const service = createOptimizerService({ solver: blocking, limits: { maxConcurrent: 2 } });
    const req = create(DecidePlacementRequestSchema, { clusters: [{ name: "a", cpu: 1 }], services: [{ name: "x", cpu: 1 }] });
    void service.decidePlacement(req, ctx());
    void service.decidePlacement(req, ctx());
    const third = await (service.decidePlacement(req, ctx()) as Promise<unknown>).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(ConnectError);
    expect((third as ConnectError).code).toBe(Code.ResourceExhausted);
  });

  it("refuses oversized problems and time limits beyond the cap with the field", async () => {
    const service = createOptimizerService({ solver: blocking });
    const big = create(DecidePlacementRequestSchema, {
      clusters: Array.from({ length: DEFAULT_OPTIMIZER_LIMITS.maxClusters + 1 }, (_, i) => ({ name: `c${i}`, cpu: 1 })),
      services: [{ name: "x", cpu: 1 }],
      timeLimitSeconds: 600,
    });
    const err = (await (service.decidePlacement(big, ctx()) as Promise<unknown>).catch((e: unknown) => e)) as InvalidArgumentError;
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.violations.map((v) => v.field).sort()).toEqual(["clusters", "timeLimitSeconds"]);
  });
});

describe("replica decisions under two maximal OptimizerService requests", () => {
  const solver = createSolver({ workers: 2 });
  afterAll(() => solver.close());

  it("still answer promptly (figure printed)", { timeout: 120_000 }, async () => {
    // Above what the rate needs, with equal weights: a tie the closed form leaves to the MILP, so every call
    // here goes through the pool's priority lane.
    const small = {
      cluster: { cpu: 16 },
      services: [{ name: "web", cpu: 0.5, alpha: 10, beta: 0, rate: 85, current: 12, min: 1, max: 20 }],
    };
    await solver.decideReplicas(small); // the reserved worker is started and warm, as in a running server
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await solver.decideReplicas(small);
      idle.push(performance.now() - t0);
    }
    const limits = DEFAULT_OPTIMIZER_LIMITS;
    const service = createOptimizerService({ solver });
    const hard = generatePlacement({ services: limits.maxServices, clusters: limits.maxClusters, tightness: 0.9, seed: 11, coLocation: 20, current: true, weights: { moves: 1, energy: 0.1, traffic: 0.5 } });
    const abort = new AbortController();
    const maximal = create(DecidePlacementRequestSchema, {
      clusters: hard.clusters.map((c) => ({ name: c.name, cpu: c.cpu, gpu: Number(c.gpu ?? 0), energyCost: c.energyCost ?? 0 })),
      services: hard.services.map((s) => ({ name: s.name, cpu: s.cpu, gpu: Boolean(s.gpu), replicas: s.replicas ?? 1 })),
      current: hard.current ?? {},
      timeLimitSeconds: limits.maxTimeLimitSeconds,
    });
    const running = [service.decidePlacement(maximal, ctx(abort.signal)), service.decidePlacement(maximal, ctx(abort.signal))].map((p) =>
      (p as Promise<unknown>).catch(() => undefined),
    );
    await new Promise((r) => setTimeout(r, 1_000)); // both are solving by now
    const loaded: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const r = await solver.decideReplicas(small);
      loaded.push(performance.now() - t0);
      expect(r.replicas.web).toBeGreaterThanOrEqual(9);
      expect(r.backend).not.toBe("none");
    }
    abort.abort();
    await Promise.all(running);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(
      `[lanes] replica decision: idle median ${median(idle).toFixed(1)} ms; under two maximal DecidePlacement (${limits.maxServices} services × ${limits.maxClusters} clusters, ${limits.maxTimeLimitSeconds} s limit): median ${median(loaded).toFixed(1)} ms, max ${Math.max(...loaded).toFixed(1)} ms`,
    );
    expect(loaded).toHaveLength(10);
  });
});
