// Every real NEPHELE descriptor of the corpus deploys on the simulated federation and is removed without a
// trace (each under its own project; ids repeat across files, so each graph is removed before the next).
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CORPUS_DIR, corpusFile } from "./descriptors.js";
import { EMPTY, eventually, inventory, policyClusters, startHarness, type Harness } from "./harness.js";

const files = readdirSync(CORPUS_DIR).filter((f) => /\.(ya?ml|json)$/.test(f));

describe("the HDAG corpus on the simulated federation", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("has descriptors to deploy", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files.map((f, i) => [f, `corpus-${i}`]))("%s deploys, runs and is removed", async (file, project) => {
    const res = await h.lifecycle.deploy({ project, descriptor: corpusFile(file) });
    expect(res.created).toBe(true);
    const g = res.graph;
    expect(g.status).toBe("running");
    if (file.includes("0.3.0") || file.startsWith("icclab")) expect(res.warnings.length).toBeGreaterThan(0);
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
  });
});
