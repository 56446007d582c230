// What smo learns from Prometheus about its scrapes: the scrape interval of a job (from /api/v1/status/config,
// which a proxy or a read-only role may refuse) and when each of the job's targets was last scraped (from
// /api/v1/targets), so the load source can poll just after a scrape has landed instead of up to one interval late.
import { parse } from "yaml";
import { UnavailableError } from "../../core/errors.js";
import type { ScrapeTimes } from "../../core/ports/observability.js";
import { apiUrl, promFetch } from "./http.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** A Prometheus duration ("1s", "1m30s", "500ms") in milliseconds; undefined when it is not one. */
export function promDurationMs(value: string): number | undefined {
  const parts = [...value.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** Milliseconds as the shortest Prometheus duration ("3s", "1500ms"). */
export function formatPromDuration(ms: number): string {
  const whole = Math.round(ms);
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

interface PromConfig {
  global?: { scrape_interval?: string };
  scrape_configs?: { job_name?: string; scrape_interval?: string }[];
}

/**
 * The scrape interval of `job` (its own, else the global one, else Prometheus's default of 1m) from the YAML that
 * /api/v1/status/config returns. `job` undefined: the global interval.
 */
export function scrapeIntervalOf(yamlText: string, job: string | undefined): number {
  const config = (parse(yamlText) ?? {}) as PromConfig;
  const own = job === undefined ? undefined : config.scrape_configs?.find((c) => c.job_name === job);
  if (job !== undefined && !own) throw new UnavailableError(`Prometheus has no scrape job "${job}"`);
  const text = own?.scrape_interval ?? config.global?.scrape_interval ?? "1m";
  const ms = promDurationMs(text);
  if (ms === undefined || ms <= 0) throw new UnavailableError(`Prometheus reports a scrape interval smo cannot read: "${text}"`);
  return ms;
}

async function getJson<T>(base: string, path: string, timeoutMs: number, what: string): Promise<T> {
  const res = await promFetch(apiUrl(base, path), { headers: { accept: "application/json" } }, timeoutMs, what);
  const body = (await res.json().catch(() => undefined)) as { status?: string; data?: T; error?: string } | undefined;
  if (!res.ok || body?.status !== "success" || body.data === undefined) {
    throw new UnavailableError(`${what}: HTTP ${res.status}${body?.error ? ` (${body.error})` : ""}`);
  }
  return body.data;
}

/** Reads the scrape interval of `job` from the running Prometheus. Throws UnavailableError when not allowed. */
export async function readScrapeInterval(url: string, job: string | undefined, timeoutMs = 2_000): Promise<number> {
  const data = await getJson<{ yaml?: string }>(url, "/api/v1/status/config", timeoutMs, "Prometheus configuration");
  return scrapeIntervalOf(data.yaml ?? "", job);
}

interface ActiveTarget {
  labels?: Record<string, string>;
  scrapePool?: string;
  lastScrape?: string;
  lastScrapeDuration?: number;
  health?: string;
}

/** When the data of each healthy target of `job` (every job when undefined) last landed: scrape start + duration. */
export function landedTimes(targets: ActiveTarget[], job: string | undefined): { landedAt: number[]; durationMs: number } {
  const landedAt: number[] = [];
  let durationMs = 0;
  for (const t of targets) {
    if (job !== undefined && (t.labels?.job ?? t.scrapePool) !== job) continue;
    const start = t.lastScrape ? Date.parse(t.lastScrape) : NaN;
    // Never scraped yet: Prometheus reports 0001-01-01.
    if (t.health !== "up" || !Number.isFinite(start) || start <= 0) continue;
    const took = Math.max(0, (t.lastScrapeDuration ?? 0) * 1000);
    durationMs = Math.max(durationMs, took);
    landedAt.push(start + took);
  }
  return { landedAt, durationMs };
}

export async function readScrapeTimes(url: string, job: string | undefined, intervalMs: number, timeoutMs = 2_000): Promise<ScrapeTimes> {
  const data = await getJson<{ activeTargets?: ActiveTarget[] }>(url, "/api/v1/targets?state=active", timeoutMs, "Prometheus targets");
  return { intervalMs, ...landedTimes(data.activeTargets ?? [], job) };
}
