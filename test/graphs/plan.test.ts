// The outbox plans and alert bookkeeping, on models translated from fixture and built descriptors.
import { describe, expect, it } from "vitest";
import { loadDescriptor } from "../../src/core/hdag/index.js";
import type { GraphModel } from "../../src/core/hdag/model.js";
import type { OutboxAction } from "../../src/core/graphs/actions.js";
import { alertName, conditionMet, eventOfAlert, firingEvents, rulesForService } from "../../src/core/graphs/alerts.js";
import { appliedServices, importClustersOf, planDeploy, planRemove, planReplace, planStop, planTrigger, type PlanContext } from "../../src/core/graphs/plan.js";
import { strategyOf } from "../../src/core/graphs/placement.js";
import type { EventRecord } from "../../src/core/ports/store.js";
import { fixtureText } from "../fixtures/index.js";
import { descriptor } from "./descriptors.js";

function model(text: string): GraphModel {
  const loaded = loadDescriptor(text);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.model;
}

function context(m: GraphModel, placement: Record<string, string>, extra: Partial<PlanContext> = {}): PlanContext {
  return {
    namespace: "demo",
    graph: { id: m.id, intent: m.intent },
    services: m.services,
    connections: m.connections,
    placement,
    replicas: Object.fromEntries(m.services.map((s) => [s.id, 1])),
    rules: true,
    dashboards: true,
    ...extra,
  };
}

const kinds = (actions: OutboxAction[]) => actions.map((a) => a.kind);

describe("plans", () => {
  const pipeline = model(fixtureText("pipeline-event-any.yaml"));
  const placement = { "microphone-vo": "member1", filter: "member2", analyser: "member3" };

  it("deploy: namespace, then workload+policy per auto service, exports of callees, rules of the event service, then state", () => {
    const actions = planDeploy(context(pipeline, placement), { type: "deployed", message: "x" });
    expect(kinds(actions)).toEqual([
      "ensure-namespace",
      "apply-workload",
      "apply-placement",
      "apply-workload",
      "apply-placement",
      "apply-export",
      "apply-export",
      "upsert-rule",
      "mark-services",
      "mark-graph",
      "publish-dashboards",
    ]);
    // The event-triggered VO is not applied, only armed.
    const workloads = actions.filter((a) => a.kind === "apply-workload").map((a) => (a as { service: { id: string } }).service.id);
    expect(workloads).toEqual(["filter", "analyser"]);
    const exports = actions.filter((a): a is Extract<OutboxAction, { kind: "apply-export" }> => a.kind === "apply-export");
    // filter is exported from member2 to where its caller (the VO) runs; analyser from member3 to member2.
    expect(exports.map((e) => [e.service, e.exportCluster, e.importClusters])).toEqual([
      ["filter", "member2", ["member1"]],
      ["analyser", "member3", ["member2"]],
    ]);
    const marks = actions.find((a) => a.kind === "mark-services") as Extract<OutboxAction, { kind: "mark-services" }>;
    expect(marks.statuses).toEqual({ "microphone-vo": "pending", filter: "deployed", analyser: "deployed" });
  });

  it("without a rule sink or publisher no rule or dashboard action is planned", () => {
    const actions = planDeploy(context(pipeline, placement, { rules: false, dashboards: false }), { type: "deployed", message: "x" });
    expect(kinds(actions)).not.toContain("upsert-rule");
    expect(kinds(actions)).not.toContain("publish-dashboards");
  });

  it("trigger applies only the triggered service", () => {
    const actions = planTrigger(context(pipeline, placement), "microphone-vo");
    expect(kinds(actions)).toEqual(["ensure-namespace", "apply-workload", "apply-placement", "mark-services", "mark-graph"]);
  });

  it("stop and remove tear down every export, policy, workload and rule; remove also dashboards, then the state", () => {
    const stop = planStop(context(pipeline, placement));
    expect(stop.filter((a) => a.kind === "remove-workload")).toHaveLength(3);
    expect(stop.filter((a) => a.kind === "remove-placement")).toHaveLength(3);
    expect(stop.filter((a) => a.kind === "remove-export")).toHaveLength(2);
    expect(stop.filter((a) => a.kind === "remove-rule")).toHaveLength(1);
    expect(stop.at(-1)).toMatchObject({ kind: "mark-graph", status: "stopped" });
    const remove = planRemove(context(pipeline, placement), ["g-uid", "s-uid"]);
    expect(remove.filter((a) => a.kind === "remove-dashboard")).toHaveLength(2);
    expect(remove.at(-1)?.kind).toBe("delete-graph");
  });

  it("replace patches only moved services and the exports whose ends changed", () => {
    const m = model(
      descriptor({
        id: "g",
        services: [
          { id: "a", connectionPoints: ["b"] },
          { id: "b", connectionPoints: ["c"] },
          { id: "c" },
          { id: "d" },
        ],
      }),
    );
    const previous = { a: "m1", b: "m2", c: "m3", d: "m1" };
    const next = { a: "m1", b: "m1", c: "m3", d: "m1" };
    const statuses = appliedServices({ a: "deployed", b: "deployed", c: "deployed", d: "deployed" }, []);
    const actions = planReplace(context(m, next), previous, statuses);
    expect(actions.filter((a) => a.kind === "apply-placement")).toEqual([
      { kind: "apply-placement", namespace: "demo", service: "b", clusters: ["m1"] },
    ]);
    // b moved: its own export moves; c's importers changed (b's cluster) so c's export/import is patched too.
    const exports = actions.filter((a): a is Extract<OutboxAction, { kind: "apply-export" }> => a.kind === "apply-export");
    expect(exports.map((e) => [e.service, e.exportCluster, e.importClusters])).toEqual([
      ["b", "m1", ["m1"]],
      ["c", "m3", ["m1"]],
    ]);
    expect(kinds(actions)).not.toContain("apply-workload");
    // Nothing moved → only the final state action.
    expect(kinds(planReplace(context(m, previous), previous, statuses))).toEqual(["mark-graph"]);
  });

  it("replace also patches services an earlier pending plan is about to apply on their old cluster", () => {
    const m = model(descriptor({ id: "g", services: [{ id: "a" }, { id: "b" }] }));
    const pending = planDeploy(context(m, { a: "m1", b: "m2" }), { type: "deployed", message: "x" }).map((action, i) => ({
      id: i + 1,
      graph: "g",
      seq: i + 1,
      action,
      attempts: 1,
      lastError: "Karmada unavailable",
      createdAt: new Date(),
    }));
    const applied = appliedServices({ a: "not-deployed", b: "not-deployed" }, pending);
    const actions = planReplace(context(m, { a: "m3", b: "m2" }), { a: "m1", b: "m2" }, applied);
    expect(actions.filter((a) => a.kind === "apply-placement")).toEqual([
      { kind: "apply-placement", namespace: "demo", service: "a", clusters: ["m3"] },
    ]);
    expect(planReplace(context(m, { a: "m3", b: "m2" }), { a: "m1", b: "m2" }, appliedServices({}, [])).map((a) => a.kind)).toEqual([
      "mark-graph",
    ]);
  });

  it("import clusters are the callers' clusters, deduplicated in descriptor order", () => {
    const connections = [
      { from: "a", to: "c", qos: "low" as const },
      { from: "b", to: "c", qos: "low" as const },
      { from: "d", to: "c", qos: "low" as const },
    ];
    expect(importClustersOf("c", connections, { a: "m2", b: "m1", d: "m2" })).toEqual(["m2", "m1"]);
  });

  it("strategy: descriptor's own, else energy with energyEfficiency, else optimal; static under useStaticPlacement", () => {
    expect(strategyOf(pipeline)).toBe("static");
    expect(strategyOf(model(descriptor({ id: "g", services: [{ id: "a" }] })))).toBe("optimal");
    expect(strategyOf(model(descriptor({ id: "g", energy: true, services: [{ id: "a" }] })))).toBe("energy");
    expect(strategyOf(model(descriptor({ id: "g", strategy: "first-fit", energy: true, services: [{ id: "a" }] })))).toBe("first-fit");
  });
});

