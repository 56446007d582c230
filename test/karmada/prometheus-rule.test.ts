// The PrometheusRule AlertRuleSink through the real client-node against the simulated API server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertRule } from "../../src/core/ports/observability.js";
import { createPrometheusRuleSink } from "../../src/adapters/karmada/index.js";
import { startKarmadaTestbed, type KarmadaTestbed } from "./federation.js";
import { recordingLogger } from "./fixtures.js";

let fed: KarmadaTestbed;

function rule(alert: string, expr = "up == 0"): AlertRule {
  return {
    alert,
    expr,
    for: "1m",
    labels: { severity: "critical", service: "image-detection" },
    annotations: { description: `${alert} fired`, summary: alert },
  };
}

async function readRule(namespace: string, name: string) {
  return (await fed.client.kube.custom.getNamespacedCustomObject({
    group: "monitoring.coreos.com", version: "v1", plural: "prometheusrules", namespace, name,
  })) as { metadata: { labels?: Record<string, string>; resourceVersion: string }; spec: { groups: { name: string; rules: AlertRule[] }[] } };
}

beforeAll(async () => {
  fed = await startKarmadaTestbed({ clusters: 1, gpuClusters: 0 });
  await fed.client.ensureNamespace("monitoring");
});

afterAll(async () => {
  await fed?.stop();
});

describe("PrometheusRule sink", () => {
  it("creates NEPHELE's default object and group, and adding the same rule twice keeps one rule", async () => {
    const sink = createPrometheusRuleSink(fed.client);
    await sink.upsertRule(rule("brussels-high-load"));
    const first = await readRule("monitoring", "kube-prometheus-stack-0");
    await sink.upsertRule(rule("brussels-high-load"));
    const second = await readRule("monitoring", "kube-prometheus-stack-0");
    expect(second.spec.groups).toEqual([{ name: "smo-alerts", rules: [rule("brussels-high-load")] }]);
    // Unchanged rule: no write at all.
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(second.metadata.labels).toMatchObject({ release: "kube-prometheus-stack" });
    expect(await sink.listRules()).toEqual([rule("brussels-high-load")]);
  });

  it("puts each graph's rules in a group of its own, moves a rule out of the shared group, and drops emptied groups", async () => {
    const sink = createPrometheusRuleSink(fed.client, { namespace: "monitoring", name: "per-graph" });
    const of = (graph: string, alert: string, expr = "up == 0"): AlertRule => ({ ...rule(alert, expr), labels: { ...rule(alert).labels, graph } });
    await sink.upsertRule(rule("legacy")); // no graph label: the shared group, as a previous version wrote
    await sink.upsertRule(of("shop", "shop-a"));
    await sink.upsertRule(of("shop", "shop-b"));
    await sink.upsertRule(of("blog", "blog-a", "sum(rate(x[5m])) > 1"));
    const groups = (await readRule("monitoring", "per-graph")).spec.groups;
    expect(groups.map((g) => [g.name, g.rules.map((r) => r.alert)])).toEqual([
      ["smo-alerts", ["legacy"]],
      ["smo-alerts/shop", ["shop-a", "shop-b"]],
      ["smo-alerts/blog", ["blog-a"]],
    ]);
    // The legacy rule, upserted again with its graph, moves; the shared group, now empty, goes.
    await sink.upsertRule(of("shop", "legacy"));
    await sink.removeRule("blog-a");
    const after = (await readRule("monitoring", "per-graph")).spec.groups;
    expect(after.map((g) => [g.name, g.rules.map((r) => r.alert)])).toEqual([["smo-alerts/shop", ["shop-a", "shop-b", "legacy"]]]);
    expect((await sink.listRules()).map((r) => r.alert)).toEqual(["shop-a", "shop-b", "legacy"]);
  });

  it("replaces a rule with the same alert name in place, keeps other groups, removes idempotently", async () => {
    const sink = createPrometheusRuleSink(fed.client, { namespace: "monitoring", name: "shared", group: "smo-alerts" });
    const other = createPrometheusRuleSink(fed.client, { namespace: "monitoring", name: "shared", group: "team-alerts" });
    await other.upsertRule(rule("team-rule"));
    await sink.upsertRule(rule("a"));
    await sink.upsertRule(rule("b"));
    await sink.upsertRule(rule("a", "rate(http_requests_total[1m]) > 10"));
    expect((await sink.listRules()).map((r) => [r.alert, r.expr])).toEqual([
      ["a", "rate(http_requests_total[1m]) > 10"],
      ["b", "up == 0"],
    ]);
    await sink.removeRule("a");
    await sink.removeRule("a");
    await sink.removeRule("never-added");
    expect((await sink.listRules()).map((r) => r.alert)).toEqual(["b"]);
    await sink.removeRule("b");
    expect(await sink.listRules()).toEqual([]);
    // The other group is untouched; smo's emptied group is dropped.
    const object = await readRule("monitoring", "shared");
    expect(object.spec.groups.map((g) => g.name)).toEqual(["team-alerts"]);
    expect(await other.listRules()).toEqual([rule("team-rule")]);
  });

  it("removing from an object that does not exist is fine", async () => {
    const sink = createPrometheusRuleSink(fed.client, { name: "absent" });
    await sink.removeRule("x");
    expect(await sink.listRules()).toEqual([]);
  });

  it("loses no rule when several writers change the object at once (409 re-read and retried)", async () => {
    const { logger, records } = recordingLogger();
    const client = fed.connect({ logger });
    const sinks = [0, 1, 2, 3, 4].map(() => createPrometheusRuleSink(client, { name: "contended", conflictRetries: 10 }));
    await Promise.all(sinks.map((sink, i) => sink.upsertRule(rule(`alert-${i}`))));
    const alerts = (await sinks[0]!.listRules()).map((r) => r.alert).sort();
    expect(alerts).toEqual(["alert-0", "alert-1", "alert-2", "alert-3", "alert-4"]);
    // The writers did collide (409 on create or on the resourceVersion-checked replace) and re-read.
    expect(records.some((r) => r.msg === "PrometheusRule changed concurrently; re-reading")).toBe(true);
  });
});
