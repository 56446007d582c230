// Infeasible problems get status infeasible and a reason naming the binding constraint, from the exact
// pre-checks or, for packing problems only the MILP can prove, from the one-family-at-a-time diagnosis.
import { afterAll, describe, expect, it } from "vitest";
import { createSolver, type PlacementProblem } from "../../src/solver/index.js";

const GI = 2 ** 30;
const solver = createSolver({ workers: 0 });
afterAll(() => solver.close());

async function reason(p: PlacementProblem, backend: "glpk" | "highs" = "glpk"): Promise<string> {
  const r = await solver.decidePlacement({ ...p, backend });
  expect(r.status).toBe("infeasible");
  expect(r.placement).toEqual({});
  return r.reason;
}

describe("placement infeasibility reasons", () => {
  it("a GPU service with no GPU cluster", async () => {
    const p = { clusters: [{ name: "a", cpu: 8 }, { name: "b", cpu: 8, gpu: false }], services: [{ name: "web", cpu: 1 }, { name: "detect", cpu: 1, gpu: true }] };
    expect(await reason(p)).toBe("service detect needs a GPU and no cluster has one");
  });

  it("GPU count: more GPU replicas than any cluster has free", async () => {
    const p = { clusters: [{ name: "a", cpu: 8, gpu: 1 }, { name: "b", cpu: 8, gpu: 1 }], services: [{ name: "detect", cpu: 1, gpu: true, replicas: 2 }] };
    expect(await reason(p)).toBe("service detect needs 2 GPUs and the most free on one cluster is 1");
  });

  it("total CPU above the total free", async () => {
    const p = { clusters: [{ name: "a", cpu: 6 }, { name: "b", cpu: 6 }], services: [1, 2, 3, 4].map((i) => ({ name: `s${i}`, cpu: 3.5 })) };
    expect(await reason(p)).toBe("total CPU 14 exceeds the 12 cores free across all clusters");
  });

  it("total memory above the total free", async () => {
    const p = { clusters: [{ name: "a", cpu: 8, memoryBytes: 4 * GI }, { name: "b", cpu: 8, memoryBytes: 4 * GI }], services: [1, 2, 3].map((i) => ({ name: `s${i}`, cpu: 1, memoryBytes: 3 * GI })) };
    expect(await reason(p)).toBe("total memory 9Gi exceeds the 8Gi free across all clusters");
  });

  it("one service larger than every cluster", async () => {
    const p = { clusters: [{ name: "a", cpu: 6 }, { name: "b", cpu: 4 }], services: [{ name: "big", cpu: 4, replicas: 2 }] };
    expect(await reason(p)).toBe("service big needs 8 cores and the most free on one cluster is 6");
  });

  it("a co-location group too big for any cluster", async () => {
    const p = { clusters: [{ name: "a", cpu: 6 }, { name: "b", cpu: 6 }], services: [{ name: "x", cpu: 4 }, { name: "y", cpu: 4 }], coLocation: [["x", "y"]] };
    expect(await reason(p)).toBe("co-location group {x, y} need together 8 cores and the most free on one cluster is 6");
  });

  it("GPU services' CPU above the GPU clusters' free CPU", async () => {
    const p = { clusters: [{ name: "g", cpu: 4, gpu: true }, { name: "a", cpu: 16 }], services: [{ name: "d1", cpu: 3, gpu: true }, { name: "d2", cpu: 3, gpu: true }] };
    expect(await reason(p)).toBe("GPU services need 6 cores and the GPU clusters have 4 free");
  });

  for (const backend of ["glpk", "highs"] as const) {
    it(`${backend}: CPU packing that only the MILP can prove infeasible`, async () => {
      // 12 cores needed, 12 free, every service fits somewhere, but 4+4+4 cannot be split into 6 and 6.
      const p = { clusters: [{ name: "a", cpu: 6 }, { name: "b", cpu: 6 }], services: [{ name: "x", cpu: 4 }, { name: "y", cpu: 4 }, { name: "z", cpu: 4 }] };
      const r = await solver.decidePlacement({ ...p, backend });
      expect(r.status).toBe("infeasible");
      expect(r.backend).toBe(backend);
      expect(r.reason).toBe("the services' CPU (12 cores in pieces of 4, 4, 4) cannot be packed into the free CPU of the clusters (a 6, b 6); the problem is feasible without the CPU limits");
    });

    it(`${backend}: co-location as the binding constraint`, async () => {
      // Without co-location {e,a} and {b,c,d} fit 6/6; with it, the 4-core groups leave 2 + 2 for e (4 cores).
      const p = {
        clusters: [{ name: "a", cpu: 6 }, { name: "b", cpu: 6 }],
        services: [{ name: "a", cpu: 2 }, { name: "b", cpu: 2 }, { name: "c", cpu: 2 }, { name: "d", cpu: 2 }, { name: "e", cpu: 4 }],
        coLocation: [["a", "b"], ["c", "d"]],
      };
      const text = await reason(p, backend);
      expect(text).toMatch(/^the co-location groups \{a, b\}, \{c, d\} cannot each be kept on one cluster within the free capacity; the problem is feasible without co-location/);
      expect(text).toMatch(/lifting the CPU limits instead would also do$/);
    });
  }

  it("no clusters at all", async () => {
    expect(await reason({ clusters: [], services: [{ name: "x", cpu: 1 }] })).toBe("no clusters to place the 1 services on");
  });
});

describe("replica infeasibility reasons", () => {
  it("a rate that needs more replicas than max", async () => {
    const r = await solver.decideReplicas({ cluster: { cpu: 100 }, services: [{ name: "web", cpu: 0.5, alpha: 10, beta: -10, rate: 300, max: 20 }] });
    expect(r.status).toBe("infeasible");
    expect(r.reason).toBe("rate 300 needs 31 replicas of web; max is 20");
  });

  it("cluster CPU below what the rates need", async () => {
    const r = await solver.decideReplicas({
      cluster: { cpu: 12 },
      services: [
        { name: "web", cpu: 1, alpha: 10, rate: 100, max: 20 },
        { name: "api", cpu: 2, alpha: 10, rate: 20, max: 5 },
      ],
    });
    expect(r.status).toBe("infeasible");
    expect(r.reason).toBe("cluster CPU: the fewest replicas that cover the rates (web 10×1, api 2×2) need 14 cores; the cluster has 12 free");
  });
});
