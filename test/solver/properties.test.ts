// Property tests over arbitrary (fast-check) problems larger than enumeration allows: whatever the solver
// answers must respect every constraint, report its cost terms consistently and dominate the greedy baseline.
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createSolver, type PlacementProblem, type ReplicaProblem } from "../../src/solver/index.js";
import { BackendLoader } from "../../src/solver/backends/load.js";
import { solveReplicas, solveReplicasClosedForm } from "../../src/solver/replicas.js";
import { normalizeReplicaProblem } from "../../src/solver/validate/replicas.js";
import { placementObjectiveOf, placementProblems, replicaObjectiveOf, replicaProblems } from "./brute-force.js";

const solver = createSolver({ workers: 0 });
afterAll(() => solver.close());

const MI = 2 ** 20;
const qos = fc.constantFrom("ultralow" as const, "low" as const, "best-effort" as const);

const placementProblem: fc.Arbitrary<PlacementProblem> = fc
  .record({ n: fc.integer({ min: 1, max: 10 }), m: fc.integer({ min: 1, max: 4 }) })
  .chain(({ n, m }) =>
    fc.record({
      clusters: fc.tuple(
        ...Array.from({ length: m }, (_, j) =>
          fc.record({
            name: fc.constant(`c${j}`),
            cpu: fc.integer({ min: 0, max: 32 }).map((x) => x / 2),
            memoryBytes: fc.option(fc.integer({ min: 0, max: 64 }).map((g) => g * 512 * MI), { nil: undefined }),
            gpu: fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 4 })),
            energyCost: fc.integer({ min: 0, max: 20 }).map((x) => x / 10),
          }),
        ),
      ),
      services: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.record({
            name: fc.constant(`s${i}`),
            cpu: fc.integer({ min: 0, max: 8 }).map((x) => x / 2),
            memoryBytes: fc.integer({ min: 0, max: 8 }).map((x) => x * 256 * MI),
            gpu: fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 2 })),
            replicas: fc.integer({ min: 1, max: 3 }),
          }),
        ),
      ),
      current: fc.option(fc.array(fc.integer({ min: 0, max: m - 1 }), { minLength: n, maxLength: n }), { nil: undefined }),
      coLocation: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 2 }),
      connections: fc.array(fc.record({ from: fc.integer({ min: 0, max: n - 1 }), to: fc.integer({ min: 0, max: n - 1 }), qos }), { maxLength: 8 }),
      weights: fc.record({ moves: fc.integer({ min: 0, max: 3 }), energy: fc.integer({ min: 0, max: 2 }), traffic: fc.integer({ min: 0, max: 2 }) }),
    }),
  )
  .map((p) => ({
    clusters: p.clusters,
    services: p.services,
    current: p.current ? Object.fromEntries(p.current.map((c, i) => [`s${i}`, `c${c}`])) : undefined,
    coLocation: p.coLocation.filter(([a, b]) => a !== b).map(([a, b]) => [`s${a}`, `s${b}`]),
    connections: p.connections.map((k) => ({ from: `s${k.from}`, to: `s${k.to}`, qos: k.qos })),
    weights: p.weights,
  }));

/** Per property: seeded, so the cases are fixed; the budget only has to fit a loaded 2-core machine. */
const BUDGET_MS = 120_000;

describe("placement properties", () => {
  it("optimal and first-fit answers respect every constraint; optimal is never worse than first-fit", async () => {
    await fc.assert(
      fc.asyncProperty(placementProblem, fc.constantFrom("glpk" as const, "highs" as const), async (p, backend) => {
        const opt = await solver.decidePlacement({ ...p, backend });
        const ff = await solver.decidePlacement({ ...p, strategy: "first-fit" });
        for (const r of [opt, ff]) {
          if (r.status === "infeasible") {
            expect(r.reason).not.toBe("");
            expect(r.placement).toEqual({});
            continue;
          }
          expect(Object.keys(r.placement).sort()).toEqual(p.services.map((s) => s.name).sort());
          expect(placementProblems(p, r.placement)).toEqual([]);
          const moved = p.services.filter((s) => p.current && p.current[s.name] !== r.placement[s.name]).map((s) => s.name);
          expect(r.moved).toEqual(moved);
          expect(r.cost.moves).toBe(moved.length);
          expect(r.objective).toBeCloseTo(placementObjectiveOf(p, r.placement, r.weights), 9);
        }
        expect(opt.status).not.toBe("feasible");
        if (ff.status !== "infeasible") {
          expect(opt.status).toBe("optimal");
          expect(opt.objective).toBeLessThanOrEqual(ff.objective + 1e-9);
        }
      }),
      { numRuns: 150, seed: 20240501 },
    );
  }, BUDGET_MS);

  it("the energy strategy uses no more energy than first-fit when nothing is placed yet", async () => {
    await fc.assert(
      fc.asyncProperty(placementProblem, async (p) => {
        const fresh = { ...p, current: undefined, weights: undefined };
        const [energy, ff] = await Promise.all([solver.decidePlacement({ ...fresh, strategy: "energy" }), solver.decidePlacement({ ...fresh, strategy: "first-fit" })]);
        if (ff.status === "infeasible") return;
        expect(energy.status).toBe("optimal");
        expect(energy.cost.energy).toBeLessThanOrEqual(ff.cost.energy + 1e-9);
      }),
      { numRuns: 80, seed: 7 },
    );
  }, BUDGET_MS);
});

