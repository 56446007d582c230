// Deploy, get and list end to end: real simulator, real client-node adapter (manifest deployer, PrometheusRule
// sink), real solver, PGlite store. Each test uses its own project (namespace) and graph id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError } from "../../src/core/errors.js";
import { chain, descriptor, descriptorObject } from "./descriptors.js";
import { EMPTY, eventually, inventory, policyClusters, startHarness, type Harness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("deploy", () => {
  it("places, applies and runs a chain: policies on the decided clusters, workloads available, exports/imports, events", async () => {
    const res = await h.lifecycle.deploy({ project: "p-deploy", descriptor: descriptor(chain("g-deploy")) });
    expect(res.created).toBe(true);
    expect(res.graph.status).toBe("running");
    expect(res.graph.services.map((s) => [s.name, s.status])).toEqual([
      ["front", "deployed"],
      ["middle", "deployed"],
      ["back", "deployed"],
    ]);
    expect(res.decision?.strategy).toBe("optimal");
    const placement = res.graph.placement;
    expect(Object.keys(placement).sort()).toEqual(["back", "front", "middle"]);

    const objects = await inventory(h.sim, "p-deploy");
    expect(objects.deployments).toEqual(["back", "front", "middle"]);
    expect(objects.services).toEqual(["back", "front", "middle"]);
    expect(objects.serviceexports).toEqual(["back", "middle"]);
    expect(objects.serviceimports).toEqual(["back", "middle"]);
    const policies = await policyClusters(h.sim, "p-deploy");
    for (const s of ["front", "middle", "back"]) expect(policies[s]).toEqual([placement[s]]);
    expect(policies["middle-export"]).toEqual([placement.middle]);
    expect(policies["middle-import"]).toEqual([placement.front]);
    expect(policies["back-import"]).toEqual([placement.middle]);

    const ready = await eventually(
      () => h.lifecycle.get("g-deploy"),
      (g) => g.services.every((s) => s.availableReplicas === s.desiredReplicas && s.desiredReplicas > 0),
    );
    expect(ready.replicasLive).toBe(true);
    expect(ready.pendingActions).toBe(0);
    expect(ready.dashboardUrl).toMatch(/^http:\/\/grafana\.test\/d\//);
    expect(ready.services.every((s) => s.dashboardUrl)).toBe(true);
    // Real Grafana builders: graph, services and each member cluster have a dashboard.
    expect([...h.dashboards.published.keys()]).toEqual(
      expect.arrayContaining(["smo-g-g-deploy", "smo-s-g-deploy-front", "smo-c-member1", "smo-c-member2", "smo-c-member3"]),
    );
    expect(h.dashboards.published.get("smo-g-g-deploy")?.title).toBe("smo / g-deploy");
    expect(ready.lastDecision?.placement).toEqual(placement);

    const events = await h.store.events.listAfter("g-deploy", 0);
    expect(events.map((e) => e.type)).toEqual(["placed", "deployed"]);
    expect((await h.store.outbox.pending("g-deploy")).length).toBe(0);
  });

  it("is idempotent by descriptor: the same content again (even as YAML-equivalent JSON) returns the graph unchanged", async () => {
    const first = await h.lifecycle.deploy({ project: "p-idem", descriptor: descriptor(chain("g-idem")) });
    const before = await h.store.events.listAfter("g-idem", 0);
    const reordered = JSON.stringify(descriptorObject(chain("g-idem")));
    const again = await h.lifecycle.deploy({ project: "p-idem", descriptor: reordered });
    expect(again.created).toBe(false);
    expect(again.graph.placement).toEqual(first.graph.placement);
    expect(again.decision?.id).toBe(first.decision?.id);
    expect(await h.store.events.listAfter("g-idem", 0)).toEqual(before);
    expect((await h.store.placements.history("g-idem")).length).toBe(1);
  });

  it("ALREADY_EXISTS for a different descriptor under the same id, or the same one in another project", async () => {
    await h.lifecycle.deploy({ project: "p-exists", descriptor: descriptor(chain("g-exists")) });
    const changed = descriptor(chain("g-exists", { description: "changed" }));
    await expect(h.lifecycle.deploy({ project: "p-exists", descriptor: changed })).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(h.lifecycle.deploy({ project: "p-other", descriptor: descriptor(chain("g-exists")) })).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    expect(await inventory(h.sim, "p-other")).toEqual(EMPTY);
  });

  it("ALREADY_EXISTS when another graph of the project owns a service name (its Kubernetes objects); nothing written", async () => {
    await h.lifecycle.deploy({ project: "p-clash", descriptor: descriptor({ id: "g-clash-a", services: [{ id: "web" }, { id: "db" }] }) });
    const before = await inventory(h.sim, "p-clash");
    const clash = descriptor({ id: "g-clash-b", services: [{ id: "cache" }, { id: "web" }] });
    const err = await h.lifecycle.deploy({ project: "p-clash", descriptor: clash }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AlreadyExistsError);
    expect((err as Error).message).toMatch(/hdaGraph\.services\[1\]\.id.*web.*g-clash-a/);
    // A dry run answers the same, and the same service name in another project is fine.
    await expect(h.lifecycle.deploy({ project: "p-clash", descriptor: clash, dryRun: true })).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await h.store.graphs.get("g-clash-b")).toBeUndefined();
    expect(await inventory(h.sim, "p-clash")).toEqual(before);
    expect((await h.lifecycle.deploy({ project: "p-clash-other", descriptor: clash })).created).toBe(true);
  });

  it("INVALID_ARGUMENT with field paths: project, descriptor contents, exclusive inputs, unknown strategy; nothing written", async () => {
    const ok = descriptor(chain("g-invalid"));
    const violations = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InvalidArgumentError);
      return (err as InvalidArgumentError).violations.map((v) => v.field);
    };
    expect(await violations(h.lifecycle.deploy({ project: "Bad_Project", descriptor: ok }))).toEqual(["project"]);
    expect(await violations(h.lifecycle.deploy({ project: "", descriptor: ok }))).toEqual(["project"]);
    // The control planes' namespaces: a service id such as coredns would patch, then delete, their workloads.
    expect(await violations(h.lifecycle.deploy({ project: "kube-system", descriptor: ok }))).toEqual(["project"]);
    expect(await violations(h.lifecycle.deploy({ project: "karmada-system", descriptor: ok }))).toEqual(["project"]);
    expect(await violations(h.lifecycle.deploy({ project: "p-invalid" }))).toEqual(["descriptor"]);
    expect(await violations(h.lifecycle.deploy({ project: "p-invalid", descriptor: ok, artifact: "oci://x/y" }))).toEqual(["artifact"]);
    const bad = descriptorObject(chain("g-invalid")) as { hdaGraph: { services: { deployment: { intent: { compute: { cpu: string } } } }[] } };
    bad.hdaGraph.services[1]!.deployment.intent.compute.cpu = "huge";
    expect(await violations(h.lifecycle.deploy({ project: "p-invalid", descriptor: JSON.stringify(bad) }))).toContain(
      "hdaGraph.services[1].deployment.intent.compute.cpu",
    );
    const strategy = descriptor({ ...chain("g-invalid"), strategy: "fastest" });
    expect(await violations(h.lifecycle.deploy({ project: "p-invalid", descriptor: strategy }))).toContain(
      "hdaGraph.hdaGraphIntent.placementStrategy",
    );
    expect(await violations(h.lifecycle.deploy({ project: "p-invalid", descriptor: "hdaGraph: [unclosed" }))).toEqual(["descriptor"]);
    expect(await h.store.graphs.get("g-invalid")).toBeUndefined();
    expect(await inventory(h.sim, "p-invalid")).toEqual(EMPTY);
  });

  it("dry run returns the decision and writes nothing", async () => {
    const res = await h.lifecycle.deploy({ project: "p-dry", descriptor: descriptor(chain("g-dry")), dryRun: true });
    expect(res.dryRun).toBe(true);
    expect(res.created).toBe(false);
    expect(res.decision?.status).toMatch(/optimal|feasible/);
    expect(Object.keys(res.decision!.placement).sort()).toEqual(["back", "front", "middle"]);
    expect(await h.store.graphs.get("g-dry")).toBeUndefined();
    expect(await h.store.events.listAfter("g-dry", 0)).toEqual([]);
    expect(await inventory(h.sim, "p-dry")).toEqual(EMPTY);
  });

  it("FAILED_PRECONDITION naming the binding constraint when no placement exists; nothing written", async () => {
    const huge = descriptor({ id: "g-infeasible", services: [{ id: "big", cpu: "large", minReplicas: 9 }] });
    const err = await h.lifecycle.deploy({ project: "p-infeasible", descriptor: huge }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toMatch(/big needs \d+ cores/);
    expect(await h.store.graphs.get("g-infeasible")).toBeUndefined();
  });

  it("a GPU service lands on the GPU member", async () => {
    const res = await h.lifecycle.deploy({
      project: "p-gpu",
      descriptor: descriptor({ id: "g-gpu", services: [{ id: "web", connectionPoints: ["ml"] }, { id: "ml", gpu: true }] }),
    });
    expect(res.graph.placement.ml).toBe("member1"); // gpuClusters: 1 → member1 has the GPUs
    expect((await policyClusters(h.sim, "p-gpu")).ml).toEqual(["member1"]);
  });
});

describe("list", () => {
  it("lists graphs by project with live replica counts", async () => {
    await h.lifecycle.deploy({ project: "p-list", descriptor: descriptor({ id: "g-list-a", services: [{ id: "a" }] }) });
    await h.lifecycle.deploy({ project: "p-list", descriptor: descriptor({ id: "g-list-b", services: [{ id: "b" }] }) });
    const listed = await h.lifecycle.list("p-list");
    expect(listed.map((g) => g.name)).toEqual(["g-list-a", "g-list-b"]);
    expect(listed.every((g) => g.replicasLive && g.project === "p-list")).toBe(true);
    expect((await h.lifecycle.list()).length).toBeGreaterThanOrEqual(2);
  });
});