describe("alert rules", () => {
  it("names are valid Prometheus alert names, unique per graph/service/event even when sanitising collides", () => {
    const names = [alertName("image-detection-graph", "vo", "main-event"), alertName("image_detection_graph", "vo", "main-event")];
    for (const n of names) expect(n).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    expect(names[0]).not.toBe(names[1]);
    expect(alertName("g", "s", "e")).toBe(alertName("g", "s", "e"));
  });

  it("one rule per event with graph, service, event and severity labels, for = gracePeriod", () => {
    const m = model(descriptor({ id: "g", services: [{ id: "s", events: ["e1", "e2"], condition: "ALL" }] }));
    const rules = rulesForService("g", m.services[0]!);
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatchObject({ for: "1m", labels: { graph: "g", service: "s", event: "e1", severity: "critical" } });
    expect(rules[0]!.annotations.description).toBe("e1 happened");
    expect(rules[0]!.annotations.summary).toBeTruthy();
  });

  it("finds the event from the event label, smo's alert name, or NEPHELE's bare event id", () => {
    const m = model(descriptor({ id: "g", services: [{ id: "s", events: ["e1", "e2"] }] }));
    const s = m.services[0]!;
    expect(eventOfAlert("g", s, { event: "e2" })).toBe("e2");
    expect(eventOfAlert("g", s, { alertname: alertName("g", "s", "e1") })).toBe("e1");
    expect(eventOfAlert("g", s, { alertname: "e2" })).toBe("e2");
    expect(eventOfAlert("g", s, { alertname: "other" })).toBeUndefined();
  });

  it("ALL needs every event firing; a resolution or a stop clears", () => {
    const m = model(descriptor({ id: "g", services: [{ id: "s", events: ["e1", "e2"], condition: "ALL" }] }));
    const s = m.services[0]!;
    let id = 0;
    const ev = (type: EventRecord["type"], event?: string): EventRecord => ({
      id: ++id,
      graph: "g",
      type,
      service: event ? "s" : null,
      message: "",
      details: event ? { event } : null,
      occurredAt: new Date(),
    });
    const h1 = [ev("alert-firing", "e1")];
    expect(conditionMet(s, firingEvents(h1, "s"))).toBe(false);
    const h2 = [...h1, ev("alert-firing", "e2")];
    expect(conditionMet(s, firingEvents(h2, "s"))).toBe(true);
    expect(conditionMet(s, firingEvents([...h2, ev("alert-resolved", "e1")], "s"))).toBe(false);
    expect(conditionMet(s, firingEvents([...h2, ev("stopped")], "s"))).toBe(false);
    const any = model(descriptor({ id: "g", services: [{ id: "s", events: ["e1", "e2"], condition: "ANY" }] })).services[0]!;
    expect(conditionMet(any, firingEvents(h1, "s"))).toBe(true);
  });
});
