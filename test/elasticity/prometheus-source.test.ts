// The Prometheus load source against Debian's Prometheus scraping a tiny load generator every second: samples
// flow into the controller and scale the service; Prometheus down keeps the replicas and reports the condition;
// recovery is automatic once it is back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrometheusLoadQuery, readScrapeInterval } from "../../src/adapters/prometheus/index.js";
import { PrometheusLoadSource } from "../../src/core/elasticity/index.js";
import { startLoadGenerator, type LoadGenerator } from "../../bench/elasticity/load-generator.js";
import { PROMETHEUS_BIN, startPrometheus, type PrometheusProcess } from "../helpers/prometheus.js";
import { requireBinaries, tempDir } from "../helpers/processes.js";
import { eventually, logger, sleep, startHarness, type Harness } from "./harness.js";

const available = requireBinaries(PROMETHEUS_BIN);

describe.skipIf(available.skip)(`Prometheus load source (real Prometheus)${available.reason}`, () => {
  let h: Harness;
  let gen: LoadGenerator;
  let prom: PrometheusProcess;
  let source: PrometheusLoadSource;
  let dir: { path: string; remove(): Promise<void> };
  const project = "p-prom";

  beforeAll(async () => {
    dir = await tempDir("smo-elasticity-prom-");
    gen = await startLoadGenerator();
    gen.setRate(project, "web", 5);
    prom = await startPrometheus(dir.path, { scrapeTargets: [gen.target] });
    h = await startHarness({ sim: { clusters: 1, podStartMs: 50 }, config: { stabilizationMs: 300 } });
    await h.seedGraph({ name: "pulled", project, services: [{ name: "web", cluster: "member1" }] });
    // smo serve's defaults: irate over 3 scrape intervals of the job, one poll per scrape, aligned to it.
    source = new PrometheusLoadSource(
      { query: createPrometheusLoadQuery({ url: prom.url, job: "load", scrapeIntervalMs: 1_000, timeoutMs: 1_000 }), sink: h.controller, metrics: h.metrics, logger },
      { intervalMs: 1_000, alignToScrapes: true },
    );
    source.start();
  }, 90_000);

  afterAll(async () => {
    source?.stop();
    await h?.close();
    await prom?.stop();
    await gen?.close();
    await dir?.remove();
  });

  const sourceUp = async () => {
    const metric = await h.registry.getSingleMetric("smo_load_source_up")!.get();
    return metric.values.find((v) => v.labels.project === project)?.value;
  };

  it("pulls the rate of each service with one query per project and scales on it", async () => {
    gen.setRate(project, "web", 45);
    const decision = await eventually(
      async () => (await h.store.decisions.listAfter(0, { graph: "pulled" }))[0],
      (d) => d !== undefined,
      "a decision from Prometheus samples",
      20_000,
    );
    expect(decision!.trigger).toBe("prometheus");
    expect(decision!.requestsPerSecond).toBeGreaterThan(10);
    // irate reaches the new rate one scrape after the change: 45 req/s needs 5 replicas.
    await eventually(() => h.replicas(project, "web"), (s) => (s?.desired ?? 0) >= 5, "5 replicas", 20_000);
    // The polls found the scrape timing of the job's one target.
    expect(source.alignment()).toEqual(expect.any(Number));
    expect(await sourceUp()).toBe(1);
    expect(source.conditions()).toEqual([expect.objectContaining({ project, up: true })]);
  }, 30_000);

  it("reads the job's scrape interval from Prometheus's configuration", async () => {
    expect(await readScrapeInterval(prom.url, "load")).toBe(1_000);
    await expect(readScrapeInterval(prom.url, "no-such-job")).rejects.toThrow(/no scrape job "no-such-job"/);
  });

  it("keeps the replicas while Prometheus is down, reports it, and recovers by itself", async () => {
    // Let the rate settle at 45 req/s so nothing is pending, then take Prometheus away.
    await sleep(4_000);
    await h.controller.settled();
    const before = (await h.replicas(project, "web"))!.desired;
    const calls = h.scaleCalls.length;
    await prom.stop();
    gen.setRate(project, "web", 0);

    await eventually(() => source.conditions()[0]?.up, (up) => up === false, "the down condition");
    expect(await sourceUp()).toBe(0);
    // Several polls and more than the stabilisation window without data: nothing scales down.
    await sleep(1_500);
    await h.controller.settled();
    expect(h.scaleCalls.length).toBe(calls);
    expect((await h.replicas(project, "web"))!.desired).toBe(before);

    await prom.restart();
    await eventually(() => source.conditions()[0]?.up, (up) => up === true, "recovery", 20_000);
    expect(await sourceUp()).toBe(1);
    // With data again the idle service goes back to one replica after the window.
    await eventually(() => h.replicas(project, "web"), (s) => s?.desired === 1, "the scale-down after recovery", 20_000);
  }, 60_000);
});
