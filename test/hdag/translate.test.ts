// The translated model: the size table, connections with qos, co-location groups, triggers, scaling defaults,
// and the INVALID_ARGUMENT bridge used by DeployGraph.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/core/errors.js";
import {
  canonicalDescriptorHash,
  toFieldViolations,
  toInvalidArgument,
  translateDescriptor,
  validateDescriptor,
} from "../../src/core/hdag/index.js";
import { validDoc, variant } from "./fixture.js";

const MI = 2 ** 20;
const GI = 2 ** 30;

describe("translateDescriptor", () => {
  it("maps every cpu / ram / storage class and gpu", () => {
    const table = [
      ["light", 0.5, 500 * MI],
      ["small", 1, GI],
      ["medium", 4, 2 * GI],
      ["large", 8, 8 * GI],
    ] as const;
    for (const [cls, cores, bytes] of table) {
      const m = translateDescriptor(variant((_, s) => Object.assign(s[0].deployment.intent.compute, { cpu: cls, ram: cls })));
      expect(m.services[0]!.resources).toMatchObject({ cpuClass: cls, ramClass: cls, cpu: cores, memoryBytes: bytes });
    }
    for (const [cls, bytes] of [["small", 10e9], ["medium", 20e9], ["large", 40e9]] as const) {
      const m = translateDescriptor(variant((_, s) => (s[0].deployment.intent.compute.storage = cls)));
      expect(m.services[0]!.resources.storageBytes).toBe(bytes);
    }
    const m = translateDescriptor(validDoc());
    expect(m.services.map((s) => s.resources.gpu)).toEqual([0, 1, 0]); // backend: gpu.enabled "True"
    expect(m.services[2]!.resources.storageClass).toBe("small"); // absent storage
  });

  it("builds connections with the qos of the latency naming the callee, else best-effort", () => {
    const m = translateDescriptor(validDoc());
    expect(m.connections).toEqual([
      { from: "frontend", to: "backend", qos: "low" },
      { from: "frontend", to: "cache", qos: "best-effort" },
      { from: "backend", to: "cache", qos: "best-effort" },
    ]);
  });

  it("highPerformance makes every connection ultralow", () => {
    const m = translateDescriptor(variant((g) => (g.hdaGraphIntent.highPerformance.enabled = true)));
    expect(new Set(m.connections.map((c) => c.qos))).toEqual(new Set(["ultralow"]));
    expect(m.services[0]!.latencies).toEqual([{ connectionPoint: "backend", qos: "low" }]);
  });

  it("drops self and repeated connection points from the model", () => {
    const m = translateDescriptor(variant((_, s) => s[0].deployment.intent.connectionPoints.push("frontend", "cache")));
    expect(m.services[0]!.connectionPoints).toEqual(["backend", "cache"]);
  });

  it("groups co-located services transitively and keeps grounded references", () => {
    const m = translateDescriptor(validDoc());
    expect(m.coLocationGroups).toEqual([["frontend", "backend"]]);
    expect(m.services[2]!.coLocation).toEqual([{ service: "store", groundedGraphId: "other-graph" }]);
    const chained = translateDescriptor(variant((_, s) => s[2].deployment.intent.coLocation.push({ id: "backend" })));
    expect(chained.coLocationGroups).toEqual([["frontend", "backend", "cache"]]);
    const none = translateDescriptor(variant((_, s) => (s[0].deployment.intent.coLocation = [])));
    expect(none.coLocationGroups).toEqual([]);
  });

  it("translates auto and event triggers", () => {
    const m = translateDescriptor(validDoc());
    expect(m.services[0]!.trigger).toEqual({ kind: "auto", dependencies: ["backend"] });
    expect(m.services[2]!.trigger).toEqual({
      kind: "event",
      condition: "ALL",
      events: [
        {
          id: "cache-needed",
          promQuery: "sum(rate(hits_total[1m])) > 10",
          gracePeriod: "1h30m",
          description: "busy",
          sources: [{ serviceId: "backend", metricId: "hits" }],
        },
      ],
    });
  });

  it("fills scaling from the descriptor, then options, then defaults (alpha 10, beta 0, 1..10)", () => {
    const m = translateDescriptor(validDoc());
    expect(m.services[0]!.scaling).toEqual({ alpha: 50, beta: 5, minReplicas: 2, maxReplicas: 8 });
    expect(m.services[1]!.scaling).toEqual({ alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 10 });
    const withOpts = translateDescriptor(validDoc(), { scalingDefaults: { alpha: 3, maxReplicas: 4 } });
    expect(withOpts.services[1]!.scaling).toEqual({ alpha: 3, beta: 0, minReplicas: 1, maxReplicas: 4 });
    const minOnly = translateDescriptor(variant((_, s) => (s[1].deployment.intent.scaling = { minReplicas: 20 })));
    expect(minOnly.services[1]!.scaling).toMatchObject({ minReplicas: 20, maxReplicas: 20 });
  });

  it("carries the graph intent and the smo extensions", () => {
    const m = translateDescriptor(validDoc());
    expect(m.intent).toEqual({
      security: false,
      highAvailability: true,
      highPerformance: false,
      energyEfficiency: false,
      useStaticPlacement: false,
      placementStrategy: "optimal",
      scalingStrategy: "forecast",
      minReplicasOverall: 1,
      maxReplicasOverall: 10,
    });
    const bare = translateDescriptor(variant((g) => delete g.hdaGraphIntent));
    expect(bare.intent).toEqual({
      security: false,
      highAvailability: false,
      highPerformance: false,
      energyEfficiency: false,
      useStaticPlacement: false,
      scalingStrategy: "reactive",
    });
    expect(m.services[0]!.artifact.container).toEqual({ image: "nginx:1.25", ports: [8080], env: { MODE: "prod" } });
    expect(m.services[1]!.deviceProximity).toBe(true);
    expect(m).toMatchObject({ id: "demo-graph", version: "1.2.0", imVersion: "0.4.0", designer: "smo tests" });
  });

  it("copies valuesOverwrite so deployers cannot alter the stored descriptor", () => {
    const doc = validDoc();
    const m = translateDescriptor(doc);
    (m.services[1]!.artifact.valuesOverwrite as Record<string, unknown>).clustersAffinity = ["c1"];
    expect(doc.hdaGraph.services[1].artifact.valuesOverwrite).toEqual({ replicas: 1 });
  });

  it("throws InvalidArgumentError with one field violation per error", () => {
    const doc = variant((g, s) => {
      g.version = "v1";
      s[1].deployment.intent.compute.cpu = "huge";
      g.owner = "warning only";
    });
    let caught: unknown;
    try {
      translateDescriptor(doc);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    const e = caught as InvalidArgumentError;
    expect(e.violations.map((v) => v.field)).toEqual(["hdaGraph.version", "hdaGraph.services[1].deployment.intent.compute.cpu"]);
    expect(e.message).toMatch(/^invalid HDAG descriptor: 2 errors, first hdaGraph.version: expected a SemVer/);
  });
});

describe("field violations", () => {
  it("maps errors only, syntax errors on the request field", () => {
    const issues = [
      { path: "", message: "syntax error at line 1, column 2: x", severity: "error" as const },
      { path: "hdaGraph.id", message: "m", severity: "error" as const },
      { path: "hdaGraph.x", message: "w", severity: "warning" as const },
    ];
    expect(toFieldViolations(issues)).toEqual([
      { field: "descriptor", description: "syntax error at line 1, column 2: x" },
      { field: "hdaGraph.id", description: "m" },
    ]);
    expect(toInvalidArgument(issues, "artifact").violations[0]!.field).toBe("artifact");
    expect(toFieldViolations(validateDescriptor(variant((g) => (g.id = "X"))).issues)).toEqual([
      { field: "hdaGraph.id", description: expect.stringMatching(/RFC 1123/) },
    ]);
  });
});

describe("canonicalDescriptorHash", () => {
  it("ignores key order and distinguishes content", () => {
    const a = canonicalDescriptorHash({ b: 1, a: [{ y: 2, x: "s" }] });
    expect(a).toBe(canonicalDescriptorHash({ a: [{ x: "s", y: 2 }], b: 1 }));
    expect(a).not.toBe(canonicalDescriptorHash({ b: 1, a: [{ y: 2, x: "t" }] }));
    expect(a).not.toBe(canonicalDescriptorHash({ b: 1, a: [{ x: "s" }, { y: 2 }] }));
    // sha256 of the canonical text {"a":1}
    expect(canonicalDescriptorHash({ a: 1 })).toBe("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
  });
});
