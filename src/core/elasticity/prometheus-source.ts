// Pulls load from Prometheus: every interval, one instant query per project (grouped by service), so the cost
// grows with projects, not services. Missing data never scales anything: when Prometheus is down the services
// keep their replicas, the condition is reported (metric, log, `conditions()`), and recovery is automatic.
import type { Logger } from "pino";
import type { LoadQuery } from "../ports/observability.js";
import type { ElasticityMetrics } from "./metrics.js";
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

export class PrometheusLoadSource {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly condition = new Map<string, SourceCondition>();

  constructor(
    private readonly deps: { query: LoadQuery; sink: LoadSink; metrics: ElasticityMetrics; logger: Logger },
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
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
      void this.tick().finally(() => this.schedule(Math.max(0, this.intervalMs - (Date.now() - started))));
    }, delay);
    this.timer.unref?.();
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
