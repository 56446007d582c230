// A 2 s placement solve over gRPC (OptimizerService.DecidePlacement, solved in the worker pool) must not stall the
// server: health checks sent on another connection while it runs keep answering quickly (issue 4: < 50 ms).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.js";
import { OptimizerService } from "../../src/gen/smo/v1/optimizer_pb.js";
import { SolverStatus } from "../../src/gen/smo/v1/types_pb.js";
import { SmoClient } from "../../src/cli/client.js";
import { createServices } from "../../src/api/handlers/index.js";
import { createSolver, type Solver } from "../../src/solver/index.js";
import { silentLogger } from "../../src/observability/logger.js";
import { generatePlacement } from "../../bench/solver/generate.js";
import { openMemoryStore, startTestServer, type TestServer } from "./helpers.js";
import type { Store } from "../../src/core/ports/store.js";



describe("a long solve does not block the server", () => {
  let t: TestServer;
  let store: Store;
  let solver: Solver;

  beforeAll(async () => {
    store = await openMemoryStore();
    solver = createSolver({ workers: 1 });
    t = await startTestServer({ services: createServices({ store, logger: silentLogger(), solver }) });
  });
  afterAll(async () => {
    await t?.close();
    await solver?.close();
    await store?.close();
  });

  it("health checks answer in < 50 ms (median) while DecidePlacement runs for 2 s", { timeout: 60_000 }, async () => {
    const hard = generatePlacement({ services: 50, clusters: 10, tightness: 0.9, seed: 7, coLocation: 5, current: true, weights: { moves: 1, energy: 0.1, traffic: 0.5 } });
    const solving = new SmoClient({ address: t.server.grpcAddress!, deadlineMs: 30_000 });
    const probing = new SmoClient({ address: t.server.grpcAddress!, deadlineMs: 5_000 });
    try {
      await probing.unary(Health.method.check, { service: "" }); // connect first: measure calls, not the handshake
      const started = performance.now();
      const call = solving.unary(OptimizerService.method.decidePlacement, {
        clusters: hard.clusters.map((c) => ({ name: c.name, cpu: c.cpu, memory: `${Math.floor(c.memoryBytes ?? 0)}`, gpu: c.gpu ? 8 : 0, energyCost: c.energyCost ?? 0 })),
        services: hard.services.map((s) => ({ name: s.name, cpu: s.cpu, memory: `${Math.floor(s.memoryBytes ?? 0)}`, gpu: Boolean(s.gpu), replicas: s.replicas ?? 1 })),
        current: hard.current ?? {},
        coLocation: (hard.coLocation ?? []).map((g) => ({ services: g })),
        connections: (hard.connections ?? []).map((c) => ({ from: c.from, to: c.to, qos: c.qos })),
        weights: hard.weights,
        backend: "glpk",
        timeLimitSeconds: 2,
      });
      let done = false;
      void call.finally(() => (done = true)).catch(() => undefined);
      const latencies: number[] = [];
      while (!done) {
        const t0 = performance.now();
        await probing.unary(Health.method.check, { service: "smo.v1.OptimizerService" });
        latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      const { decision } = await call;
      const elapsed = performance.now() - started;
      // The solve really ran for its whole time limit and health was probed throughout.
      expect(decision?.status).toBe(SolverStatus.FEASIBLE);
      expect(elapsed).toBeGreaterThan(1500);
      expect(latencies.length).toBeGreaterThan(20);
      latencies.sort((a, b) => a - b);
      expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(50);
    } finally {
      solving.close();
      probing.close();
    }
  });
});

