// Bad input gets InvalidArgumentError with every violation and its field path.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { normalizePlacementProblem, normalizeReplicaProblem, placementProblemFromJson, replicaProblemFromJson, type PlacementProblem } from "../../src/solver/index.js";

function violations(fn: () => unknown): { field: string; description: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as InvalidArgumentError).violations;
  }
  throw new Error("expected an InvalidArgumentError");
}

const ok: PlacementProblem = {
  clusters: [{ name: "a", cpu: 4, memoryBytes: 2 ** 30 }, { name: "b", cpu: 4 }],
  services: [{ name: "x", cpu: 1 }, { name: "y", cpu: 1 }, { name: "z", cpu: 1 }],
};

describe("placement problem validation", () => {
  it("accepts a minimal problem and fills defaults", () => {
    const inst = normalizePlacementProblem(ok);
    expect(inst.strategy).toBe("optimal");
    expect(inst.backend).toBe("auto");
    expect(inst.timeLimitMs).toBe(2000);
    expect(inst.weights).toEqual({ moves: 1, energy: 0, traffic: 0 });
    expect(inst.clusters[1]!.memoryBytes).toBe(Infinity);
    expect(inst.services[0]).toEqual({ name: "x", cpu: 1, memoryBytes: 0, gpus: 0, replicas: 1 });
  });

  it("reports each bad field with its path", () => {
    const v = violations(() =>
      normalizePlacementProblem({
        clusters: [{ name: "a", cpu: 4 }, { name: "a", cpu: -1, gpu: 1.5 }],
        services: [{ name: "x", cpu: 1 }, { name: "y", cpu: 1, replicas: 0 }, { name: "z", cpu: -2 }],
        current: { nope: "a" },
        coLocation: [["x", "w"], ["y"]],
        connections: [{ from: "x", to: "q", qos: "fast" as never }],
        weights: { moves: -1 },
        backend: "cplex" as never,
        timeLimitMs: 0,
      }),
    );
    expect(v.map((x) => x.field)).toEqual(
      expect.arrayContaining([
        "clusters[1].cpu",
        "clusters[1].gpu",
        "clusters[1].name",
        "services[1].replicas",
        "services[2].cpu",
        "current.nope",
        "coLocation[0][1]",
        "coLocation[1]",
        "connections[0].to",
        "connections[0].qos",
        "weights.moves",
        "backend",
        "timeLimitMs",
      ]),
    );
    expect(v.find((x) => x.field === "services[2].cpu")!.description).toMatch(/≥ 0/);
  });

  it("requires clusters and services", () => {
    const v = violations(() => normalizePlacementProblem({} as PlacementProblem));
    expect(v).toEqual([
      { field: "clusters", description: "is required" },
      { field: "services", description: "is required" },
    ]);
  });

  it("rejects an unknown strategy, listing the known ones", () => {
    try {
      normalizePlacementProblem({ ...ok, strategy: "fastest" });
      throw new Error("accepted");
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toBe('unknown strategy "fastest"; known strategies: energy, first-fit, optimal');
      expect((err as InvalidArgumentError).violations[0]!.field).toBe("strategy");
    }
  });

  it("merges overlapping co-location groups and ignores self-connections", () => {
    const inst = normalizePlacementProblem({ ...ok, coLocation: [["x", "y"], ["z", "y"]], connections: [{ from: "x", to: "x" }, { from: "x", to: "z", qos: "ultralow" }] });
    expect(inst.coLocation).toEqual([[0, 1, 2]]);
    expect(inst.connections).toEqual([{ from: 0, to: 2, weight: 4 }]);
  });

  it("takes a strategy's default weights and lets the caller override them", () => {
    expect(normalizePlacementProblem({ ...ok, strategy: "energy" }).weights).toEqual({ moves: 1, energy: 1, traffic: 0 });
    expect(normalizePlacementProblem({ ...ok, strategy: "energy", weights: { moves: 0 } }).weights).toEqual({ moves: 0, energy: 1, traffic: 0 });
  });
});

describe("replica problem validation", () => {
  it("reports bad fields with paths", () => {
    const v = violations(() =>
      normalizeReplicaProblem({
        cluster: { cpu: -1 },
        services: [
          { name: "web", cpu: 1, alpha: 0, rate: 10, max: 5 },
          { name: "web", cpu: 1, alpha: 1, rate: -1, max: 2, min: 3, current: 1.5 },
        ],
        weights: { util: -0.1 },
      }),
    );
    expect(v.map((x) => x.field)).toEqual(
      expect.arrayContaining(["cluster.cpu", "services[0].alpha", "services[1].name", "services[1].rate", "services[1].min", "services[1].current", "weights.util"]),
    );
  });

  it("fills defaults (beta 0, current 0, min 1, weights 0.4/0.4)", () => {
    const inst = normalizeReplicaProblem({ cluster: { cpu: 4 }, services: [{ name: "web", cpu: 1, alpha: 10, rate: 5, max: 3 }] });
    expect(inst.services[0]).toEqual({ name: "web", cpu: 1, alpha: 10, beta: 0, rate: 5, current: 0, min: 1, max: 3 });
    expect(inst.weights).toEqual({ util: 0.4, trans: 0.4 });
  });
});

describe("JSON file formats", () => {
  it("parses memory quantities, cpu quantities and boolean or numeric cluster GPUs", () => {
    const p = placementProblemFromJson({
      clusters: [{ name: "a", cpu: 8, memory: "16Gi", gpu: true, energyCost: 0.5 }, { name: "b", cpu: "3500m", memory: "8G", gpu: 2 }],
      services: [{ name: "x", cpu: 1, memory: "512Mi", gpu: true, replicas: 2 }],
    });
    expect(p.clusters[0]).toMatchObject({ name: "a", cpu: 8, memoryBytes: 16 * 2 ** 30, gpu: true });
    expect(p.clusters[1]).toMatchObject({ cpu: 3.5, memoryBytes: 8e9, gpu: 2 });
    expect(p.services[0]).toMatchObject({ memoryBytes: 512 * 2 ** 20, gpu: true, replicas: 2 });
  });

  it("reports bad quantities and unknown fields with their paths", () => {
    const v = violations(() =>
      placementProblemFromJson({ clusters: [{ name: "a", cpu: 1, memory: "lots" }], services: [{ name: "x", cpu: 1, memroy: "1Gi" }], extra: 1 }),
    );
    expect(v.map((x) => x.field)).toEqual(["extra", "clusters[0].memory", "services[0].memroy"]);
    expect(violations(() => placementProblemFromJson([]))[0]!.description).toMatch(/JSON object/);
    expect(violations(() => replicaProblemFromJson({ cluster: { cpu: 1, gpu: 1 }, services: [] })).map((x) => x.field)).toEqual(["cluster.gpu"]);
  });
});
