// The elasticity loop (docs/elasticity.md). Event-driven: a sample that breaks `alpha·r + beta ≥ rate` triggers a
// replica decision for its service's cluster at once; scale-down waits for the stabilisation window; a slow
// reconcile repairs drift. All graphs share this one object on the event loop; per cluster of a graph at most
// one decision is in flight, and samples arriving meanwhile are coalesced into one follow-up decision.
import type { Logger } from "pino";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, type FieldViolation } from "../errors.js";
import type { Subscription } from "../ports/karmada.js";
import type { DecisionRecord } from "../ports/store.js";
import { CapacityLedger } from "./capacity-ledger.js";
import { isOverProvisioned, isUnderProvisioned, recommendedReplicas } from "./capacity.js";
import { decideCluster, type DecideContext } from "./decide.js";
import { DecisionQueue, runKey, splitRunKey } from "./decision-queue.js";
import { holtForecast } from "./forecast.js";
import type { ChangeNotifier } from "./notifier.js";
import { ReadinessTracker, deploymentKey, type ReadyWait } from "./readiness.js";
import { repairDrift, type ReconcileContext } from "./reconcile.js";
import { DecisionRecorder } from "./recorder.js";
import { sampleViolations } from "./samples.js";
import { expireSources, hasFreshNamed, PROMETHEUS_LABEL, recordSample, totalRate, UNNAMED } from "./sources.js";
import { loadGraphState, type Cause, type GraphState, type ServiceState } from "./state.js";
import {
  defaultElasticityConfig,
  type ElasticityConfig,
  type LoadSampleInput,
  type LoadTrigger,
  type ElasticityDeps,
} from "./types.js";

export type { ElasticityDeps } from "./types.js";

const sourceKey = (graph: string, service: string) => `${graph}\0${service}`;

export class ElasticityController {
  private readonly graphs = new Map<string, GraphState>();
  /** `project/service` → graph, for the Prometheus source (whose series carry namespace and service). */
  private readonly byProjectService = new Map<string, string>();
  private readonly queue: DecisionQueue;
  /** Projects whose load source is down: their services keep their replicas (no scale-down on missing data). */
  private readonly held = new Set<string>();
  /** Projects taken over from another process: no scale-down before this time (no rate history yet). */
  private readonly noScaleDownUntil = new Map<string, number>();
  /** Projects being reloaded after a take-over: their decisions wait for the stored counts. */
  private readonly reloading = new Map<string, Promise<void>>();
  private readonly config: ElasticityConfig;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly recorder: DecisionRecorder;
  private readonly readiness: ReadinessTracker;
  private readonly decideCtx: DecideContext;
  private readonly reconcileCtx: ReconcileContext;
  private readyWatch?: Subscription;
  private reconcileTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  /** Services with named sources, which the sweep checks for staleness (keyed `graph\0service`). */
  private readonly withNamedSources = new Map<string, { graph: string; service: string }>();
  private stopped = false;

  constructor(
    private readonly deps: ElasticityDeps,
    config: Partial<ElasticityConfig> = {},
  ) {
    this.config = { ...defaultElasticityConfig, ...config };
    this.now = deps.now ?? Date.now;
    this.log = deps.logger.child({ component: "elasticity" });
    this.recorder = new DecisionRecorder(deps.store, this.log, deps.onEvents);
    this.readiness = new ReadinessTracker((wait) => this.onReady(wait), this.now, this.config.readyTrackMs);
    const ledger = new CapacityLedger(deps.capacity, this.now);
    this.decideCtx = {
      ...deps,
      capacity: ledger,
      holdCapacity: (cluster, cpu) => ledger.hold(cluster, cpu),
      logger: this.log,
      config: this.config,
      readiness: this.readiness,
      recorder: this.recorder,
      now: this.now,
      effectiveRate: (graph, s) => this.effectiveRate(graph, s),
      mayScaleDown: (graph) => this.mayScaleDown(graph.namespace),
      onActuated: (graph, service, replicas) => {
        // A refresh during the decision may have replaced the state object the decision holds.
        const live = this.graphs.get(graph)?.services.get(service);
        if (live) live.replicas = replicas;
      },
    };
    this.reconcileCtx = {
      karmada: deps.karmada,
      readiness: this.readiness,
      recorder: this.recorder,
      logger: this.log,
      now: this.now,
      busy: (graph, cluster) => this.queue.busy(runKey(graph, cluster)),
    };
    this.queue = new DecisionQueue(
      (key, cause) => this.runDecision(key, cause),
      (key) => this.needsDecision(key),
      () => this.stopped,
    );
  }

