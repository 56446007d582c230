// ≥ 200 seeded small replica instances per backend against exhaustive enumeration of every replica vector.
import { afterAll, describe, expect, it } from "vitest";
import { createSolver, type ReplicaProblem } from "../../src/solver/index.js";
import { generateReplicas, rng } from "../../bench/solver/generate.js";
import { bruteForceReplicas, replicaObjectiveOf, replicaProblems } from "./brute-force.js";

const COUNT = 220;
/** Per backend: exhaustive enumeration plus 220 solves takes seconds alone, several times more on a loaded 2-core box. */
const BUDGET_MS = 180_000;

function instance(seed: number): ReplicaProblem {
  const r = rng(seed * 104729);
  return generateReplicas({ services: 1 + Math.floor(r() * 4), seed, cpuShare: [0.45, 0.65, 0.85, 1.1][Math.floor(r() * 4)]!, maxReplicas: 6 });
}

const solver = createSolver({ workers: 0 });
afterAll(() => solver.close());

describe("replica MILP against enumeration", () => {
  const problems = Array.from({ length: COUNT }, (_, i) => instance(i + 1));
  const weightsOf = (p: ReplicaProblem) => ({ util: p.weights?.util ?? 0.4, trans: p.weights?.trans ?? 0.4 });

  it("covers feasible instances, rates above max and CPU-bound clusters", () => {
    const infeasible = problems.filter((p) => bruteForceReplicas(p, weightsOf(p)) === null);
    expect(infeasible.length).toBeGreaterThanOrEqual(30);
    expect(problems.length - infeasible.length).toBeGreaterThanOrEqual(100);
    const overMax = infeasible.filter((p) => p.services.some((s) => Math.ceil((s.rate - (s.beta ?? 0)) / s.alpha) > s.max));
    expect(overMax.length).toBeGreaterThanOrEqual(10);
    expect(infeasible.length - overMax.length).toBeGreaterThanOrEqual(10);
  });

  for (const backend of ["glpk", "highs"] as const) {
    it(`${backend}: proves the enumerated optimum on ${COUNT} instances`, async () => {
      const mismatches: string[] = [];
      for (const [i, p] of problems.entries()) {
        const weights = weightsOf(p);
        const best = bruteForceReplicas(p, weights);
        const result = await solver.decideReplicas({ ...p, backend });
        const tag = `#${i + 1}`;
        if (best === null) {
          if (result.status !== "infeasible" || result.reason === "") mismatches.push(`${tag}: expected infeasible, got ${result.status}`);
          continue;
        }
        if (result.status !== "optimal") {
          mismatches.push(`${tag}: expected optimal ${best}, got ${result.status} (${result.reason})`);
          continue;
        }
        const broken = replicaProblems(p, result.replicas);
        if (broken.length > 0) mismatches.push(`${tag}: infeasible answer: ${broken.join("; ")}`);
        const z = replicaObjectiveOf(p, result.replicas, weights);
        if (Math.abs(z - best) > 1e-6 * Math.max(1, best)) mismatches.push(`${tag}: objective ${z}, enumeration ${best}`);
        if (Math.abs(result.objective - z) > 1e-6 * Math.max(1, z)) mismatches.push(`${tag}: reported objective ${result.objective} ≠ ${z}`);
      }
      expect(mismatches).toEqual([]);
    }, BUDGET_MS);
  }
});
