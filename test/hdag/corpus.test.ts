// The real NEPHELE corpus, an extra check beside the project's own fixtures (fixtures.test.ts): every descriptor
// is accepted, the legacy 0.3.0 one with a warning, and the translated values match what NEPHELE's SMO stored
// for the same descriptors. Skipped when the corpus is absent, required under SMO_REQUIRE_INTEGRATION=1.
import { describe, expect, it } from "vitest";
import { loadDescriptor } from "../../src/core/hdag/index.js";
import { loadCorpus } from "../fixtures/index.js";

const corpus = loadCorpus();

describe.skipIf(corpus.skip)(`hdag corpus${corpus.reason}`, () => {
  it("holds the expected descriptors", () => {
    expect(corpus.files.length).toBeGreaterThanOrEqual(11);
  });

  for (const file of corpus.files) {
    it(`accepts ${file.name}`, () => {
      const r = loadDescriptor(file.text);
      if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join("\n"));
      expect(r.model.services.length).toBeGreaterThan(0);
      const legacy = r.warnings.some((w) => w.path === "hdaGraph.imVersion");
      expect(legacy).toBe(file.name.startsWith("icclab__nephele_demos__brussels-demo-vo-wot"));
    });
  }

  const byName = (prefix: string) => corpus.files.find((f) => f.name.startsWith(prefix))!;

  it("translates the Brussels demo (VO → noise-reduction → image-detection, event-triggered VO)", () => {
    const r = loadDescriptor(byName("abilian__smo-monorepo__brussels-demo").text);
    if (!r.ok) throw new Error("invalid");
    const m = r.model;
    expect(m.services.map((s) => s.id)).toEqual(["image-compression-vo", "noise-reduction", "image-detection"]);
    expect(m.connections).toEqual([
      { from: "image-compression-vo", to: "noise-reduction", qos: "best-effort" },
      { from: "noise-reduction", to: "image-detection", qos: "best-effort" },
    ]);
    expect(m.intent.useStaticPlacement).toBe(true);
    expect(m.services[0]!.trigger).toEqual({
      kind: "event",
      condition: "ANY",
      events: [
        {
          id: "main-event",
          promQuery: 'absent(up{prometheus="kc1/kube-prometheus-operator"})',
          gracePeriod: "2m",
          description: "High vo-metric",
          sources: [{ serviceId: "vo", metricId: "vo-metric" }],
        },
      ],
    });
    expect(m.services[0]!.resources).toMatchObject({ cpu: 0.5, memoryBytes: 500 * 2 ** 20, storageBytes: 10e9, gpu: 0 });
    expect(m.services[0]!.artifact).toMatchObject({ type: "VO", implementer: "WOT", valuesOverwrite: { voDescriptorOverwrite: {}, voChartOverwrite: {} } });
    expect(r.warnings.map((w) => w.path)).toEqual(["hdaGraph.services[0].deployment.trigger.event.events[0].source[0].serviceId"]);
  });

  it("translates the GPU demo: YAML True is a GPU request, missing storage is small", () => {
    const r = loadDescriptor(byName("abilian__nephele-deploy__demo2-gpu-embedded-32f1649").text);
    if (!r.ok) throw new Error("invalid");
    expect(r.model.services.map((s) => [s.id, s.resources.gpu, s.resources.cpu, s.resources.storageClass])).toEqual([
      ["web-frontend", 0, 1, "small"],
      ["ml-inference", 1, 4, "small"],
    ]);
    expect(r.model.intent).toMatchObject({ highAvailability: true, minReplicasOverall: 1, maxReplicasOverall: 10 });
  });

  it("upgrades the 0.3.0 descriptor to the 0.4.0 model", () => {
    const r = loadDescriptor(byName("icclab__nephele_demos__brussels-demo-vo-wot").text);
    if (!r.ok) throw new Error("invalid");
    expect(r.model.imVersion).toBe("0.4.0");
    expect(r.model.services.every((s) => s.resources.cpuClass === "small" && s.resources.storageClass === "small")).toBe(true);
    expect(r.model.connections.map((c) => `${c.from}>${c.to}`)).toEqual(["image-compression-vo>noise-reduction", "noise-reduction>image-detection"]);
    expect(r.warnings.map((w) => w.path)).toEqual(["hdaGraph.imVersion", "hdaGraph.hdaGraphIntent"]);
  });

  it("matches the sizes NEPHELE's SMO stored for hello-world (cpu 1, 1GiB, 10GB, gpu 0)", () => {
    const r = loadDescriptor(byName("abilian__nephele-deploy__hello-world-as-stored-by-smo").text);
    if (!r.ok) throw new Error("invalid");
    expect(r.model.services[0]!.resources).toMatchObject({ cpu: 1, memoryBytes: 2 ** 30, storageBytes: 10 * 10 ** 9, gpu: 0 });
  });
});
