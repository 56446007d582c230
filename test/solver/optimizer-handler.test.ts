// OptimizerService called as a ServiceImpl (no server): proto in, the solver's decision out, infeasible as an
// answer, bad input as InvalidArgumentError with proto field paths.
import { create } from "@bufbuild/protobuf";
import { createHandlerContext } from "@connectrpc/connect";
import { afterAll, describe, expect, it } from "vitest";
import { createOptimizerService } from "../../src/api/handlers/optimizer.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { DecidePlacementRequestSchema, DecideReplicasRequestSchema, OptimizerService } from "../../src/gen/smo/v1/optimizer_pb.js";
import { SolverStatus } from "../../src/gen/smo/v1/types_pb.js";
import { createSolver } from "../../src/solver/index.js";

const solver = createSolver({ workers: 0 });
afterAll(() => solver.close());
const at = new Date("2025-01-02T03:04:05Z");
const service = createOptimizerService({ solver, now: () => at });

function ctx(method: keyof typeof OptimizerService.method) {
  return createHandlerContext({
    service: OptimizerService,
    method: OptimizerService.method[method],
    protocolName: "connect",
    requestMethod: "POST",
    url: `http://localhost/smo.v1.OptimizerService/${method}`,
  });
}

const placementRequest = create(DecidePlacementRequestSchema, {
  clusters: [
    { name: "edge", cpu: 4, memory: "8Gi", gpu: 0, energyCost: 1 },
    { name: "cloud", cpu: 16, memory: "64Gi", gpu: 2, energyCost: 0.3 },
  ],
  services: [
    { name: "web", cpu: 1, memory: "512Mi", replicas: 2 },
    { name: "detect", cpu: 2, memory: "2Gi", gpu: true },
    { name: "db", cpu: 1, memory: "1Gi" },
  ],
  current: { web: "edge", db: "edge" },
  coLocation: [{ services: ["web", "db"] }],
  connections: [{ from: "web", to: "detect", qos: "low" }],
  weights: { moves: 1, traffic: 0.1 },
});

