// Holt's linear trend (double exponential smoothing) over irregularly spaced samples, for the `forecast`
// scaling strategy: scale for the rate expected `horizonMs` ahead instead of the last sample.

export interface RatePoint {
  at: number; // epoch ms
  rate: number;
}

export interface HoltOptions {
  /** Level smoothing, 0..1. */
  alpha: number;
  /** Trend smoothing, 0..1. */
  beta: number;
}

/** Forecast of the rate `horizonMs` after the last point; undefined with fewer than two points. */
export function holtForecast(points: readonly RatePoint[], horizonMs: number, opts: HoltOptions): number | undefined {
  if (points.length < 2) return undefined;
  let level = points[0]!.rate;
  // Trend in rate units per millisecond, so uneven spacing is handled.
  let trend = (points[1]!.rate - points[0]!.rate) / Math.max(1, points[1]!.at - points[0]!.at);
  for (let i = 1; i < points.length; i++) {
    const dt = Math.max(1, points[i]!.at - points[i - 1]!.at);
    const prevLevel = level;
    level = opts.alpha * points[i]!.rate + (1 - opts.alpha) * (level + trend * dt);
    trend = opts.beta * ((level - prevLevel) / dt) + (1 - opts.beta) * trend;
  }
  return Math.max(0, level + trend * horizonMs);
}
