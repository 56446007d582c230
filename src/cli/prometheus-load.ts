// The pulled-load source of `smo serve`: the scrape interval (given, or read from Prometheus when allowed) sets
// the default window (3 intervals) and the poll period (one poll per scrape, just after it lands).
import { createPrometheusLoadQuery, formatPromDuration, readScrapeInterval } from "../adapters/prometheus/index.js";
import { PrometheusLoadSource, type LoadSink } from "../core/elasticity/prometheus-source.js";
import type { ElasticityMetrics } from "../core/elasticity/metrics.js";
import type { Logger } from "../observability/logger.js";
import type { ServeConfig } from "./serve-config.js";

/** Used when --prometheus-scrape-interval auto cannot read the configuration (a proxy or role refusing it). */
const FALLBACK_SCRAPE_MS = 1_000;

export async function createPrometheusSource(
  config: ServeConfig & { prometheus: string },
  deps: { sink: LoadSink; metrics: ElasticityMetrics; logger: Logger },
): Promise<PrometheusLoadSource> {
  let scrapeMs: number;
  if (config.prometheusScrapeIntervalMs === "auto") {
    scrapeMs = await readScrapeInterval(config.prometheus, config.prometheusJob).catch((err: unknown) => {
      deps.logger.warn({ err, fallback: FALLBACK_SCRAPE_MS }, "scrape interval not readable from Prometheus; assuming 1s");
      return FALLBACK_SCRAPE_MS;
    });
  } else {
    scrapeMs = config.prometheusScrapeIntervalMs;
  }
  const window = config.prometheusWindow ?? formatPromDuration(3 * scrapeMs);
  const query = createPrometheusLoadQuery({
    url: config.prometheus,
    template: config.prometheusQuery,
    window,
    scrapeIntervalMs: scrapeMs,
    job: config.prometheusJob,
  });
  const aligned = config.prometheusIntervalMs === undefined;
  deps.logger.info({ scrapeIntervalMs: scrapeMs, window, pollMs: config.prometheusIntervalMs ?? scrapeMs, aligned, job: config.prometheusJob }, "pulled load");
  return new PrometheusLoadSource(
    { query, sink: deps.sink, metrics: deps.metrics, logger: deps.logger },
    { intervalMs: config.prometheusIntervalMs ?? scrapeMs, alignToScrapes: aligned },
  );
}
