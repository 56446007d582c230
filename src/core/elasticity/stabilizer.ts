// Scale-down stabilisation, as the Kubernetes HPA does it: the replica count may only fall to the highest
// count recommended during the last `windowMs`, so a short dip in load does not remove replicas that the next
// burst needs again.

export class ScaleDownStabilizer {
  private readonly recommendations: { at: number; replicas: number }[] = [];

  constructor(private readonly windowMs: number) {}

  record(at: number, replicas: number): void {
    this.recommendations.push({ at, replicas });
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

  /** When the window will have covered the oldest recommendation (for scheduling the next check). */
  nextCheckAt(now: number): number | undefined {
    this.prune(now);
    const oldest = this.recommendations[0];
    return oldest ? oldest.at + this.windowMs : undefined;
  }

  reset(): void {
    this.recommendations.length = 0;
  }

  private prune(now: number): void {
    // Keep one recommendation older than the window: it proves the window has been covered.
    while (this.recommendations.length > 1 && now - this.recommendations[1]!.at >= this.windowMs) {
      this.recommendations.shift();
    }
  }
}
