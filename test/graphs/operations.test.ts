// Stop/start/remove, re-placement, event-triggered services, Karmada outages and watch, end to end on the
// simulator with the real adapter, solver and a PGlite store. Each test uses its own project and graph id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrometheusRuleSink } from "../../src/adapters/karmada/index.js";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from "../../src/core/errors.js";
import { alertName } from "../../src/core/graphs/index.js";
import type { AlertRuleSink } from "../../src/core/ports/observability.js";
import { chain, descriptor } from "./descriptors.js";
import { EMPTY, eventually, inventory, listObjects, policyClusters, startHarness, type Harness } from "./harness.js";

let h: Harness;
let rules: AlertRuleSink;

beforeAll(async () => {
  h = await startHarness();
  rules = createPrometheusRuleSink(h.client);
});
afterAll(async () => {
  await h?.close();
});

async function graphRules(graph: string) {
  return (await rules.listRules()).filter((r) => r.labels.graph === graph);
}

describe("stop, start, remove", () => {
  it("stop removes every workload, policy, export/import and rule but keeps the state; start re-applies; remove leaves nothing", async () => {
    const spec = chain("g-life", { eventFront: true });
    await h.lifecycle.deploy({ project: "p-life", descriptor: descriptor(spec) });
    expect((await inventory(h.sim, "p-life")).deployments).toEqual(["back", "middle"]);
    expect(await graphRules("g-life")).toHaveLength(1);

    const stopped = await h.lifecycle.stop("g-life");
    expect(stopped.status).toBe("stopped");
    expect(stopped.services.every((s) => s.status === "not-deployed")).toBe(true);
    expect(await inventory(h.sim, "p-life")).toEqual(EMPTY);
    expect(await graphRules("g-life")).toHaveLength(0);
    await expect(h.lifecycle.stop("g-life")).rejects.toBeInstanceOf(FailedPreconditionError);

    const started = await h.lifecycle.start("g-life");
    expect(started.status).toBe("running");
    expect(started.services.map((s) => s.status)).toEqual(["pending", "deployed", "deployed"]);
    expect(started.placement).toEqual(stopped.placement);
    expect((await inventory(h.sim, "p-life")).deployments).toEqual(["back", "middle"]);
    expect(await graphRules("g-life")).toHaveLength(1);
    await expect(h.lifecycle.start("g-life")).rejects.toBeInstanceOf(FailedPreconditionError);

    const dashboardsBefore = [...h.dashboards.published.keys()].filter((uid) => uid.includes("g-life"));
    expect(dashboardsBefore.length).toBe(4);
    await h.lifecycle.remove("g-life");
    await expect(h.lifecycle.get("g-life")).rejects.toBeInstanceOf(NotFoundError);
    expect(await inventory(h.sim, "p-life")).toEqual(EMPTY);
    expect(await graphRules("g-life")).toHaveLength(0);
    expect([...h.dashboards.published.keys()].filter((uid) => uid.includes("g-life"))).toEqual([]);
    expect(await h.store.services.listByGraph("g-life")).toEqual([]);
    await expect(h.lifecycle.remove("g-life")).rejects.toBeInstanceOf(NotFoundError);
    // Removed: the same id can be deployed again.
    const again = await h.lifecycle.deploy({ project: "p-life", descriptor: descriptor(spec) });
    expect(again.created).toBe(true);
    await h.lifecycle.remove("g-life");
  });
});

