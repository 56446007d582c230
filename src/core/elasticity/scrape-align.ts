// Polls that follow Prometheus's scrapes. A target is scraped at a fixed offset within each interval, so a poll
// placed just after that offset sees each new scrape at once; an unaligned poll sees it up to one interval late.
import type { ScrapeTimes } from "../ports/observability.js";

/** Time allowed after a scrape lands before its samples are queryable: the scrape's own duration twice, plus this. */
const LAND_MARGIN_MS = 25;

/**
 * Offset within the interval (ms since the epoch modulo the interval) at which to poll. With several targets
 * scraped at different offsets it goes right after the target that precedes the longest quiet gap, which keeps
 * the longest wait of any target for the poll as short as it can be. Undefined when nothing was scraped yet.
 */
export function pollOffset(times: ScrapeTimes): number | undefined {
  const { intervalMs } = times;
  if (times.landedAt.length === 0 || !(intervalMs > 0)) return undefined;
  const phases = times.landedAt.map((t) => mod(t, intervalMs)).sort((a, b) => a - b);
  let best = phases.length - 1;
  let bestGap = phases[0]! + intervalMs - phases.at(-1)!;
  for (let i = 0; i + 1 < phases.length; i++) {
    const gap = phases[i + 1]! - phases[i]!;
    if (gap > bestGap) {
      bestGap = gap;
      best = i;
    }
  }
  return mod(phases[best]! + 2 * times.durationMs + LAND_MARGIN_MS, intervalMs);
}

/** Milliseconds from `now` to the next moment at `offset` within the interval (0 < result ≤ interval). */
export function delayToOffset(now: number, offset: number, intervalMs: number): number {
  const d = mod(offset - now, intervalMs);
  return d === 0 ? intervalMs : d;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