  /** Wakes WatchDecisions readers. */
  get decisionsChanged(): ChangeNotifier {
    return this.recorder.changed;
  }

  /** Watches Deployment status (ready times, drift), loads every running graph, starts the reconcile timer. */
  async start(): Promise<void> {
    this.stopped = false;
    this.readyWatch = this.deps.karmada.watchReplicas("", (name, ns, status) => this.readiness.onStatus(ns, name, status));
    for (const g of await this.deps.store.graphs.list()) if (g.status === "running") await this.refreshGraph(g.name);
    this.scheduleReconcile();
    this.sweepTimer = setInterval(() => this.sweepSources(), this.config.sourceFreshnessMinMs);
    this.sweepTimer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconcileTimer);
    clearInterval(this.sweepTimer);
    this.readyWatch?.stop();
    for (const g of this.graphs.values()) for (const s of g.services.values()) clearTimeout(s.scaleDownTimer);
    await this.queue.settled();
    this.recorder.changed.notify();
  }

  /** (Re)loads a graph after the lifecycle changed it (deploy, start, stop, re-place); a graph not running is dropped. */
  async refreshGraph(name: string): Promise<void> {
    const next = await loadGraphState(this.deps.store, name, this.graphs.get(name), this.config);
    const old = this.graphs.get(name);
    for (const s of old?.services.values() ?? []) {
      clearTimeout(s.scaleDownTimer);
      s.scaleDownTimer = undefined;
      this.byProjectService.delete(`${old!.namespace}/${s.name}`);
    }
    // The Deployment watch never reports deletions to the tracker: forget the statuses and ready-waits of
    // services no longer managed, or they pile up over days of graphs being created and deleted.
    for (const s of old?.services.values() ?? []) {
      if (!next?.services.has(s.name)) this.readiness.forget(deploymentKey(old!.namespace, s.name));
    }
    if (!next) {
      this.graphs.delete(name);
      return;
    }
    this.graphs.set(name, next);
    for (const s of next.services.values()) {
      this.byProjectService.set(`${next.namespace}/${s.name}`, name);
      // Re-check known rates against the reloaded counts, and re-arm scale-downs the refresh cancelled.
      if (s.lastRate !== undefined) this.evaluate(next, s, this.freshCause(s, "reconcile"), false);
    }
  }

  /** Resolves once no decision is in flight (including follow-ups queued meanwhile). */
  settled(): Promise<void> {
    return this.queue.settled();
  }

  /** Names of the graphs under management. */
  managedGraphs(): string[] {
    return [...this.graphs.keys()];
  }

  /** Graph managing `service` in `project` (the Prometheus source labels samples by namespace and service). */
  graphOf(project: string, service: string): string | undefined {
    return this.byProjectService.get(`${project}/${service}`);
  }

  /** The project of a graph under management (undefined when not loaded). */
  projectOf(graph: string): string | undefined {
    return this.graphs.get(graph)?.namespace;
  }

  projects(): string[] {
    return [...new Set([...this.graphs.values()].map((g) => g.namespace))];
  }

  /** Called by a load source: while it is down for a project, that project's services never scale down. */
  setSourceHealth(project: string, up: boolean): void {
    if (up) this.held.delete(project);
    else this.held.add(project);
  }

  /** Whether this process acts for the project (always, with one process). */
  owns(project: string): boolean {
    return this.deps.ownership?.owns(project) ?? true;
  }

  private mayScaleDown(project: string): boolean {
    if (this.held.has(project)) return false;
    const until = this.noScaleDownUntil.get(project);
    if (until === undefined) return true;
    if (this.now() < until) return false;
    this.noScaleDownUntil.delete(project);
    return true;
  }

  /**
   * This process just took the project's lease: reload its running graphs from the store (the counts of the
   * last stored decisions), forget rate histories heard before, and hold scale-downs for one stabilisation
   * window, since the previous owner's recommendations are gone. Call it as the lease is taken: decisions of
   * the project wait for the reload from then on, since this process's counts of a project it did not own are
   * stale (a decision from them could undo the previous owner's).
   */
  takeOver(project: string): Promise<void> {
    this.noScaleDownUntil.set(project, this.now() + this.config.stabilizationMs);
    const reload: Promise<void> = this.reload(project).finally(() => {
      if (this.reloading.get(project) === reload) this.reloading.delete(project);
    });
    this.reloading.set(project, reload);
    return reload;
  }

  private async reload(project: string): Promise<void> {
    for (const g of await this.deps.store.graphs.list({ project })) {
      if (g.status !== "running") {
        if (this.graphs.has(g.name)) await this.refreshGraph(g.name);
        continue;
      }
      await this.refreshGraph(g.name);
      for (const s of this.graphs.get(g.name)?.services.values() ?? []) s.stabilizer.reset();
    }
  }

  /**
   * Accepts a batch of samples: all are validated before any is applied, so a bad batch changes nothing.
   * Returns the number accepted. A sample older than the service's latest one is accepted but ignored.
   */
  async report(samples: LoadSampleInput[], trigger: LoadTrigger = "push"): Promise<number> {
    const receivedAt = this.now();
    const violations: FieldViolation[] = [];
    samples.forEach((s, i) => violations.push(...sampleViolations(s, i)));
    if (violations.length) throw new InvalidArgumentError("invalid load samples", violations);
    for (const s of samples) if (!this.graphs.get(s.graph)?.services.has(s.service)) await this.checkKnown(s.graph, s.service);
    for (const s of samples) {
      // A client clock ahead of ours would give negative stage durations: a sample cannot be from the future.
      const observedAt = Math.min(s.observedAt?.getTime() ?? receivedAt, receivedAt);
      this.observe(s.graph, s.service, s.requestsPerSecond, { trigger, observedAt, receivedAt, rate: s.requestsPerSecond, service: s.service }, s.source);
    }
    return samples.length;
  }

  private async checkKnown(graph: string, service: string): Promise<void> {
    const rec = await this.deps.store.graphs.get(graph);
    if (!rec) throw new NotFoundError(`graph "${graph}" not found`);
    const svc = await this.deps.store.services.get(graph, service);
    if (!svc) throw new NotFoundError(`service "${service}" not found in graph "${graph}"`);
    if (rec.status === "running" && svc.status === "deployed" && svc.cluster) {
      // Deployed but not loaded yet (the lifecycle's refresh has not arrived): load it now.
      await this.refreshGraph(graph);
      if (this.graphs.get(graph)?.services.has(service)) return;
    }
    throw new FailedPreconditionError(
      `service "${service}" of graph "${graph}" is not running (graph ${rec.status}, service ${svc.status}); load is accepted for deployed services only`,
    );
  }

  private observe(graphName: string, serviceName: string, rate: number, cause: Cause, source: string | undefined): void {
    const graph = this.graphs.get(graphName);
    const s = graph?.services.get(serviceName);
    if (!graph || !s) return; // removed between validation and now
    const now = cause.receivedAt;
    if (cause.trigger === "push") s.lastPushAt = now;
    else if (cause.trigger === "prometheus" && this.pushedRecently(s, now)) return;
    const key = source ?? UNNAMED;
    const label = source ?? (cause.trigger === "prometheus" ? PROMETHEUS_LABEL : UNNAMED);
    if (!recordSample(s.sources, key, label, rate, cause.observedAt, now)) return;
    if (key !== UNNAMED) {
      // Per-host reporting supersedes an unnamed rate, which would otherwise hold forever and count twice.
      s.sources.delete(UNNAMED);
      const key = sourceKey(graphName, serviceName);
      if (!this.withNamedSources.has(key)) this.withNamedSources.set(key, { graph: graphName, service: serviceName });
    }
    expireSources(s.sources, now, this.config);
    this.setRate(graph, s, cause);
  }

  /** A service Hop3 pushes for ignores the lagging Prometheus rate of the same traffic. */
  private pushedRecently(s: ServiceState, now: number): boolean {
    if (s.lastPushAt !== undefined && now - s.lastPushAt < this.config.pushPrecedenceMs) return true;
    return hasFreshNamed(s.sources, now, this.config);
  }

  /** The service's rate is now the sum over its sources: keep the history and re-check the capacity model. */
  private setRate(graph: GraphState, s: ServiceState, cause: Cause): void {
    const rate = totalRate(s.sources);
    const at = Math.max(cause.observedAt, s.lastObservedAt ?? cause.observedAt);
    s.lastRate = rate;
    s.lastObservedAt = at;
    const last = s.history.at(-1);
    // Same timestamp twice (a batch, or sources out of step) would make a trend over 0 ms: keep the latest sum.
    if (last !== undefined && last.at >= at) last.rate = rate;
    else {
      s.history.push({ at, rate });
      if (s.history.length > this.config.forecastWindow) s.history.shift();
    }
    this.evaluate(graph, s, cause.rate === rate ? cause : { ...cause, rate }, true);
  }

  /** Drops stale named sources (a host that stopped reporting) and re-checks the services they belonged to. */
  private sweepSources(): void {
    const now = this.now();
    for (const [key, ref] of this.withNamedSources) {
      const graph = this.graphs.get(ref.graph);
      const s = graph?.services.get(ref.service);
      if (!graph || !s) {
        this.withNamedSources.delete(key);
        continue;
      }
      if (!expireSources(s.sources, now, this.config)) continue;
      if (!hasFreshNamed(s.sources, now, this.config)) this.withNamedSources.delete(key);
      this.setRate(graph, s, this.freshCause(s, "push"));
    }
  }

  /** Checks the capacity model for the current rate: scale up at once, or consider a scale-down. */
  private evaluate(graph: GraphState, s: ServiceState, cause: Cause, record: boolean): void {
    const effective = this.effectiveRate(graph, s);
    if (record) s.stabilizer.record(this.now(), recommendedReplicas(s.scaling, effective, this.config.scaleDownHeadroom));
    if (isUnderProvisioned(s.scaling, s.replicas, effective)) {
      if (s.replicas >= s.scaling.maxReplicas) return; // already at max: nothing a decision could add
      const forecasted = graph.forecast && effective > (s.lastRate ?? 0);
      this.requestDecision(graph.name, s.cluster, { ...cause, trigger: forecasted ? "forecast" : cause.trigger });
    } else if (isOverProvisioned(s.scaling, s.replicas, effective, this.config.scaleDownHeadroom)) {
      this.considerScaleDown(graph, s, cause);
    }
  }

  /** The rate a decision plans for: the sample, or under the forecast strategy the higher of sample and forecast. */
  private effectiveRate(graph: GraphState, s: ServiceState): number {
    const rate = s.lastRate ?? 0;
    if (!graph.forecast) return rate;
    const f = holtForecast(s.history, this.config.forecastHorizonMs, this.config.forecastSmoothing);
    return f === undefined ? rate : Math.max(rate, f);
  }

  private considerScaleDown(graph: GraphState, s: ServiceState, cause: Cause): void {
    if (!this.mayScaleDown(graph.namespace) || this.stopped) return;
    const now = this.now();
    if (s.stabilizer.floor(now, s.replicas) < s.replicas) {
      this.requestDecision(graph.name, s.cluster, { ...cause, trigger: "stabilization" });
      return;
    }
    const at = s.stabilizer.scaleDownAt(s.replicas);
    if (at === undefined || s.scaleDownTimer) return;
    s.scaleDownTimer = setTimeout(() => {
      s.scaleDownTimer = undefined;
      if (this.stopped || this.graphs.get(graph.name)?.services.get(s.name) !== s) return;
      if (isOverProvisioned(s.scaling, s.replicas, this.effectiveRate(graph, s), this.config.scaleDownHeadroom)) {
        this.considerScaleDown(graph, s, this.freshCause(s, "stabilization"));
      }
    }, Math.max(0, at - now) + 1);
    s.scaleDownTimer.unref?.();
  }

  private freshCause(s: ServiceState, trigger: LoadTrigger): Cause {
    const t = this.now();
    return { trigger, observedAt: t, receivedAt: t, rate: s.lastRate ?? 0, service: s.name };
  }

  private requestDecision(graphName: string, cluster: string, cause: Cause): void {
    this.queue.request(runKey(graphName, cluster), cause);
  }

  private async runDecision(key: string, cause: Cause): Promise<void> {
    const { graph: graphName, cluster } = splitRunKey(key);
    let graph = this.graphs.get(graphName);
    if (!graph || !this.owns(graph.namespace)) return;
    const reloading = this.reloading.get(graph.namespace);
    if (reloading) {
      await reloading.catch(() => undefined);
      graph = this.graphs.get(graphName); // the reload replaced the state
      if (!graph || !this.owns(graph.namespace)) return;
    }
    try {
      await decideCluster(this.decideCtx, graph, cluster, cause);
    } catch (err) {
      this.deps.metrics.countDecision(cause.trigger, "failed");
      this.log.error({ err, graph: graphName, cluster }, "elasticity decision failed; the reconcile retries it");
    }
  }

  /** Samples that arrived during a decision may already be served by it. */
  private needsDecision(key: string): boolean {
    const { graph: graphName, cluster } = splitRunKey(key);
    const graph = this.graphs.get(graphName);
    if (!graph) return false;
    const now = this.now();
    for (const s of graph.services.values()) {
      if (s.cluster !== cluster || s.lastRate === undefined) continue;
      const rate = this.effectiveRate(graph, s);
      if (isUnderProvisioned(s.scaling, s.replicas, rate) && s.replicas < s.scaling.maxReplicas) return true;
      if (this.mayScaleDown(graph.namespace) && s.stabilizer.floor(now, s.replicas) < s.replicas) return true;
    }
    return false;
  }

  private onReady(wait: ReadyWait & { actuatedAt: number; readyAt: number }): void {
    if (wait.trigger !== "reconcile") {
      this.deps.metrics.observeStage("ready", (wait.readyAt - wait.actuatedAt) / 1000);
      this.deps.metrics.observeStage("load_to_ready", (wait.readyAt - wait.observedAt) / 1000);
    }
    if (wait.decisionId !== undefined) void this.recorder.markReady(wait.decisionId, new Date(wait.readyAt));
  }

  private scheduleReconcile(): void {
    if (this.stopped) return;
    this.reconcileTimer = setTimeout(() => {
      void this.reconcile().finally(() => this.scheduleReconcile());
    }, this.config.reconcileMs);
    this.reconcileTimer.unref?.();
  }

  /**
   * Drift repair: restores smo's count where Karmada holds another (someone scaled by hand), and re-checks every
   * service against its last rate, which retries decisions whose scale call failed.
   */
  async reconcile(): Promise<void> {
    for (const graph of [...this.graphs.values()]) {
      if (!this.owns(graph.namespace)) continue; // its owner repairs it
      for (const s of [...graph.services.values()]) {
        if (this.stopped) return;
        if (this.graphs.get(graph.name)?.services.get(s.name) !== s) continue;
        try {
          await repairDrift(this.reconcileCtx, graph, s);
        } catch (err) {
          this.log.warn({ err, graph: graph.name, service: s.name }, "reconcile failed; will retry");
        }
        if (s.lastRate !== undefined && !this.queue.busy(runKey(graph.name, s.cluster))) {
          this.evaluate(graph, s, this.freshCause(s, "reconcile"), false);
        }
      }
    }
  }

  /**
   * Decisions after `afterId` (0 = only new ones), then new ones as they are written, until the signal aborts.
   * A decision is yielded again (same id) once its ready time is known.
   */
  watchDecisions(filter: { graph?: string; service?: string }, afterId: number, signal: AbortSignal): AsyncGenerator<DecisionRecord> {
    return this.recorder.watch(filter, afterId, signal);
  }
}
