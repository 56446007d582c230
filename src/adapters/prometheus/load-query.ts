// LoadQuery over Prometheus' instant-query API: one query per project per tick, grouped by service, so the
// cost grows with projects, not services.
import type { Logger } from "pino";
import { InvalidArgumentError, UnavailableError } from "../../core/errors.js";
import type { LoadPoint, LoadQuery } from "../../core/ports/observability.js";
import { apiUrl, promFetch } from "./http.js";
import { defaultLoadTemplate, renderLoadQuery } from "./promql.js";
import { formatPromDuration, readScrapeTimes } from "./scrape-timing.js";

export interface PrometheusLoadQueryOptions {
  /** Prometheus base URL, e.g. http://127.0.0.1:9090 */
  url: string;
  /** Query template with {{project}} (label-escaped), {{window}} and, with `job`, {{job}} placeholders. */
  template?: string;
  /** Scrape interval of the load's targets. Default 1 s. */
  scrapeIntervalMs?: number;
  /** Rate window. Default 3 scrape intervals: room for the two samples irate needs, with one scrape late. */
  window?: string;
  /** Scrape job of the load's series: the default query selects it, and polls follow its targets' scrapes. */
  job?: string;
  timeoutMs?: number;
  /** Label carrying the service name in the result. Default "service". */
  serviceLabel?: string;
  logger?: Logger;
}

interface QueryResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: { metric?: Record<string, string>; value?: [number, string] }[] };
}

/** Parses an instant-query response into load points (series without the label or with a non-finite value are skipped). */
export function parseVectorResult(body: QueryResponse, serviceLabel: string, query: string): LoadPoint[] {
  if (body.data?.resultType !== "vector" || !Array.isArray(body.data.result)) {
    throw new InvalidArgumentError(`load query must return an instant vector, got ${body.data?.resultType ?? "nothing"}: ${query}`, [
      { field: "template", description: "the query must return an instant vector grouped by service" },
    ]);
  }
  const points: LoadPoint[] = [];
  for (const sample of body.data.result) {
    const service = sample.metric?.[serviceLabel];
    const [ts, raw] = sample.value ?? [];
    const value = Number(raw);
    if (!service || typeof ts !== "number" || !Number.isFinite(value)) continue;
    points.push({ service, requestsPerSecond: value, observedAt: new Date(ts * 1000) });
  }
  return points;
}

export function createPrometheusLoadQuery(options: PrometheusLoadQueryOptions): LoadQuery {
  const template = options.template ?? defaultLoadTemplate(options.job);
  const scrapeIntervalMs = options.scrapeIntervalMs ?? 1_000;
  const window = options.window ?? formatPromDuration(3 * scrapeIntervalMs);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const serviceLabel = options.serviceLabel ?? "service";
  renderLoadQuery(template, "probe", window, options.job); // fail at construction on a bad template or window

  return {
    async queryProject(project: string): Promise<LoadPoint[]> {
      const query = renderLoadQuery(template, project, window, options.job);
      const url = apiUrl(options.url, "/api/v1/query");
      url.searchParams.set("query", query);
      const res = await promFetch(url, { headers: { accept: "application/json" } }, timeoutMs, "Prometheus query");
      const body = (await res.json().catch(() => undefined)) as QueryResponse | undefined;
      if (res.ok && body?.status === "success") {
        const points = parseVectorResult(body, serviceLabel, query);
        options.logger?.debug({ project, points: points.length }, "prometheus load query");
        return points;
      }
      const detail = body?.error ? `${body.errorType ?? "error"}: ${body.error}` : `HTTP ${res.status}`;
      if (body?.errorType === "bad_data" || res.status === 400) {
        throw new InvalidArgumentError(`Prometheus rejected the load query (${detail}): ${query}`, [
          { field: "template", description: body?.error ?? "rejected by Prometheus" },
        ]);
      }
      throw new UnavailableError(`Prometheus load query failed (${detail})`);
    },
    scrapeTimes: () => readScrapeTimes(options.url, options.job, scrapeIntervalMs, timeoutMs),
  };
}