const replicaProblem: fc.Arbitrary<ReplicaProblem> = fc.record({
  cluster: fc.record({ cpu: fc.integer({ min: 0, max: 80 }).map((x) => x / 2) }),
  services: fc.array(
    fc.record({
      cpu: fc.integer({ min: 0, max: 8 }).map((x) => x / 4),
      alpha: fc.integer({ min: 1, max: 50 }),
      beta: fc.integer({ min: -5, max: 10 }),
      rate: fc.integer({ min: 0, max: 600 }),
      current: fc.integer({ min: 0, max: 20 }),
      max: fc.integer({ min: 1, max: 20 }),
      min: fc.integer({ min: 1, max: 3 }),
    }),
    { minLength: 1, maxLength: 12 },
  ).map((ss) => ss.map((s, i) => ({ ...s, name: `s${i}`, min: Math.min(s.min, s.max) }))),
  weights: fc.record({ util: fc.integer({ min: 0, max: 4 }).map((x) => x / 4), trans: fc.integer({ min: 0, max: 4 }).map((x) => x / 4) }),
});

describe("replica properties", () => {
  it("replicas stay within bounds, cover every rate and fit the cluster CPU; infeasibility is explained", async () => {
    await fc.assert(
      fc.asyncProperty(replicaProblem, fc.constantFrom("glpk" as const, "highs" as const), async (p, backend) => {
        const r = await solver.decideReplicas({ ...p, backend });
        if (r.status === "infeasible") {
          expect(r.reason).toMatch(/needs \d+ replicas of|cluster CPU/);
          return;
        }
        expect(r.status).toBe("optimal");
        expect(replicaProblems(p, r.replicas)).toEqual([]);
      }),
      { numRuns: 200, seed: 99 },
    );
  }, BUDGET_MS);
});

// The closed form (src/solver/separable-optimum.ts) against the MILP it stands in for: problems where the CPU
// row rarely binds (single services, roomy clusters), both weight orders, counts above and below what the rate
// needs. Whenever the closed form answers, the MILP's optimum must cost the same and, the optimum being unique
// there by construction, hold the same counts.
const closedFormProblem: fc.Arbitrary<ReplicaProblem> = fc.record({
  cluster: fc.record({ cpu: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(1e6)) }),
  services: fc
    .array(
      fc.record({
        cpu: fc.integer({ min: 0, max: 8 }).map((x) => x / 4),
        alpha: fc.integer({ min: 1, max: 50 }),
        beta: fc.integer({ min: -5, max: 10 }),
        rate: fc.integer({ min: 0, max: 150 }),
        current: fc.integer({ min: 0, max: 25 }),
        max: fc.integer({ min: 1, max: 20 }),
        min: fc.integer({ min: 1, max: 5 }),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((ss) => ss.map((s, i) => ({ ...s, name: `s${i}`, min: Math.min(s.min, s.max) }))),
  weights: fc.record({ util: fc.integer({ min: 0, max: 8 }).map((x) => x / 8), trans: fc.integer({ min: 0, max: 8 }).map((x) => x / 8) }),
});

describe("replica closed form", () => {
  const loader = new BackendLoader();

  it("answers exactly what the MILP answers, whenever it answers", async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(closedFormProblem, fc.constantFrom("glpk" as const, "highs" as const), async (p, backend) => {
        const inst = normalizeReplicaProblem({ ...p, backend });
        const closed = solveReplicasClosedForm(inst);
        const milp = solveReplicas(inst, await loader.load(backend), { closedForm: false });
        if (!closed) return;
        answered++;
        expect(milp.status).toBe("optimal");
        expect(closed.status).toBe("optimal");
        expect(replicaProblems(p, closed.replicas)).toEqual([]);
        expect(closed.objective).toBeCloseTo(milp.objective, 9);
        expect(closed.replicas).toEqual(milp.replicas);
        expect(closed.objective).toBeCloseTo(replicaObjectiveOf(p, closed.replicas, inst.weights), 9);
      }),
      { numRuns: 500, seed: 1515 },
    );
    // The generator must reach the closed form often, or the property says little.
    expect(answered).toBeGreaterThan(150);
  }, BUDGET_MS);

  it("declines when the CPU row binds, and the solver's answer is then the MILP's", async () => {
    // One service whose cheapest count (lowest, u > t) fits but whose count to keep (u < t) does not: the
    // separable optimum keeps 6 replicas (3 cores) in a 2-core cluster, so the MILP decides (4 replicas).
    const p: ReplicaProblem = {
      cluster: { cpu: 2 },
      services: [{ name: "a", cpu: 0.5, alpha: 10, beta: 0, rate: 25, current: 6, min: 1, max: 10 }],
      weights: { util: 0.1, trans: 1 },
    };
    const inst = normalizeReplicaProblem(p);
    expect(solveReplicasClosedForm(inst)).toBeNull();
    const r = await solver.decideReplicas(p);
    expect(r.status).toBe("optimal");
    expect(r.replicas).toEqual({ a: 4 });
    expect(r.backend).not.toBe("none");
  });

  it("declines on a tie (equal weights per replica, count above what the rate needs)", () => {
    const inst = normalizeReplicaProblem({
      cluster: { cpu: 100 },
      services: [{ name: "a", cpu: 1, alpha: 10, beta: 0, rate: 15, current: 5, min: 1, max: 10 }],
      weights: { util: 0.4, trans: 0.4 },
    });
    expect(solveReplicasClosedForm(inst)).toBeNull();
    // Below what the rate needs the optimum is unique again: the fewest covering replicas.
    const up = normalizeReplicaProblem({
      cluster: { cpu: 100 },
      services: [{ name: "a", cpu: 1, alpha: 10, beta: 0, rate: 35, current: 1, min: 1, max: 10 }],
      weights: { util: 0.4, trans: 0.4 },
    });
    expect(solveReplicasClosedForm(up)?.replicas).toEqual({ a: 4 });
  });
});