describe("re-placement", () => {
  it("moves the services of a member that became NotReady and patches only their policies, not the workloads", async () => {
    // The energy weight makes member3 the favourite, so every service starts there.
    await h.lifecycle.inventory.sync();
    await h.lifecycle.inventory.setProfile("member1", { energyCost: 5, carbonIntensity: 0, pue: 1, location: "", gpus: null });
    await h.lifecycle.inventory.setProfile("member2", { energyCost: 3, carbonIntensity: 0, pue: 1, location: "", gpus: null });
    await h.lifecycle.inventory.setProfile("member3", { energyCost: 1, carbonIntensity: 0, pue: 1, location: "", gpus: null });
    try {
      const spec = { ...chain("g-move"), services: [...chain("g-move").services, { id: "solo", cpu: "light" as const }] };
      const res = await h.lifecycle.deploy({ project: "p-move", descriptor: descriptor({ ...spec, energy: true }) });
      const before = res.graph.placement;
      const lost = before.middle!;
      const deploymentsBefore = new Map((await listObjects(h.sim, "deployments", "p-move")).map((d) => [d.metadata.name, d.metadata.generation]));
      const policiesBefore = new Map((await listObjects(h.sim, "propagationpolicies", "p-move")).map((p) => [p.metadata.name, p.metadata.resourceVersion]));

      h.sim.setClusterReady(lost, false);
      const moved = await h.lifecycle.onClusterLost(lost, "not-ready");
      expect(moved).toContain("g-move");
      const after = (await h.lifecycle.get("g-move")).placement;
      const movedServices = Object.keys(before).filter((s) => before[s] !== after[s]);
      expect(movedServices.length).toBeGreaterThan(0);
      for (const s of Object.keys(after)) expect(after[s]).not.toBe(lost);

      const policies = await policyClusters(h.sim, "p-move");
      for (const s of Object.keys(after)) expect(policies[s]).toEqual([after[s]]);
      const policiesAfter = new Map((await listObjects(h.sim, "propagationpolicies", "p-move")).map((p) => [p.metadata.name, p.metadata.resourceVersion]));
      for (const s of Object.keys(after)) {
        if (!movedServices.includes(s)) expect(policiesAfter.get(s)).toBe(policiesBefore.get(s));
      }
      // Workload templates untouched (same spec generation).
      for (const d of await listObjects(h.sim, "deployments", "p-move")) expect(d.metadata.generation).toBe(deploymentsBefore.get(d.metadata.name));

      const replaced = (await h.store.events.listAfter("g-move", 0)).filter((e) => e.type === "replaced");
      expect(replaced).toHaveLength(1);
      expect((replaced[0]!.details as { moved: string[] }).moved.sort()).toEqual(movedServices.sort());
      const last = (await h.lifecycle.get("g-move")).lastDecision;
      expect(last?.placement).toEqual(after);
      expect((last?.details as { trigger: string }).trigger).toContain(lost);

      await eventually(
        () => h.lifecycle.get("g-move"),
        (g) => g.services.every((s) => s.availableReplicas === s.desiredReplicas),
      );
    } finally {
      for (const m of ["member1", "member2", "member3"]) {
        h.sim.setClusterReady(m, true);
        await h.lifecycle.inventory.setProfile(m, { energyCost: 1, carbonIntensity: 0, pue: 1, location: "", gpus: null });
      }
      await h.lifecycle.inventory.sync();
    }
  });

  it("ReplaceGraph with nothing changed patches nothing and records the decision; unknown strategy is INVALID_ARGUMENT", async () => {
    await h.lifecycle.deploy({ project: "p-replace", descriptor: descriptor(chain("g-replace")) });
    const versions = async () => (await listObjects(h.sim, "propagationpolicies", "p-replace")).map((p) => p.metadata.resourceVersion);
    const before = await versions();
    const res = await h.lifecycle.replace("g-replace", {});
    expect(res.decision.strategy).toBe("optimal");
    expect((res.decision.details as { moved: string[] }).moved).toEqual([]);
    expect(await versions()).toEqual(before);
    expect((await h.lifecycle.placements("g-replace")).length).toBe(2);
    const err = await h.lifecycle.replace("g-replace", { strategy: "fastest" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations[0]?.field).toBe("strategy");
    await h.lifecycle.stop("g-replace");
    await expect(h.lifecycle.replace("g-replace", {})).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it("follows the members: a member that goes NotReady has its services moved without a call", async () => {
    await h.lifecycle.inventory.sync();
    const res = await h.lifecycle.deploy({ project: "p-watch-members", descriptor: descriptor({ id: "g-watch-members", services: [{ id: "one" }] }) });
    const lost = res.graph.placement.one!;
    const sub = h.lifecycle.watchClusters();
    try {
      // Let the watch take its baseline before the member goes away.
      await new Promise((r) => setTimeout(r, 200));
      h.sim.setClusterReady(lost, false);
      const moved = await eventually(
        () => h.lifecycle.get("g-watch-members"),
        (g) => g.placement.one !== lost,
      );
      // The store commits first, the policy patch follows from the outbox.
      await eventually(
        () => policyClusters(h.sim, "p-watch-members"),
        (p) => p.one?.[0] === moved.placement.one,
      );
      await eventually(
        () => h.lifecycle.get("g-watch-members"),
        (g) => g.pendingActions === 0 && g.services[0]!.availableReplicas === 1,
      );
    } finally {
      sub.stop();
      h.sim.setClusterReady(lost, true);
      await h.lifecycle.inventory.sync();
    }
  });
});

describe("cluster loss with the store failing", () => {
  it("onClusterLost logs and resolves instead of rejecting (the cluster watch calls it unawaited)", async () => {
    const graphs = Object.create(h.store.graphs, { list: { value: () => Promise.reject(new Error("database connection lost")) } }) as typeof h.store.graphs;
    const store = Object.create(h.store, { graphs: { value: graphs } }) as typeof h.store;
    const l = h.newLifecycle({ store });
    await expect(l.onClusterLost("member1", "not-ready")).resolves.toEqual([]);
  });
});

describe("event-triggered services", () => {
  it("pending until its alert fires, then deployed through the outbox; unknown alerts ignored", async () => {
    await h.lifecycle.deploy({ project: "p-event", descriptor: descriptor(chain("g-event", { eventFront: true })) });
    const graph = await h.lifecycle.get("g-event");
    expect(graph.services.find((s) => s.name === "front")?.status).toBe("pending");
    expect((await inventory(h.sim, "p-event")).deployments).toEqual(["back", "middle"]);
    const [rule] = await graphRules("g-event");
    expect(rule).toMatchObject({
      alert: alertName("g-event", "front", "main-event"),
      for: "1m",
      labels: { graph: "g-event", service: "front", event: "main-event", severity: "critical" },
    });

    const ignored = await h.lifecycle.handleAlerts([
      { status: "firing", labels: { alertname: "x", graph: "nope", service: "front" } },
      { status: "firing", labels: { alertname: "x", graph: "g-event", service: "nope" } },
      { status: "firing", labels: { alertname: "x" } },
    ]);
    expect(ignored).toEqual({ triggered: [], recorded: 0, ignored: 3 });

    const out = await h.lifecycle.handleAlerts([{ status: "firing", labels: { ...rule!.labels, alertname: rule!.alert } }]);
    expect(out.triggered).toEqual(["g-event/front"]);
    const after = await h.lifecycle.get("g-event");
    expect(after.status).toBe("running");
    expect(after.services.find((s) => s.name === "front")?.status).toBe("deployed");
    expect((await inventory(h.sim, "p-event")).deployments).toEqual(["back", "front", "middle"]);
    expect((await policyClusters(h.sim, "p-event")).front).toEqual([after.placement.front]);
    // A repeat of the same alert changes nothing.
    const repeat = await h.lifecycle.handleAlerts([{ status: "firing", labels: { ...rule!.labels, alertname: rule!.alert } }]);
    expect(repeat.triggered).toEqual([]);
    const types = (await h.store.events.listAfter("g-event", 0)).map((e) => e.type);
    expect(types.filter((t) => t === "service-triggered")).toHaveLength(1);
    expect(types.filter((t) => t === "alert-firing")).toHaveLength(2);
  });

  it("condition ALL deploys once every event's alert is firing", async () => {
    await h.lifecycle.deploy({
      project: "p-all",
      descriptor: descriptor({ id: "g-all", services: [{ id: "late", events: ["e1", "e2"], condition: "ALL" }, { id: "base" }] }),
    });
    const fire = (event: string, status = "firing") =>
      h.lifecycle.handleAlerts([{ status, labels: { alertname: alertName("g-all", "late", event), graph: "g-all", service: "late", event } }]);
    expect((await fire("e1")).triggered).toEqual([]);
    expect((await fire("e1", "resolved")).recorded).toBe(1);
    expect((await fire("e2")).triggered).toEqual([]);
    expect((await h.lifecycle.get("g-all")).services.find((s) => s.name === "late")?.status).toBe("pending");
    expect((await fire("e1")).triggered).toEqual(["g-all/late"]);
    expect((await inventory(h.sim, "p-all")).deployments).toEqual(["base", "late"]);
  });
});

describe("Karmada unavailable", () => {
  it("answers UNAVAILABLE, keeps the graph consistent, completes it when Karmada returns", async () => {
    await h.lifecycle.deploy({ project: "p-up", descriptor: descriptor(chain("g-up")) });
    h.sim.setFailRate(1);
    try {
      const err = await h.lifecycle.deploy({ project: "p-down", descriptor: descriptor(chain("g-down")) }).catch((e: unknown) => e);
      expect((err as Error).name).toBe("UnavailableError");
      const stored = await h.store.graphs.get("g-down");
      expect(stored?.status).toBe("deploying");
      expect(stored?.message).toMatch(/^retrying: /);
      const pending = await h.store.outbox.pending("g-down");
      expect(pending.length).toBeGreaterThan(0);
      expect(pending[0]!.lastError).toBeTruthy();
      const view = await h.lifecycle.get("g-down");
      expect(view.services.every((s) => s.status === "not-deployed")).toBe(true);
      // Reads do not depend on Karmada requests: the informer's watch is still connected, so a running graph
      // answers from memory with live counts although every request to Karmada fails.
      const running = await h.lifecycle.get("g-up");
      expect(running.replicasLive).toBe(true);
      expect(running.replicasObservedAt).toBeInstanceOf(Date);
      expect(running.services.map((s) => s.desiredReplicas)).toEqual([1, 1, 1]);
      // A second deploy of the same descriptor is the same graph, not a duplicate.
      expect((await h.lifecycle.deploy({ project: "p-down", descriptor: descriptor(chain("g-down")) })).created).toBe(false);
    } finally {
      h.sim.setFailRate(0);
    }
    const done = await eventually(
      () => h.lifecycle.get("g-down"),
      (g) => g.status === "running",
      "g-down running",
      15_000,
    );
    expect(done.message).toBeNull();
    expect(done.pendingActions).toBe(0);
    expect(done.services.every((s) => s.status === "deployed")).toBe(true);
    expect((await inventory(h.sim, "p-down")).deployments).toEqual(["back", "front", "middle"]);
    expect((await h.store.events.listAfter("g-down", 0)).map((e) => e.type)).toEqual(["placed", "deployed"]);
  });
});

describe("close", () => {
  it("waits for a graph operation in progress, so the store and Karmada client are not closed under it", async () => {
    let reached!: () => void;
    const atAction = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const l = h.newLifecycle({
      hooks: {
        afterAction: async (_graph, _kind, applied) => {
          if (applied !== 1) return;
          reached();
          await held;
        },
      },
    });
    let settled = false;
    const deploying = l.deploy({ project: "p-close", descriptor: descriptor(chain("g-close")) }).finally(() => (settled = true));
    await atAction;
    const closing = l.close();
    setTimeout(release, 100);
    await closing;
    expect(settled).toBe(true);
    expect((await deploying).graph.status).toBe("running");
    expect(await h.store.outbox.pending("g-close")).toEqual([]);
  });
});

describe("watch", () => {
  it("streams the events table from an id, then live events, and resumes after a given id", async () => {
    await h.lifecycle.deploy({ project: "p-watch", descriptor: descriptor(chain("g-watch")) });
    const all = [];
    const ac = new AbortController();
    const iterator = h.lifecycle.watch("g-watch", 0, ac.signal)[Symbol.asyncIterator]();
    all.push((await iterator.next()).value, (await iterator.next()).value);
    expect(all.map((e) => e.type)).toEqual(["placed", "deployed"]);
    // Live: the next event arrives when the graph is stopped.
    const next = iterator.next();
    await h.lifecycle.stop("g-watch");
    expect((await next).value.type).toBe("stopped");
    ac.abort();
    expect((await iterator.next()).done).toBe(true);

    // Resume after the first event: the stream starts at the second.
    const resumed = [];
    const ac2 = new AbortController();
    for await (const e of h.lifecycle.watch("g-watch", all[0].id, ac2.signal)) {
      resumed.push(e.type);
      if (resumed.length === 2) ac2.abort();
    }
    expect(resumed).toEqual(["deployed", "stopped"]);

    // A watch on a removed graph ends after the removal event.
    const ac3 = new AbortController();
    const tail: string[] = [];
    const done = (async () => {
      for await (const e of h.lifecycle.watch("g-watch", all[1].id, ac3.signal)) tail.push(e.type);
    })();
    await h.lifecycle.remove("g-watch");
    await done;
    expect(tail).toEqual(["stopped", "removed"]);
    await expect(h.lifecycle.watch("nope", 0)[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(NotFoundError);
  });
});
