// PromQL escaping and templates, the webhook parser and handler, the rule file without a live Prometheus.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createAlertWebhookHandler,
  createPrometheusLoadQuery,
  createRuleFileSink,
  defaultLoadTemplate,
  escapePromLabelValue,
  formatPromDuration,
  landedTimes,
  promDurationMs,
  scrapeIntervalOf,
  escapePromRegex,
  parseAlertmanagerWebhook,
  parseVectorResult,
  renderLoadQuery,
  renderTemplate,
  type AlertmanagerWebhook,
} from "../../src/adapters/prometheus/index.js";
import { InvalidArgumentError, UnavailableError } from "../../src/core/errors.js";
import { freePort, serveHttp, tempDir } from "../helpers/processes.js";

describe("PromQL text", () => {
  it("escapes backslash, double quote and newline in label values", () => {
    expect(escapePromLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapePromLabelValue("plain-name")).toBe("plain-name");
    expect(escapePromRegex("a.b*c")).toBe("a\\.b\\*c");
  });

  it("renders the default load query and refuses bad windows and unknown placeholders", () => {
    expect(renderLoadQuery('sum by (service) (rate(http_requests_total{namespace="{{project}}"}[{{ window }}]))', 'p"x', "5s")).toBe(
      'sum by (service) (rate(http_requests_total{namespace="p\\"x"}[5s]))',
    );
    expect(() => renderLoadQuery("x[{{window}}]", "p", "5 s")).toThrow(InvalidArgumentError);
    expect(() => renderLoadQuery("x[{{window}}]", "p", "0s")).toThrow(/duration/);
    expect(renderLoadQuery("x[{{window}}]", "p", "1m30s")).toBe("x[1m30s]");
    expect(() => renderTemplate("{{projct}}", { project: "p" })).toThrow(/unknown placeholder \{\{projct\}\}/);
    expect(() => createPrometheusLoadQuery({ url: "http://127.0.0.1:1", window: "forever" })).toThrow(InvalidArgumentError);
  });

  it("defaults to irate over 3 scrape intervals, selecting the job when one is given", () => {
    expect(renderLoadQuery(defaultLoadTemplate(), "p", "3s")).toBe('sum by (service) (irate(http_requests_total{namespace="p"}[3s]))');
    expect(renderLoadQuery(defaultLoadTemplate('j"1'), "p", "45s", 'j"1')).toBe(
      'sum by (service) (irate(http_requests_total{namespace="p",job="j\\"1"}[45s]))',
    );
    // {{job}} is unknown without a job: a template that needs it fails loudly.
    expect(() => renderLoadQuery("x{job=\"{{job}}\"}", "p", "3s")).toThrow(/unknown placeholder \{\{job\}\}/);
    expect(formatPromDuration(3 * 1000)).toBe("3s");
    expect(formatPromDuration(3 * 250)).toBe("750ms");
    expect(promDurationMs("1m30s")).toBe(90_000);
    expect(promDurationMs("500ms")).toBe(500);
    expect(promDurationMs("5 s")).toBeUndefined();
  });

  it("reads a job's scrape interval from Prometheus's configuration, else the global one", () => {
    const yaml = "global:\n  scrape_interval: 15s\nscrape_configs:\n- job_name: load\n  scrape_interval: 5s\n- job_name: other\n";
    expect(scrapeIntervalOf(yaml, "load")).toBe(5_000);
    expect(scrapeIntervalOf(yaml, "other")).toBe(15_000);
    expect(scrapeIntervalOf(yaml, undefined)).toBe(15_000);
    expect(scrapeIntervalOf("scrape_configs: []\n", undefined)).toBe(60_000);
    expect(() => scrapeIntervalOf(yaml, "missing")).toThrow(UnavailableError);
  });

  it("takes when each healthy target of the job last landed from the targets API", () => {
    const targets = [
      { labels: { job: "load" }, lastScrape: "2026-01-01T00:00:00.300Z", lastScrapeDuration: 0.004, health: "up" },
      { labels: { job: "load" }, lastScrape: "0001-01-01T00:00:00Z", lastScrapeDuration: 0, health: "unknown" },
      { labels: { job: "other" }, lastScrape: "2026-01-01T00:00:00.700Z", lastScrapeDuration: 0.002, health: "up" },
    ];
    expect(landedTimes(targets, "load")).toEqual({ landedAt: [Date.parse("2026-01-01T00:00:00.304Z")], durationMs: 4 });
    expect(landedTimes(targets, undefined).landedAt).toHaveLength(2);
  });

  it("parses vector results, skipping series without service label or with NaN", () => {
    const points = parseVectorResult(
      {
        data: {
          resultType: "vector",
          result: [
            { metric: { service: "a" }, value: [1700000000.5, "12.5"] },
            { metric: { service: "b" }, value: [1700000000.5, "NaN"] },
            { metric: {}, value: [1700000000.5, "3"] },
          ],
        },
      },
      "service",
      "q",
    );
    expect(points).toEqual([{ service: "a", requestsPerSecond: 12.5, observedAt: new Date(1700000000500) }]);
  });
});

