// Scale-down stabilisation, as the Kubernetes HPA does it: the replica count may only fall to the highest
// count recommended during the last `windowMs`, so a short dip in load does not remove replicas that the next
// burst needs again. Recommendations form a step function (each holds until the next one); only changes are
// kept, so a service sampled every second keeps a handful of entries, not one per sample.

export class ScaleDownStabilizer {
  private readonly recommendations: { at: number; replicas: number }[] = [];

  constructor(private readonly windowMs: number) {}

  record(at: number, replicas: number): void {
    const last = this.recommendations.at(-1);
    if (last && at < last.at) return; // out of order: the step function only moves forward
    if (last?.replicas !== replicas) this.recommendations.push({ at, replicas });
    this.prune(at);
  }

  /** Lowest count allowed at `now`; `current` when the window holds no recommendation yet. */
  floor(now: number, current: number): number {
    this.prune(now);
    if (this.recommendations.length === 0) return current;
    // A recommendation as old as the window itself has covered it: until then, keep `current`.
    const oldest = this.recommendations[0]!.at;
    const highest = Math.max(...this.recommendations.map((r) => r.replicas));
    return now - oldest >= this.windowMs ? highest : Math.max(highest, current);
  }

  /**
   * The earliest time at which `floor(t, current)` drops below `current` if no new recommendation arrives,
   * or undefined when it never does (the latest recommendation is at least `current`).
   */
  scaleDownAt(current: number): number | undefined {
    const recs = this.recommendations;
    if (recs.length === 0) return undefined;
    let k = -1;
    for (let i = recs.length - 1; i >= 0; i--) {
      if (recs[i]!.replicas >= current) {
        k = i;
        break;
      }
    }
    if (k === -1) return recs[0]!.at + this.windowMs;
    const next = recs[k + 1];
    return next ? next.at + this.windowMs : undefined;
  }

  reset(): void {
    this.recommendations.length = 0;
  }

  private prune(now: number): void {
    // Keep one recommendation older than the window: it is the value in force at the window's start.
    while (this.recommendations.length > 1 && now - this.recommendations[1]!.at >= this.windowMs) {
      this.recommendations.shift();
    }
  }
}
