// The elasticity loop under a ProjectOwnership (docs/ha.md): a process that does not own a project accepts its
// samples but never scales it; once it takes the project over, it decides from the stored counts and allows no
// scale-down before one stabilisation window has passed since the take-over.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ProjectOwnership } from "../../src/core/ports/ownership.js";
import { ElasticityController } from "../../src/core/elasticity/controller.js";
import { eventually, logger, startHarness, type Harness } from "../elasticity/harness.js";

let h: Harness;
const owned = new Set<string>();
const ownership: ProjectOwnership = { owns: (p) => owned.has(p), fence: async () => undefined };
let loop: ElasticityController;
const WINDOW = 600;

beforeAll(async () => {
  h = await startHarness({ config: { stabilizationMs: WINDOW } });
  await h.controller.stop(); // this file drives its own controller, with an ownership
  loop = new ElasticityController(
    { store: h.store, karmada: { ...h.client, scale: async (ns, d, r) => { h.scaleCalls.push({ namespace: ns, deployment: d, replicas: r }); await h.client.scale(ns, d, r); } }, solver: h.solver, capacity: h.capacity, metrics: h.metrics, logger, ownership },
    { stabilizationMs: WINDOW, reconcileMs: 600_000 },
  );
  await loop.start();
}, 60_000);

afterAll(async () => {
  await loop?.stop();
  await h?.close();
});

it("a non-owner never scales; after a take-over it scales up at once and down only after a window", async () => {
  await h.seedGraph({ name: "own", project: "p-own", services: [{ name: "web", cluster: "member1" }] });
  await loop.refreshGraph("own");
  const calls = () => h.scaleCalls.filter((c) => c.namespace === "p-own").map((c) => c.replicas);

  // Not the owner: the samples are accepted, nothing is decided.
  expect(await loop.report([{ graph: "own", service: "web", requestsPerSecond: 35 }])).toBe(1);
  await loop.reconcile();
  await loop.settled();
  expect(calls()).toEqual([]);

  // Taken over: up at once.
  owned.add("p-own");
  const takenAt = Date.now();
  await loop.takeOver("p-own");
  await loop.report([{ graph: "own", service: "web", requestsPerSecond: 35 }]);
  await loop.settled();
  expect(calls()).toEqual([4]);

  // A drop right after the take-over: no scale-down before one window since the take-over.
  await loop.report([{ graph: "own", service: "web", requestsPerSecond: 5 }]);
  await loop.settled();
  expect(calls()).toEqual([4]);
  await eventually(
    async () => {
      await loop.report([{ graph: "own", service: "web", requestsPerSecond: 5 }]);
      await loop.settled();
      return calls();
    },
    (c) => c.length === 2,
    { what: "the scale-down", timeoutMs: 10_000, intervalMs: 100 },
  );
  expect(calls()).toEqual([4, 1]);
  const last = (await h.store.decisions.listAfter(0, { graph: "own" })).at(-1)!;
  expect(last.decidedAt.getTime() - takenAt).toBeGreaterThanOrEqual(WINDOW);
});

it("a decision right after a take-over waits for the stored counts: a stale count never undoes the previous owner", async () => {
  await h.seedGraph({ name: "moved", project: "p-moved", services: [{ name: "web", cluster: "member1" }] });
  await loop.refreshGraph("moved"); // this process's view while another owned the project: 1 replica
  const calls = () => h.scaleCalls.filter((c) => c.namespace === "p-moved").map((c) => c.replicas);
  // Meanwhile the previous owner scaled it to 6 (stored count and Karmada).
  await h.client.scale("p-moved", "web", 6);
  await h.store.services.update("moved", "web", { desiredReplicas: 6 });

  // Taken over; a sample arrives before the reload has read the stored count. 45 req/s needs 5 replicas: from
  // the stale count of 1 that would be a scale-up to 5, in truth a scale-down from 6 inside the window.
  owned.add("p-moved");
  const reloaded = loop.takeOver("p-moved");
  await loop.report([{ graph: "moved", service: "web", requestsPerSecond: 45 }]);
  await reloaded;
  await loop.settled();
  expect(calls()).toEqual([]);
  // Load above the stored count still scales at once.
  await loop.report([{ graph: "moved", service: "web", requestsPerSecond: 75 }]);
  await loop.settled();
  expect(calls()).toEqual([8]);
});
