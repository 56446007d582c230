// The Prometheus adapter against the real programs: a load generator scraped every second, the rule-file sink
// with reload, Alertmanager delivering to smo's webhook handler (posted alerts and alerts from smo's rules).
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAlertWebhookHandler,
  createPrometheusLoadQuery,
  createRuleFileSink,
  type AlertmanagerWebhook,
} from "../../src/adapters/prometheus/index.js";
import { InvalidArgumentError, UnavailableError } from "../../src/core/errors.js";
import type { AlertRule } from "../../src/core/ports/observability.js";
import { freePort, serveHttp, tempDir, waitFor, type HttpTestServer, type StartedProcess } from "../helpers/processes.js";
import { startAlertmanager, startPrometheus, stackAvailability } from "../helpers/prometheus.js";

const availability = stackAvailability();
const WEIRD_PROJECT = 'we"ird\\proj';

/** Exposes counters growing at fixed rates, so rate() has an exact expected value. */
function loadGenerator(rates: { namespace: string; service: string; perSecond: number }[]) {
  const t0 = Date.now();
  const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return serveHttp((_req, res) => {
    const elapsed = (Date.now() - t0) / 1000;
    const lines = ["# TYPE http_requests_total counter"];
    for (const r of rates) {
      lines.push(`http_requests_total{namespace="${esc(r.namespace)}",service="${esc(r.service)}"} ${(r.perSecond * elapsed).toFixed(3)}`);
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${lines.join("\n")}\n`);
  });
}

describe.skipIf(availability.skip)(`Prometheus and Alertmanager${availability.reason}`, () => {
  let dir: { path: string; remove(): Promise<void> };
  let webhook: HttpTestServer;
  let target: HttpTestServer;
  let alertmanager: StartedProcess;
  let prometheus: StartedProcess;
  const received: AlertmanagerWebhook[] = [];
  let ruleFile: string;

  beforeAll(async () => {
    dir = await tempDir("smo-prom-");
    webhook = await serveHttp(createAlertWebhookHandler((payload) => void received.push(payload)));
    target = await loadGenerator([
      { namespace: "p", service: "a", perSecond: 10 },
      { namespace: "p", service: "b", perSecond: 2.5 },
      { namespace: "other", service: "a", perSecond: 100 },
      { namespace: WEIRD_PROJECT, service: "quoted", perSecond: 4 },
    ]);
    alertmanager = await startAlertmanager(dir.path, `${webhook.url}/v1/alerts`);
    ruleFile = join(dir.path, "rules", "smo.rules.yml");
    await import("node:fs/promises").then((fs) => fs.mkdir(join(dir.path, "rules")));
    prometheus = await startPrometheus(dir.path, {
      ruleFiles: join(dir.path, "rules", "*.yml"),
      scrapeTargets: [`127.0.0.1:${target.port}`],
      alertmanager: `127.0.0.1:${alertmanager.port}`,
    });
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await target?.close();
    await webhook?.close();
    await dir?.remove();
  });

  it("returns per-service request rates of one project from the scraped target", async () => {
    const query = createPrometheusLoadQuery({ url: prometheus.url, window: "5s" });
    // rate() extrapolates from the samples it has: the value is exact once the 5 s window is covered by samples.
    const near = (p: { requestsPerSecond: number }, v: number) => Math.abs(p.requestsPerSecond - v) < 0.1 * v;
    const points = await waitFor(async () => {
      const p = await query.queryProject("p");
      const a = p.find((x) => x.service === "a");
      const b = p.find((x) => x.service === "b");
      return p.length === 2 && a && b && near(a, 10) && near(b, 2.5) ? p : undefined;
    }, "rates of services a and b in project p");
    const byService = Object.fromEntries(points.map((p) => [p.service, p.requestsPerSecond]));
    expect(byService.a).toBeCloseTo(10, 0);
    expect(byService.b).toBeCloseTo(2.5, 0);
    for (const p of points) expect(Math.abs(p.observedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("escapes quotes and backslashes in the project label value", async () => {
    const query = createPrometheusLoadQuery({ url: prometheus.url, window: "5s" });
    const points = await waitFor(async () => {
      const p = await query.queryProject(WEIRD_PROJECT);
      return p.length > 0 ? p : undefined;
    }, "the quoted project's rate");
    expect(points.map((p) => p.service)).toEqual(["quoted"]);
    expect(await query.queryProject('p"} or vector(1) or {x="')).toEqual([]);
  });

  it("maps a query Prometheus rejects to InvalidArgumentError and a dead Prometheus to UnavailableError", async () => {
    const bad = createPrometheusLoadQuery({ url: prometheus.url, template: "sum by (service) (rate(x{namespace=\"{{project}}\"}[{{window}}])" });
    await expect(bad.queryProject("p")).rejects.toBeInstanceOf(InvalidArgumentError);
    const scalar = createPrometheusLoadQuery({ url: prometheus.url, template: "scalar(vector({{window}}))".replace("{{window}}", "1") });
    await expect(scalar.queryProject("p")).rejects.toThrow(/instant vector/);
    const down = createPrometheusLoadQuery({ url: `http://127.0.0.1:${await freePort()}` });
    await expect(down.queryProject("p")).rejects.toBeInstanceOf(UnavailableError);
  });

  const rule = (alert: string, expr = "vector(1) > 0"): AlertRule => ({
    alert,
    expr,
    for: "0s",
    labels: { service: "noise-reduction", graph: "image-detection-graph", severity: "critical" },
    annotations: { summary: `smo test ${alert}` },
  });

  async function rulesInPrometheus(): Promise<string[]> {
    const res = await fetch(`${prometheus.url}/api/v1/rules`);
    const body = (await res.json()) as { data: { groups: { name: string; rules: { name: string }[] }[] } };
    return body.data.groups.filter((g) => g.name === "smo-alerts" || g.name.startsWith("smo-alerts/")).flatMap((g) => g.rules.map((r) => r.name));
  }

  it("writes rules that Prometheus loads after the reload, idempotently, and removes them", async () => {
    const sink = createRuleFileSink({ path: ruleFile, prometheusUrl: prometheus.url });
    await sink.upsertRule(rule("SmoFileRule"));
    expect(await rulesInPrometheus()).toContain("SmoFileRule");
    const inode = (await stat(ruleFile)).ino;
    await sink.upsertRule(rule("SmoFileRule"));
    expect((await stat(ruleFile)).ino).toBe(inode); // unchanged content is not rewritten
    expect(await sink.listRules()).toEqual([rule("SmoFileRule")]);

    await sink.upsertRule({ ...rule("SmoFileRule"), annotations: { summary: "changed" } });
    expect((await sink.listRules())[0]!.annotations).toEqual({ summary: "changed" });

    await sink.removeRule("SmoFileRule");
    await sink.removeRule("SmoFileRule");
    expect(await rulesInPrometheus()).not.toContain("SmoFileRule");
  });

  it("serialises concurrent writers and keeps other groups in the file", async () => {
    await writeFile(ruleFile, "groups:\n  - name: someone-else\n    rules:\n      - record: job:up:sum\n        expr: sum(up)\n");
    const sink = createRuleFileSink({ path: ruleFile, prometheusUrl: prometheus.url });
    await Promise.all(Array.from({ length: 8 }, (_, i) => sink.upsertRule(rule(`SmoConcurrent${i}`))));
    expect((await sink.listRules()).map((r) => r.alert).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `SmoConcurrent${i}`));
    expect(await readFile(ruleFile, "utf8")).toContain("someone-else");
    expect((await rulesInPrometheus()).length).toBe(8);
    await Promise.all(Array.from({ length: 8 }, (_, i) => sink.removeRule(`SmoConcurrent${i}`)));
    expect(await rulesInPrometheus()).toEqual([]);
  });

  it("rolls the file back when Prometheus refuses the rule", async () => {
    const sink = createRuleFileSink({ path: ruleFile, prometheusUrl: prometheus.url });
    await sink.upsertRule(rule("SmoKeep"));
    const before = await readFile(ruleFile, "utf8");
    await expect(sink.upsertRule(rule("SmoBroken", "sum(("))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await readFile(ruleFile, "utf8")).toBe(before);
    expect(await rulesInPrometheus()).toEqual(["SmoKeep"]);
    await expect(sink.upsertRule({ ...rule("x"), for: "soon", labels: { "bad-name": "v" } })).rejects.toMatchObject({
      violations: [
        { field: "rule.for", description: expect.any(String) },
        { field: "rule.labels.bad-name", description: "invalid name" },
      ],
    });
    await sink.removeRule("SmoKeep");
  });

  it("delivers an alert posted to Alertmanager to the webhook handler, parsed", async () => {
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const res = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ labels: { alertname: "SmoPosted", service: "svc-a", graph: "g1", severity: "warning" }, annotations: { summary: "posted" }, startsAt }]),
    });
    expect(res.status).toBe(200);
    const payload = await waitFor(() => received.find((p) => p.alerts.some((a) => a.labels.alertname === "SmoPosted")), "the posted alert at the webhook");
    const alert = payload.alerts.find((a) => a.labels.alertname === "SmoPosted")!;
    expect(payload).toMatchObject({ version: "4", status: "firing", receiver: "smo" });
    expect(alert).toMatchObject({ status: "firing", labels: { service: "svc-a", graph: "g1", severity: "warning" }, annotations: { summary: "posted" }, endsAt: null });
    expect(alert.startsAt.toISOString()).toBe(startsAt);
    expect(alert.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it("carries a rule written by the sink through Prometheus and Alertmanager to the webhook", async () => {
    const sink = createRuleFileSink({ path: ruleFile, prometheusUrl: prometheus.url });
    await sink.upsertRule(rule("SmoEndToEnd"));
    const payload = await waitFor(() => received.find((p) => p.alerts.some((a) => a.labels.alertname === "SmoEndToEnd")), "the rule's alert at the webhook", { timeoutMs: 25_000 });
    expect(payload.alerts.find((a) => a.labels.alertname === "SmoEndToEnd")!.labels).toMatchObject({ service: "noise-reduction", graph: "image-detection-graph", severity: "critical" });
    await sink.removeRule("SmoEndToEnd");
  });
});
