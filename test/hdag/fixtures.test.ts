// The project's own descriptors (test/fixtures/hdag): each is accepted, and each feature of the format it
// exercises translates to the expected model values. The same checks on the real corpus are in corpus.test.ts.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { canonicalDescriptorHash, loadDescriptor, parseDescriptor, type GraphModel } from "../../src/core/hdag/index.js";
import { fixtureFiles, fixtureText } from "../fixtures/index.js";

function model(name: string): { model: GraphModel; warnings: string[] } {
  const r = loadDescriptor(fixtureText(name));
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
  return { model: r.model, warnings: r.warnings.map((w) => w.path) };
}

/** The same data with every object's keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

describe("hdag fixtures", () => {
  const files = fixtureFiles();

  it("cover YAML, JSON and a graph record", () => {
    expect(files.some((f) => f.name.endsWith(".yaml"))).toBe(true);
    expect(files.some((f) => f.name.endsWith(".json") && !f.name.startsWith("records/"))).toBe(true);
    expect(files.some((f) => f.name.startsWith("records/"))).toBe(true);
  });

  for (const file of files) {
    it(`accepts ${file.name}, with the legacy warning only for 0.3.0`, () => {
      const r = loadDescriptor(file.text);
      if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
      expect(r.model.services.length).toBeGreaterThan(0);
      expect(r.warnings.some((w) => w.path === "hdaGraph.imVersion")).toBe(file.name.startsWith("legacy-0.3.0"));
    });
  }

  it("sizes the classes: small is 1 CPU, 1 GiB, 10 GB; light 0.5 CPU, 500 MiB; medium storage 20 GB", () => {
    expect(model("greeter.yaml").model.services[0]!.resources).toEqual({
      cpuClass: "small", ramClass: "small", storageClass: "small", cpu: 1, memoryBytes: 2 ** 30, storageBytes: 10e9, gpu: 0,
    });
    expect(model("greeter-no-intent.yaml").model.services[0]!.resources).toMatchObject({ cpu: 0.5, memoryBytes: 500 * 2 ** 20, storageBytes: 20e9 });
  });

  it("takes a missing hdaGraphIntent as every intent off and dynamic placement", () => {
    expect(model("greeter-no-intent.yaml").model.intent).toMatchObject({
      security: false, highAvailability: false, highPerformance: false, energyEfficiency: false, useStaticPlacement: false,
    });
  });

  it("GPU: YAML True and the string \"True\" request a GPU, False and \"False\" do not; missing storage is small", () => {
    const vision = model("gpu-vision.yaml");
    expect(vision.model.services.map((s) => [s.id, s.resources.gpu, s.resources.cpu, s.resources.storageClass])).toEqual([
      ["portal", 0, 1, "small"],
      ["detector", 1, 4, "small"],
    ]);
    expect(vision.model.intent).toMatchObject({ highAvailability: true, minReplicasOverall: 1, maxReplicasOverall: 12 });
    expect(model("batch-event-all.yaml").model.services.find((s) => s.id === "worker")!.resources.gpu).toBe(1);
    expect(model("pipeline-event-any.yaml").model.services.find((s) => s.id === "analyser")!.resources.gpu).toBe(0);
  });

  it("warns that network.connectionPoints is not read (only intent.connectionPoints makes a connection)", () => {
    const vision = model("gpu-vision.yaml");
    expect(vision.model.connections).toEqual([]);
    expect(vision.warnings).toEqual([
      "hdaGraph.services[0].deployment.intent.network.connectionPoints",
      "hdaGraph.services[1].deployment.intent.network.connectionPoints",
    ]);
  });

  it("connection points: one edge per consumer → provider, with the latency qos of the matching latency entry", () => {
    expect(model("pipeline-event-any.yaml").model.connections).toEqual([
      { from: "microphone-vo", to: "filter", qos: "best-effort" },
      { from: "filter", to: "analyser", qos: "low" },
    ]);
    expect(model("batch-event-all.yaml").model.connections).toEqual([{ from: "worker", to: "queue", qos: "ultralow" }]);
  });

  it("event trigger ANY: the event, its PromQL, grace period and sources; an outside source is a warning", () => {
    const { model: m, warnings } = model("pipeline-event-any.yaml");
    expect(m.intent.useStaticPlacement).toBe(true);
    expect(m.description).toBe("Microphone array pipeline");
    expect(m.services[0]!.trigger).toEqual({
      kind: "event",
      condition: "ANY",
      events: [
        {
          id: "array-online",
          promQuery: 'absent(up{job="microphone-array"})',
          gracePeriod: "90s",
          description: "Microphone array reachable",
          sources: [{ serviceId: "array", metricId: "array-up" }],
        },
      ],
    });
    expect(m.services[0]!.artifact).toMatchObject({ type: "VO", implementer: "WOT", valuesOverwrite: { voDescriptorOverwrite: {}, voChartOverwrite: {} } });
    expect(m.services[0]!.deviceProximity).toBe(true);
    expect(warnings).toEqual(["hdaGraph.services[0].deployment.trigger.event.events[0].source[0].serviceId"]);
  });

  it("event trigger ALL: both events kept in order; the always-on queue keeps its Helm values", () => {
    const m = model("batch-event-all.yaml").model;
    const worker = m.services.find((s) => s.id === "worker")!;
    expect(worker.trigger).toMatchObject({ kind: "event", condition: "ALL" });
    expect(worker.trigger.kind === "event" && worker.trigger.events.map((e) => [e.id, e.gracePeriod])).toEqual([
      ["backlog-high", "5m"],
      ["off-peak", "15m"],
    ]);
    expect(m.services.find((s) => s.id === "queue")!.artifact.valuesOverwrite).toEqual({ persistence: { size: "5Gi" } });
  });

  it("co-location: a group inside the graph; a groundedGraphId reference to another graph is kept, not grouped", () => {
    const m = model("shop-co-location.yaml").model;
    expect(m.coLocationGroups).toEqual([["cart", "session-cache"]]);
    expect(m.services.map((s) => s.coLocation)).toEqual([[{ service: "session-cache" }], [{ service: "catalogue", groundedGraphId: "catalogue-graph" }]]);
    expect(m.services[0]!.trigger).toEqual({ kind: "auto", dependencies: ["session-cache"] });
    expect(m.intent).toMatchObject({ placementStrategy: "optimal", highPerformance: true });
  });

  it("scaling: per-service alpha, beta and bounds, graph strategies; defaults where the extension is absent", () => {
    const m = model("api-scaling.yaml").model;
    expect(m.services.map((s) => s.scaling)).toEqual([
      { alpha: 120, beta: 10, minReplicas: 2, maxReplicas: 6 },
      { alpha: 40, beta: 0, minReplicas: 1, maxReplicas: 10 },
    ]);
    expect(m.intent).toMatchObject({ placementStrategy: "energy", scalingStrategy: "forecast", energyEfficiency: true, minReplicasOverall: 2, maxReplicasOverall: 20 });
    expect(model("greeter.yaml").model.services[0]!.scaling).toEqual({ alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 10 });
    expect(model("greeter.yaml").model.intent.scalingStrategy).toBe("reactive");
  });

  it("upgrades the 0.3.0 descriptor to the 0.4.0 model, with the two legacy warnings", () => {
    const { model: m, warnings } = model("legacy-0.3.0.yaml");
    expect(m.imVersion).toBe("0.4.0");
    expect(m.services.every((s) => s.resources.cpuClass === "small" && s.resources.storageClass === "small")).toBe(true);
    expect(m.connections).toEqual([{ from: "ingest-vo", to: "store", qos: "best-effort" }]);
    expect(warnings).toEqual(["hdaGraph.imVersion", "hdaGraph.hdaGraphIntent"]);
  });

  it("reads the stored JSON form and a graph record (its other top-level keys are warnings) as the YAML one", () => {
    const yaml = model("greeter.yaml").model;
    const json = model("greeter-stored.json");
    expect(json.warnings).toEqual([]);
    expect(json.model.services[0]!.resources).toEqual(yaml.services[0]!.resources);
    expect(json.model.intent.useStaticPlacement).toBe(true);
    const record = model("records/greeter-graph-record.json");
    expect(record.model).toEqual(json.model);
    expect(record.warnings).toEqual(["grafana", "name", "project", "services", "status"]);
  });

  it("hashes the same descriptor identically whatever its spelling (JSON or YAML, any key order)", () => {
    const parsed = parseDescriptor(fixtureText("greeter-stored.json"));
    if (!parsed.ok) throw new Error("invalid");
    const again = parseDescriptor(stringify(reverseKeys(parsed.document)));
    if (!again.ok) throw new Error("invalid");
    expect(JSON.stringify(again.document)).not.toBe(JSON.stringify(parsed.document));
    expect(canonicalDescriptorHash(again.document)).toBe(canonicalDescriptorHash(parsed.document));
    expect(canonicalDescriptorHash(again.document)).toMatch(/^[0-9a-f]{64}$/);
  });
});
