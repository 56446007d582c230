// Every fixture descriptor, and every real NEPHELE descriptor of the corpus when it is present, deploys on the
// simulated federation and is removed without a trace (each under its own project; ids repeat across files, so
// each graph is removed before the next).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployableFixtures, loadCorpus, type DescriptorFile } from "../fixtures/index.js";
import { EMPTY, eventually, inventory, policyClusters, startHarness, type Harness } from "./harness.js";

const corpus = loadCorpus();
const corpusDescriptors = corpus.files.filter((f) => !f.name.startsWith("derived/"));

describe("HDAG descriptors on the simulated federation", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function deploysAndIsRemoved(file: DescriptorFile, project: string, legacy: boolean): Promise<void> {
    const res = await h.lifecycle.deploy({ project, descriptor: file.text });
    expect(res.created).toBe(true);
    const g = res.graph;
    expect(g.status).toBe("running");
    if (legacy) expect(res.warnings.length).toBeGreaterThan(0);
    const policies = await policyClusters(h.sim, project);
    for (const s of g.services) {
      expect(s.status).toBe(s.eventTriggered ? "pending" : "deployed");
      expect(s.cluster).toBeTruthy();
      if (!s.eventTriggered) expect(policies[s.name]).toEqual([s.cluster]);
      if (s.gpu > 0) expect(s.cluster).toBe("member1");
    }
    await eventually(
      () => h.lifecycle.get(g.name),
      (v) => v.services.every((s) => s.eventTriggered || s.availableReplicas === s.desiredReplicas),
    );
    await h.lifecycle.remove(g.name);
    expect(await inventory(h.sim, project)).toEqual(EMPTY);
  }

  const fixtures = deployableFixtures();
  it.each(fixtures.map((f, i) => [f.name, f, `fixture-${i}`] as const))("fixture %s deploys, runs and is removed", async (_name, file, project) => {
    await deploysAndIsRemoved(file, project, file.name.startsWith("legacy-"));
  });

  describe.skipIf(corpus.skip)(`the real corpus${corpus.reason}`, () => {
    it("has descriptors to deploy", () => {
      expect(corpusDescriptors.length).toBeGreaterThanOrEqual(8);
    });
    it.each(corpusDescriptors.map((f, i) => [f.name, f, `corpus-${i}`] as const))("%s deploys, runs and is removed", async (_name, file, project) => {
      await deploysAndIsRemoved(file, project, file.name.startsWith("icclab"));
    });
  });
});
