// Level-triggered reconcile of every kind of object smo owns: deleted, or changed by another field manager, on the
// simulated federation → restored, with a `repaired` event; and a drift that happened while nobody watched is
// found by the periodic resync. The pure drift check is tested on its own below.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Subscription } from "../../src/core/ports/karmada.js";
import { expectedObjects, findDrift, serviceOfObject } from "../../src/core/graphs/drift.js";
import type { OutboxAction } from "../../src/core/graphs/actions.js";
import { chain, descriptor } from "./descriptors.js";
import { eventually, foreignRequest, listObjects, startHarness, type Harness, type ResourceKind } from "./harness.js";

const NS = "p-drift";

describe("drift of owned objects is repaired", () => {
  let h: Harness;
  let drift: Subscription;

  beforeAll(async () => {
    h = await startHarness({ resyncMs: 60_000 });
    await h.lifecycle.loadReadModel(5_000);
    await h.lifecycle.deploy({ project: NS, descriptor: descriptor(chain("g-drift")) });
    drift = h.lifecycle.watchDrift({ debounceMs: 50 });
  }, 60_000);

  afterAll(async () => {
    drift?.stop();
    await h?.close();
  });

  const names = async (kind: ResourceKind) => (await listObjects(h.sim, kind, NS)).map((o) => o.metadata.name).sort();
  const repairs = async () => (await h.store.events.listAfter("g-drift", 0)).filter((e) => e.type === "repaired");
  // Each case starts once the previous repair is applied, so that it is this case's drift that gets repaired.
  const converged = () => eventually(() => h.lifecycle.get("g-drift"), (g) => g.status === "running" && g.pendingActions === 0, 15_000);

  it.each([
    ["services", "back"],
    ["deployments", "middle"],
    ["serviceexports", "back"],
    ["serviceimports", "middle"],
    ["propagationpolicies", "back-export"],
  ] as [ResourceKind, string][])("a deleted %s %s is restored", async (kind, name) => {
    await converged();
    const before = (await repairs()).length;
    expect(await names(kind)).toContain(name);
    await foreignRequest(h.sim, "DELETE", kind, NS, name);
    await eventually(() => names(kind), (list) => list.includes(name), 15_000);
    const after = await eventually(repairs, (list) => list.length > before);
    expect(after.slice(before).map((e) => e.message).join()).toMatch(/is missing/);
  });

  it("a policy re-pointed by someone else is put back on the stored placement", async () => {
    await converged();
    const graph = await h.lifecycle.get("g-drift");
    const stored = graph.placement.front!;
    const other = ["member1", "member2", "member3"].find((c) => c !== stored)!;
    await foreignRequest(h.sim, "PATCH", "propagationpolicies", NS, "front", {
      spec: { placement: { clusterAffinity: { clusterNames: [other] } } },
    });
    const policy = await eventually(
      async () => (await listObjects(h.sim, "propagationpolicies", NS)).find((p) => p.metadata.name === "front"),
      (p) => ((p?.spec?.placement as { clusterAffinity?: { clusterNames?: string[] } })?.clusterAffinity?.clusterNames ?? []).join() === stored,
      15_000,
    );
    expect(policy).toBeDefined();
  });

  it("a Deployment whose image someone else changed gets smo's back", async () => {
    await converged();
    const image = async () =>
      ((await listObjects(h.sim, "deployments", NS)).find((d) => d.metadata.name === "front")?.spec as {
        template: { spec: { containers: { image: string }[] } };
      }).template.spec.containers[0]!.image;
    const original = await image();
    await foreignRequest(h.sim, "PATCH", "deployments", NS, "front", {
      spec: { template: { spec: { containers: [{ name: "front", image: "evil/image:1" }] } } },
    });
    await eventually(image, (now) => now === original, 15_000);
    const last = (await repairs()).at(-1)!;
    expect(last.message).toMatch(/changed by intruder/);
  });

  it("smo's own writes are not taken for drift: a repair does not trigger another", async () => {
    await converged();
    const count = (await repairs()).length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await repairs()).slice(count).map((e) => e.message)).toEqual([]);
  });
});

describe("the periodic resync finds drift nobody was told about", () => {
  it("an object deleted before the reconcile started watching is restored at the next resync", async () => {
    const h = await startHarness({ resyncMs: 400 });
    try {
      await h.lifecycle.loadReadModel(5_000);
      await h.lifecycle.deploy({ project: "p-resync", descriptor: descriptor(chain("g-resync")) });
      await foreignRequest(h.sim, "DELETE", "services", "p-resync", "front");
      await eventually(
        async () => (await listObjects(h.sim, "services", "p-resync")).map((o) => o.metadata.name),
        (list) => !list.includes("front"),
      );
      const drift = h.lifecycle.watchDrift({ debounceMs: 50 });
      try {
        await eventually(
          async () => (await listObjects(h.sim, "services", "p-resync")).map((o) => o.metadata.name),
          (list) => list.includes("front"),
          15_000,
        );
      } finally {
        drift.stop();
      }
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe("drift check (pure)", () => {
  const actions: OutboxAction[] = [
    { kind: "ensure-namespace", namespace: "ns" },
    { kind: "apply-workload", namespace: "ns", graph: { id: "g", intent: {} as never }, service: { id: "web" } as never, clusters: ["m1"], importClusters: [], replicas: 1 },
    { kind: "apply-placement", namespace: "ns", service: "web", clusters: ["m1"] },
    { kind: "apply-export", namespace: "ns", service: "web", exportCluster: "m1", importClusters: ["m2"] },
  ];

  it("lists every object a repair plan makes, with the clusters each policy must name", () => {
    expect(expectedObjects(actions, { workloadService: true }).map((e) => `${e.kind}/${e.name}${e.clusters ? "@" + e.clusters.join() : ""}`)).toEqual([
      "Deployment/web",
      "Service/web",
      "PropagationPolicy/web@m1",
      "ServiceExport/web",
      "PropagationPolicy/web-export@m1",
      "ServiceImport/web",
      "PropagationPolicy/web-import@m2",
    ]);
    expect(expectedObjects(actions, { workloadService: false }).some((e) => e.kind === "Service")).toBe(false);
  });

  it("reports a missing object, a policy on other clusters, and nothing while an informer has not synced", () => {
    const expected = expectedObjects(actions, { workloadService: true });
    const all = (kind: string) =>
      new Map(
        expected
          .filter((e) => e.kind === kind)
          .map((e) => [e.name, { name: e.name, clusters: e.clusters }] as const),
      );
    expect(findDrift(expected, (kind) => all(kind))).toBeUndefined();
    expect(findDrift(expected, (kind) => (kind === "ServiceImport" ? new Map() : all(kind)))).toBe("ServiceImport ns/web is missing");
    expect(
      findDrift(expected, (kind) => (kind === "PropagationPolicy" ? new Map([...all(kind)].map(([n, o]) => [n, { ...o, clusters: ["m9"] }])) : all(kind))),
    ).toBe("PropagationPolicy ns/web names m9 instead of m1");
    expect(findDrift(expected, () => undefined)).toBeUndefined();
  });

  it("maps export/import policies to their service", () => {
    expect(serviceOfObject("PropagationPolicy", "web-export")).toEqual(["web-export", "web"]);
    expect(serviceOfObject("Deployment", "web-export")).toEqual(["web-export"]);
  });
});