const firing = {
  version: "4",
  groupKey: '{}:{alertname="HighNoise"}',
  truncatedAlerts: 0,
  status: "firing",
  receiver: "smo",
  groupLabels: { alertname: "HighNoise" },
  commonLabels: { alertname: "HighNoise", service: "noise-reduction" },
  commonAnnotations: {},
  externalURL: "http://am:9093",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "HighNoise", service: "noise-reduction", graph: "g", severity: "critical" },
      annotations: { summary: "noise" },
      startsAt: "2026-01-02T03:04:05.678Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prom/graph",
      fingerprint: "0123456789abcdef",
    },
  ],
};

describe("Alertmanager webhook", () => {
  it("parses a v4 payload", () => {
    const p = parseAlertmanagerWebhook(JSON.stringify(firing));
    expect(p.alerts[0]).toEqual({
      status: "firing",
      labels: firing.alerts[0]!.labels,
      annotations: { summary: "noise" },
      startsAt: new Date("2026-01-02T03:04:05.678Z"),
      endsAt: null,
      fingerprint: "0123456789abcdef",
      generatorURL: "http://prom/graph",
    });
    const resolved = parseAlertmanagerWebhook({ ...firing, status: "resolved", alerts: [{ ...firing.alerts[0], status: "resolved", endsAt: "2026-01-02T04:00:00Z" }] });
    expect(resolved.alerts[0]!.endsAt).toEqual(new Date("2026-01-02T04:00:00Z"));
  });

  it("lists every bad field with its path", () => {
    const bad = {
      ...firing,
      version: "3",
      alerts: [{ ...firing.alerts[0], status: "pending", labels: { service: 1 }, startsAt: "yesterday", fingerprint: undefined }],
    };
    const err = (() => {
      try {
        parseAlertmanagerWebhook(bad);
      } catch (e) {
        return e as InvalidArgumentError;
      }
    })();
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err!.violations.map((v) => v.field)).toEqual([
      "version",
      "alerts[0].startsAt",
      "alerts[0].status",
      "alerts[0].labels.service",
      "alerts[0].fingerprint",
    ]);
    expect(() => parseAlertmanagerWebhook("{")).toThrow(/not JSON/);
    expect(() => parseAlertmanagerWebhook([])).toThrow(/JSON object/);
    expect(() => parseAlertmanagerWebhook({ ...firing, alerts: {} })).toThrow(/alerts must be an array/);
  });

  it("serves 200 after onAlerts, 400 on a bad payload, 503 when the consumer is unavailable", async () => {
    const got: AlertmanagerWebhook[] = [];
    let fail = false;
    const srv = await serveHttp(
      createAlertWebhookHandler(async (p) => {
        if (fail) throw new UnavailableError("store down");
        got.push(p);
      }),
    );
    try {
      const post = (body: string) => fetch(`${srv.url}/v1/alerts`, { method: "POST", body, headers: { "content-type": "application/json" } });
      expect((await post(JSON.stringify(firing))).status).toBe(200);
      expect(got).toHaveLength(1);
      const bad = await post(JSON.stringify({ ...firing, version: "2" }));
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { violations: { field: string }[] }).violations[0]!.field).toBe("version");
      fail = true;
      expect((await post(JSON.stringify(firing))).status).toBe(503);
      expect((await fetch(`${srv.url}/v1/alerts`)).status).toBe(405);
    } finally {
      await srv.close();
    }
  });
});

describe("rule file without a reachable Prometheus", () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir("smo-rules-");
  });
  afterEach(() => dir.remove());

  const rule = { alert: "A", expr: "up == 0", for: "1m", labels: { severity: "warning" }, annotations: {} };

  it("writes the group, reports UnavailableError, and reloads on the next call even if nothing changed", async () => {
    const path = join(dir.path, "smo.yml");
    const port = await freePort();
    const down = createRuleFileSink({ path, prometheusUrl: `http://127.0.0.1:${port}` });
    await expect(down.upsertRule(rule)).rejects.toBeInstanceOf(UnavailableError);
    expect(await readFile(path, "utf8")).toBe("groups:\n  - name: smo-alerts\n    rules:\n      - alert: A\n        expr: up == 0\n        for: 1m\n        labels:\n          severity: warning\n");
    await expect(down.upsertRule(rule)).rejects.toBeInstanceOf(UnavailableError);
    let reloads = 0;
    const prom = await serveHttp((req, res) => {
      if (req.method === "POST" && req.url === "/-/reload") reloads++;
      res.writeHead(200).end();
    });
    try {
      const sink = createRuleFileSink({ path, prometheusUrl: prom.url });
      await sink.upsertRule(rule);
      expect(reloads).toBe(1); // a fresh sink reloads once even when the file is unchanged
      await sink.upsertRule(rule);
      expect(reloads).toBe(1);
      await sink.removeRule("A");
      expect(reloads).toBe(2);
      expect(await readFile(path, "utf8")).toBe("groups: []\n");
    } finally {
      await prom.close();
    }
  });

  it("refuses to overwrite a file that is not a rule file", async () => {
    const path = join(dir.path, "broken.yml");
    await writeFile(path, "groups: {not: a list}\n");
    await expect(createRuleFileSink({ path }).upsertRule(rule)).rejects.toThrow(/no "groups" list/);
    expect(await readFile(path, "utf8")).toBe("groups: {not: a list}\n");
  });
});
