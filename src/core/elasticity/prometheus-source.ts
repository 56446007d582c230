// Pulls load from Prometheus: every interval, one instant query per project (grouped by service), so the cost
// grows with projects, not services. Missing data never scales anything: when Prometheus is down the services
// keep their replicas, the condition is reported (metric, log, `conditions()`), and recovery is automatic.
// When asked, polls follow the scrapes (scrape-align.ts): one poll per scrape interval, just after it lands.
import type { Logger } from "pino";
import type { LoadQuery } from "../ports/observability.js";
import type { ElasticityMetrics } from "./metrics.js";
import { delayToOffset, pollOffset } from "./scrape-align.js";
import type { LoadSampleInput, LoadTrigger } from "./types.js";

export interface LoadSink {
  projects(): string[];
  graphOf(project: string, service: string): string | undefined;
  report(samples: LoadSampleInput[], trigger: LoadTrigger): Promise<number>;
  /** Told when the source goes down or recovers for a project (the controller then holds scale-downs). */
  setSourceHealth?(project: string, up: boolean): void;
}

export interface SourceCondition {
  project: string;
  up: boolean;
  message: string;
  since: Date;
}

export interface PollTiming {
  /** Poll period; with `alignToScrapes` it should be the scrape interval. */
  intervalMs: number;
  /** Poll just after each scrape lands (needs `LoadQuery.scrapeTimes`). */
  alignToScrapes?: boolean;
  /** How often the scrape timing is read again (targets come and go). Default 60 s. */
  realignMs?: number;
}

export class PrometheusLoadSource {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly condition = new Map<string, SourceCondition>();
  private readonly timing: Required<PollTiming>;
  /** Offset within the interval at which polls go out; undefined = not aligned (yet). */
  private offset?: number;
  private nextAlignAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: { query: LoadQuery; sink: LoadSink; metrics: ElasticityMetrics; logger: Logger },
    timing: number | PollTiming = 1000,
  ) {
    const t = typeof timing === "number" ? { intervalMs: timing } : timing;
    this.timing = { alignToScrapes: false, realignMs: 60_000, ...t };
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** The offset within the interval polls are aligned to, if any (for logs and tests). */
  alignment(): number | undefined {
    return this.offset;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  conditions(): SourceCondition[] {
    return [...this.condition.values()];
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      void this.tick()
        .then(() => this.realign())
        .finally(() => {
          const { intervalMs } = this.timing;
          const now = Date.now();
          this.schedule(this.offset === undefined ? Math.max(0, intervalMs - (now - started)) : delayToOffset(now, this.offset, intervalMs));
        });
    }, delay);
    this.timer.unref?.();
  }

  /** Reads the scrape timing when due; a failure leaves polls on their plain period. */
  private async realign(): Promise<void> {
    const read = this.deps.query.scrapeTimes;
    if (!this.timing.alignToScrapes || !read) return;
    const now = Date.now();
    if (now < this.nextAlignAt) return;
    try {
      const times = await read.call(this.deps.query);
      const offset = pollOffset({ ...times, intervalMs: this.timing.intervalMs });
      if (offset !== this.offset) this.deps.logger.debug({ offsetMs: offset, targets: times.landedAt.length }, "load polls aligned to scrapes");
      this.offset = offset;
      // Nothing scraped yet: look again at the next poll.
      this.nextAlignAt = now + (offset === undefined ? 0 : this.timing.realignMs);
    } catch (err) {
      if (this.offset !== undefined) this.deps.logger.warn({ err }, "scrape timing unreadable; load polls no longer aligned");
      this.offset = undefined;
      this.nextAlignAt = now + this.timing.realignMs;
    }
  }

  /** One poll of every project; exported for tests. */
  async tick(): Promise<void> {
    const projects = this.deps.sink.projects();
    this.forgetGone(new Set(projects));
    await Promise.all(projects.map((p) => this.pollProject(p)));
  }

  /** Projects no longer managed: drop their condition, gauge series and hold, or these grow with every project ever seen. */
  private forgetGone(live: ReadonlySet<string>): void {
    for (const project of [...this.condition.keys()]) {
      if (live.has(project)) continue;
      this.condition.delete(project);
      this.deps.metrics.removeSource?.("prometheus", project);
      this.deps.sink.setSourceHealth?.(project, true);
    }
  }

  private async pollProject(project: string): Promise<void> {
    let points;
    try {
      points = await this.deps.query.queryProject(project);
    } catch (err) {
      this.setCondition(project, false, err instanceof Error ? err.message : String(err));
      return;
    }
    this.setCondition(project, true, "ok");
    const samples: LoadSampleInput[] = [];
    for (const p of points) {
      const graph = this.deps.sink.graphOf(project, p.service);
      if (!graph || !Number.isFinite(p.requestsPerSecond)) continue;
      samples.push({ graph, service: p.service, requestsPerSecond: Math.max(0, p.requestsPerSecond), observedAt: p.observedAt });
    }
    if (samples.length === 0) return;
    await this.deps.sink.report(samples, "prometheus").catch((err: unknown) =>
      this.deps.logger.warn({ err, project }, "load samples from Prometheus were not accepted"),
    );
  }

  private setCondition(project: string, up: boolean, message: string): void {
    this.deps.metrics.setSourceUp("prometheus", project, up);
    this.deps.sink.setSourceHealth?.(project, up);
    const prev = this.condition.get(project);
    if (prev && prev.up === up) return;
    this.condition.set(project, { project, up, message, since: new Date() });
    if (up) this.deps.logger.info({ project }, "Prometheus load source recovered");
    else this.deps.logger.warn({ project, reason: message }, "Prometheus load source down; replicas kept as they are");
  }
}
