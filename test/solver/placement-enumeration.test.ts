// ≥ 200 seeded small placement instances per backend, each checked against exhaustive enumeration: the solver
// must prove the same optimum (or report infeasible exactly when no assignment is feasible) and its answer must
// satisfy every constraint. Solves run on the test's thread (workers: 0) to keep the suite fast.
import { afterAll, describe, expect, it } from "vitest";
import { createSolver, type PlacementProblem } from "../../src/solver/index.js";
import { generatePlacement, rng } from "../../bench/solver/generate.js";
import { bruteForcePlacement, placementObjectiveOf, placementProblems } from "./brute-force.js";

const WEIGHT_SETS = [undefined, { moves: 1, energy: 0.5, traffic: 0.3 }, { moves: 0, energy: 1, traffic: 0 }, { moves: 2, energy: 0, traffic: 1 }, { moves: 0.5, energy: 0.2, traffic: 2 }];
const COUNT = 220;
/** Per backend: exhaustive enumeration plus 220 solves takes seconds alone, several times more on a loaded 2-core box. */
const BUDGET_MS = 180_000;

function instance(seed: number): PlacementProblem {
  const r = rng(seed * 7919);
  const clusters = 1 + Math.floor(r() * 4);
  const maxServices = clusters === 1 ? 7 : clusters === 2 ? 7 : clusters === 3 ? 6 : 5;
  const p = generatePlacement({
    services: 1 + Math.floor(r() * maxServices),
    clusters,
    tightness: [0.35, 0.5, 0.7, 0.85, 1, 1.15][Math.floor(r() * 6)]!,
    maxReplicas: 2,
    seed,
    gpuShare: [0, 0.2, 0.4][Math.floor(r() * 3)]!,
    coLocation: Math.floor(r() * 3),
    connectivity: r(),
    current: r() < 0.6,
    weights: WEIGHT_SETS[Math.floor(r() * WEIGHT_SETS.length)],
  });
  // Some clusters without a memory limit, some current placements on a cluster that is gone.
  if (r() < 0.2) delete p.clusters[0]!.memoryBytes;
  if (p.current && r() < 0.2) p.current[p.services[0]!.name] = "gone";
  return p;
}

const solver = createSolver({ workers: 0 });
afterAll(() => solver.close());

describe("placement MILP against enumeration", () => {
  const problems = Array.from({ length: COUNT }, (_, i) => instance(i + 1));

  it("covers GPU, co-location, connections, current placements and infeasible cases", () => {
    const infeasible = problems.filter((p) => bruteForcePlacement(p, weightsOf(p)) === null).length;
    expect(infeasible).toBeGreaterThanOrEqual(25);
    expect(problems.length - infeasible).toBeGreaterThanOrEqual(120);
    expect(problems.filter((p) => p.services.some((s) => s.gpu)).length).toBeGreaterThanOrEqual(40);
    expect(problems.filter((p) => (p.coLocation ?? []).length > 0).length).toBeGreaterThanOrEqual(40);
    expect(problems.filter((p) => (p.connections ?? []).length > 0).length).toBeGreaterThanOrEqual(100);
    expect(problems.filter((p) => p.current).length).toBeGreaterThanOrEqual(80);
  });

  for (const backend of ["glpk", "highs"] as const) {
    it(`${backend}: proves the enumerated optimum on ${COUNT} instances`, async () => {
      const mismatches: string[] = [];
      let solverInfeasible = 0;
      for (const [i, p] of problems.entries()) {
        const weights = weightsOf(p);
        const best = bruteForcePlacement(p, weights);
        const result = await solver.decidePlacement({ ...p, backend });
        const tag = `#${i + 1}`;
        if (best === null) {
          if (result.status !== "infeasible" || result.reason === "") mismatches.push(`${tag}: expected infeasible, got ${result.status}`);
          if (result.backend === backend) solverInfeasible++;
          continue;
        }
        if (result.status !== "optimal") {
          mismatches.push(`${tag}: expected optimal ${best}, got ${result.status} (${result.reason})`);
          continue;
        }
        const broken = placementProblems(p, result.placement);
        if (broken.length > 0) mismatches.push(`${tag}: infeasible answer: ${broken.join("; ")}`);
        const z = placementObjectiveOf(p, result.placement, weights);
        if (Math.abs(z - best) > 1e-6 * Math.max(1, Math.abs(best))) mismatches.push(`${tag}: objective ${z}, enumeration ${best}`);
        if (Math.abs(result.objective - z) > 1e-6 * Math.max(1, Math.abs(z))) mismatches.push(`${tag}: reported objective ${result.objective} ≠ ${z}`);
        expect(result.gap).toBe(0);
      }
      expect(mismatches).toEqual([]);
      // Some infeasibility is only found by the MILP (packing), not by the pre-checks: the diagnosis path ran.
      expect(solverInfeasible).toBeGreaterThanOrEqual(1);
    }, BUDGET_MS);
  }
});

function weightsOf(p: PlacementProblem): { moves: number; energy: number; traffic: number } {
  return { moves: p.weights?.moves ?? 1, energy: p.weights?.energy ?? 0, traffic: p.weights?.traffic ?? 0 };
}
