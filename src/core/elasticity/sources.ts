// Many reporters for one service (docs/elasticity.md, "Sources"): Hop3 on several hosts each sees part of a
// service's traffic, so the service's rate is the sum over its sources of each source's latest sample. A named
// source counts while its latest sample is fresh: 3 of its own report intervals (estimated from the gaps
// between its samples), bounded, so a host that stops reporting stops counting instead of pinning the rate.
// The unnamed slot (samples without a source, and the Prometheus rate) keeps the original meaning: the latest
// sample replaces the previous one and holds until the next.

/** Key of the unnamed slot. */
export const UNNAMED = "";
/** How the unnamed slot is labelled in decisions when its latest sample came from Prometheus. */
export const PROMETHEUS_LABEL = "prometheus";

export interface SourceFreshness {
  /** A source counts for this many of its report intervals after its latest sample. */
  sourceFreshnessIntervals: number;
  /** Bounds of the freshness window; a source's first sample (interval unknown) gets the upper bound. */
  sourceFreshnessMinMs: number;
  sourceFreshnessMaxMs: number;
}

export interface SourceSample {
  rate: number;
  observedAt: number;
  /** Our clock: freshness never depends on the reporter's. */
  receivedAt: number;
  /** Smoothed gap between this source's samples; undefined after one sample. */
  intervalMs?: number;
  /** Decision label: the source name, or "prometheus" / "" for the unnamed slot. */
  label: string;
}

export type Sources = Map<string, SourceSample>;

export function freshnessMs(src: SourceSample, cfg: SourceFreshness): number {
  if (src.intervalMs === undefined) return cfg.sourceFreshnessMaxMs;
  const w = cfg.sourceFreshnessIntervals * src.intervalMs;
  return Math.min(cfg.sourceFreshnessMaxMs, Math.max(cfg.sourceFreshnessMinMs, w));
}

function isFresh(key: string, src: SourceSample, now: number, cfg: SourceFreshness): boolean {
  return key === UNNAMED || now - src.receivedAt <= freshnessMs(src, cfg);
}

/**
 * Records a sample of `key`; false (nothing changed) when it is older than that source's latest. Mutates the
 * existing entry so a steady reporter allocates nothing per sample.
 */
export function recordSample(sources: Sources, key: string, label: string, rate: number, observedAt: number, receivedAt: number): boolean {
  const src = sources.get(key);
  if (!src) {
    sources.set(key, { rate, observedAt, receivedAt, label });
    return true;
  }
  if (observedAt < src.observedAt) return false;
  const gap = receivedAt - src.receivedAt;
  // Two samples of one batch (gap 0) say nothing about the report interval.
  if (gap > 0) src.intervalMs = src.intervalMs === undefined ? gap : 0.5 * src.intervalMs + 0.5 * gap;
  src.rate = rate;
  src.observedAt = observedAt;
  src.receivedAt = receivedAt;
  src.label = label;
  return true;
}

/** Drops named sources whose latest sample is stale; true when any was dropped. */
export function expireSources(sources: Sources, now: number, cfg: SourceFreshness): boolean {
  let dropped = false;
  for (const [key, src] of sources) {
    if (!isFresh(key, src, now, cfg)) {
      sources.delete(key);
      dropped = true;
    }
  }
  return dropped;
}

/** The service's rate: the sum over its sources (call expireSources first). */
export function totalRate(sources: Sources): number {
  let sum = 0;
  for (const src of sources.values()) sum += src.rate;
  return sum;
}

/** True when a named source still counts (Prometheus then stays out: it would count the same traffic twice). */
export function hasFreshNamed(sources: Sources, now: number, cfg: SourceFreshness): boolean {
  for (const [key, src] of sources) if (key !== UNNAMED && isFresh(key, src, now, cfg)) return true;
  return false;
}

/** What a decision records: each source's share of the rate. */
export function sourceRates(sources: Sources): { source: string; requestsPerSecond: number }[] {
  return [...sources.values()].map((s) => ({ source: s.label, requestsPerSecond: s.rate }));
}