describe("OptimizerService.DecidePlacement", () => {
  it("answers with the decision the solver takes for the same problem", async () => {
    const res = await service.decidePlacement(placementRequest, ctx("decidePlacement"));
    const d = res.decision!;
    expect(d.status).toBe(SolverStatus.OPTIMAL);
    expect(d.placement).toEqual({ web: "edge", db: "edge", detect: "cloud" });
    expect(d.strategy).toBe("optimal");
    expect(["glpk", "highs"]).toContain(d.backend);
    expect(d.cost).toMatchObject({ moves: 0, traffic: 2 });
    expect(d.objective).toBeCloseTo(0.2);
    expect(d.moved).toEqual([]);
    expect(d.decidedAt!.seconds).toBe(BigInt(at.getTime() / 1000));
    const direct = await solver.decidePlacement({
      clusters: [{ name: "edge", cpu: 4, memoryBytes: 8 * 2 ** 30, energyCost: 1 }, { name: "cloud", cpu: 16, memoryBytes: 64 * 2 ** 30, gpu: 2, energyCost: 0.3 }],
      services: [{ name: "web", cpu: 1, memoryBytes: 2 ** 29, replicas: 2 }, { name: "detect", cpu: 2, memoryBytes: 2 * 2 ** 30, gpu: true }, { name: "db", cpu: 1, memoryBytes: 2 ** 30 }],
      current: { web: "edge", db: "edge" },
      coLocation: [["web", "db"]],
      connections: [{ from: "web", to: "detect", qos: "low" }],
      weights: { moves: 1, traffic: 0.1 },
    });
    expect(d.placement).toEqual(direct.placement);
    expect(d.objective).toBeCloseTo(direct.objective, 9);
  });

  it("honours strategy, backend and time limit", async () => {
    const req = create(DecidePlacementRequestSchema, { ...placementRequest, strategy: "energy", backend: "highs", timeLimitSeconds: 5 });
    const d = (await service.decidePlacement(req, ctx("decidePlacement"))).decision!;
    expect(d.strategy).toBe("energy");
    expect(d.backend).toBe("highs");
    // energy pulls web+db to the cheaper cloud cluster (saving 2.1 for 2 moves)
    expect(d.placement).toEqual({ web: "cloud", db: "cloud", detect: "cloud" });
  });

  it("an infeasible problem is an answer, not an error", async () => {
    const req = create(DecidePlacementRequestSchema, { clusters: [{ name: "edge", cpu: 4 }], services: [{ name: "detect", cpu: 1, gpu: true }] });
    const d = (await service.decidePlacement(req, ctx("decidePlacement"))).decision!;
    expect(d.status).toBe(SolverStatus.INFEASIBLE);
    expect(d.reason).toBe("service detect needs a GPU and no cluster has one");
    expect(d.placement).toEqual({});
  });

  it("bad input is INVALID_ARGUMENT with proto field paths", async () => {
    const req = create(DecidePlacementRequestSchema, {
      clusters: [{ name: "edge", cpu: 4, memory: "8 gigs" }],
      services: [{ name: "web", cpu: 1 }],
      timeLimitSeconds: -1,
    });
    const err = await Promise.resolve(service.decidePlacement(req, ctx("decidePlacement"))).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(["clusters[0].memory", "timeLimitSeconds"]);

    const unknown = create(DecidePlacementRequestSchema, { clusters: [{ name: "a", cpu: 1 }], services: [{ name: "web", cpu: -1 }], strategy: "greedy" });
    await expect(service.decidePlacement(unknown, ctx("decidePlacement"))).rejects.toThrow('unknown strategy "greedy"; known strategies: energy, first-fit, optimal');
    const negative = create(DecidePlacementRequestSchema, { clusters: [{ name: "a", cpu: 1 }], services: [{ name: "web", cpu: -1 }] });
    const e2 = await Promise.resolve(service.decidePlacement(negative, ctx("decidePlacement"))).then(() => null, (e: unknown) => e);
    expect((e2 as InvalidArgumentError).violations).toEqual([{ field: "services[0].cpu", description: "must be ≥ 0" }]);
  });
});

describe("OptimizerService.DecideReplicas", () => {
  it("answers with replica counts", async () => {
    const req = create(DecideReplicasRequestSchema, {
      cluster: { cpu: 8 },
      services: [
        { name: "web", cpu: 0.5, alpha: 20, beta: 0, rate: 90, current: 2, max: 10 },
        { name: "api", cpu: 1, alpha: 50, rate: 40, current: 3, max: 4 },
      ],
    });
    const d = (await service.decideReplicas(req, ctx("decideReplicas"))).decision!;
    expect(d.status).toBe(SolverStatus.OPTIMAL);
    // web needs 5 (20·5 ≥ 90). api would cover its rate with 1, but 3→1 saves 0.4·2/5 = 0.16 of utilisation
    // (norm = max(10·0.5, 4·1) = 5) and costs 0.4·2/4 = 0.2 of transition: it keeps 3.
    expect(d.replicas).toEqual({ web: 5, api: 3 });
    expect(d.gap).toBe(0);
  });

  it("min 0 on the wire means the default 1, and an over-max rate is INFEASIBLE with its reason", async () => {
    const req = create(DecideReplicasRequestSchema, { cluster: { cpu: 100 }, services: [{ name: "web", cpu: 0.5, alpha: 10, beta: -10, rate: 300, max: 20 }] });
    const d = (await service.decideReplicas(req, ctx("decideReplicas"))).decision!;
    expect(d.status).toBe(SolverStatus.INFEASIBLE);
    expect(d.reason).toBe("rate 300 needs 31 replicas of web; max is 20");
  });

  it("a missing cluster is INVALID_ARGUMENT", async () => {
    const req = create(DecideReplicasRequestSchema, { services: [{ name: "web", cpu: 1, alpha: 1, rate: 1, max: 1 }] });
    const err = await Promise.resolve(service.decideReplicas(req, ctx("decideReplicas"))).then(() => null, (e: unknown) => e);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toContain("cluster");
  });
});
