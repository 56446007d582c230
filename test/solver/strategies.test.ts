import { afterAll, describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { createSolver, listStrategies, normalizePlacementProblem, buildPlacementModel, type PlacementProblem } from "../../src/solver/index.js";

const solver = createSolver({ workers: 0 });
afterAll(() => solver.close());

describe("strategies registry", () => {
  it("lists first-fit, optimal and energy with their default weights", () => {
    const byName = Object.fromEntries(listStrategies().map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(["energy", "first-fit", "optimal"]);
    expect(byName.optimal!.defaultWeights).toEqual({ moves: 1, energy: 0, traffic: 0 });
    expect(byName.energy!.defaultWeights.energy).toBeGreaterThan(0);
    expect(solver.listStrategies()).toEqual(listStrategies());
  });

  it("an unknown strategy is an InvalidArgumentError listing the known ones", async () => {
    const call = solver.decidePlacement({ clusters: [{ name: "a", cpu: 1 }], services: [], strategy: "quantum" });
    await expect(call).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(call).rejects.toThrow('unknown strategy "quantum"; known strategies: energy, first-fit, optimal');
  });
});

describe("first-fit", () => {
  const clusters = [{ name: "a", cpu: 5 }, { name: "b", cpu: 5 }];

  it("puts each service on the first cluster with room, in input order", async () => {
    const r = await solver.decidePlacement({ clusters: [{ name: "a", cpu: 4 }, { name: "b", cpu: 8 }], services: [{ name: "s1", cpu: 2 }, { name: "s2", cpu: 3 }, { name: "s3", cpu: 3 }], strategy: "first-fit" });
    expect(r).toMatchObject({ status: "feasible", strategy: "first-fit", backend: "none", gap: null, placement: { s1: "a", s2: "b", s3: "b" } });
  });

  it("fails where the optimal strategy finds a packing", async () => {
    const p: PlacementProblem = { clusters, services: [2, 2, 3, 3].map((cpu, i) => ({ name: `s${i}`, cpu })) };
    const ff = await solver.decidePlacement({ ...p, strategy: "first-fit" });
    expect(ff.status).toBe("infeasible");
    expect(ff.reason).toMatch(/^first-fit found no cluster with room for service s3 \(3 cores, 0B\)/);
    const opt = await solver.decidePlacement(p);
    expect(opt.status).toBe("optimal");
    expect(opt.placement.s0).not.toBe(opt.placement.s1);
  });

  it("ignores the current placement, so it moves services the optimal strategy keeps", async () => {
    const p: PlacementProblem = { clusters, services: [{ name: "x", cpu: 1 }, { name: "y", cpu: 1 }], current: { x: "b", y: "b" } };
    const ff = await solver.decidePlacement({ ...p, strategy: "first-fit" });
    expect(ff.moved).toEqual(["x", "y"]);
    expect(ff.objective).toBe(2);
    const opt = await solver.decidePlacement(p);
    expect(opt.moved).toEqual([]);
    expect(opt.objective).toBe(0);
  });

  it("keeps a co-location group together", async () => {
    const r = await solver.decidePlacement({ clusters: [{ name: "a", cpu: 3 }, { name: "b", cpu: 8 }], services: [{ name: "x", cpu: 2 }, { name: "y", cpu: 2 }], coLocation: [["x", "y"]], strategy: "first-fit" });
    expect(r.placement).toEqual({ x: "b", y: "b" });
  });
});

describe("optimal and energy", () => {
  const p: PlacementProblem = {
    clusters: [{ name: "dirty", cpu: 8, energyCost: 1 }, { name: "clean", cpu: 8, energyCost: 0.2 }],
    services: [{ name: "x", cpu: 2, replicas: 2 }, { name: "y", cpu: 1 }],
    current: { x: "dirty", y: "dirty" },
  };

  it("optimal keeps services in place by default; energy moves them when the saving beats the move", async () => {
    const opt = await solver.decidePlacement(p);
    expect(opt.placement).toEqual({ x: "dirty", y: "dirty" });
    expect(opt.cost).toEqual({ moves: 0, energy: 5, traffic: 0 });
    const energy = await solver.decidePlacement({ ...p, strategy: "energy" });
    // Moving x (4 cores) saves 3.2 energy for 1 move; moving y (1 core) would save only 0.8: y stays.
    expect(energy.placement).toEqual({ x: "clean", y: "dirty" });
    expect(energy.cost.energy).toBeCloseTo(1.8);
    expect(energy.moved).toEqual(["x"]);
    expect(energy.objective).toBeCloseTo(2.8);
  });

  it("the traffic term keeps connected services together, weighted by qos", async () => {
    const q: PlacementProblem = {
      clusters: [{ name: "a", cpu: 3 }, { name: "b", cpu: 3 }],
      services: [{ name: "x", cpu: 2 }, { name: "y", cpu: 1 }, { name: "z", cpu: 1 }],
      connections: [{ from: "x", to: "y", qos: "ultralow" }, { from: "x", to: "z", qos: "low" }],
      weights: { moves: 0, traffic: 1 },
    };
    const r = await solver.decidePlacement(q);
    // Only one of y, z fits next to x: the ultralow one stays, the low one is split (weight 2).
    expect(r.placement.x).toBe(r.placement.y);
    expect(r.placement.z).not.toBe(r.placement.x);
    expect(r.cost.traffic).toBe(2);
  });

  it("a service whose current cluster is gone counts as a move", async () => {
    const r = await solver.decidePlacement({ clusters: [{ name: "a", cpu: 4 }], services: [{ name: "x", cpu: 1 }], current: { x: "lost" } });
    expect(r).toMatchObject({ status: "optimal", moved: ["x"], objective: 1 });
  });

  it("no services: an empty optimal placement", async () => {
    expect(await solver.decidePlacement({ clusters: [{ name: "a", cpu: 1 }], services: [] })).toMatchObject({ status: "optimal", placement: {}, objective: 0 });
  });
});

describe("placement model", () => {
  it("has one binary per allowed (service, cluster) pair and one row per constraint", () => {
    const inst = normalizePlacementProblem({
      clusters: [{ name: "a", cpu: 4, memoryBytes: 2 ** 30, gpu: 1 }, { name: "b", cpu: 4 }],
      services: [{ name: "x", cpu: 1, gpu: true }, { name: "y", cpu: 1 }],
      current: { y: "b" },
      coLocation: [],
      connections: [{ from: "x", to: "y", qos: "low" }],
      weights: { moves: 3, energy: 0, traffic: 1 },
    });
    const { model, x } = buildPlacementModel(inst);
    // x cannot go to b (no GPU): no column for it.
    expect(x).toEqual([[0, -1], [1, 2]]);
    const families = model.rows.map((r) => r.family);
    expect(families.filter((f) => f === "assign")).toHaveLength(2);
    expect(families.filter((f) => f === "cpu")).toHaveLength(2);
    expect(families.filter((f) => f === "memory")).toHaveLength(1);
    expect(families.filter((f) => f === "gpu")).toHaveLength(1);
    // one u[k,c] per cluster where x may be, i.e. only a
    expect(model.columns.filter((c) => c.name.startsWith("u_"))).toEqual([{ name: "u_0_0", kind: "continuous", lb: 0, ub: 1, cost: 2 }]);
    // moves: 3·(1 − x[y,b])
    expect(model.offset).toBe(3);
    expect(model.columns[2]!.cost).toBe(-3);
  });
});

describe("backend auto", () => {
  it("uses GLPK for small models and HiGHS from 400 placement variables up", async () => {
    const { generatePlacement } = await import("../../bench/solver/generate.js");
    const small = await solver.decidePlacement(generatePlacement({ services: 10, clusters: 3, tightness: 0.7, seed: 1 }));
    expect(small.backend).toBe("glpk");
    const large = await solver.decidePlacement(generatePlacement({ services: 40, clusters: 10, tightness: 0.7, seed: 1 }));
    expect(large.backend).toBe("highs");
    // Above what the rate needs with equal weights: a tie, which the closed form leaves to the MILP.
    const replicas = await solver.decideReplicas({ cluster: { cpu: 4 }, services: [{ name: "web", cpu: 1, alpha: 10, rate: 5, current: 3, max: 3 }] });
    expect(replicas.backend).toBe("glpk");
    // A unique separable optimum inside the CPU needs no backend at all.
    const closed = await solver.decideReplicas({ cluster: { cpu: 4 }, services: [{ name: "web", cpu: 1, alpha: 10, rate: 5, max: 3 }] });
    expect(closed.backend).toBe("none");
    expect(closed.replicas).toEqual({ web: 1 });
  });
});
