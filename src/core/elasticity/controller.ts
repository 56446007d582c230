// The elasticity loop (DESIGN §6–§7). Event-driven: a sample that breaks `alpha·r + beta ≥ rate` triggers a
// replica decision for its service's cluster at once; scale-down waits for the stabilisation window; a slow
// reconcile repairs drift. All graphs share this one object on the event loop; per cluster of a graph at most
// one decision is in flight, and samples arriving meanwhile are coalesced into one follow-up decision.
import type { Logger } from "pino";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, type FieldViolation } from "../errors.js";
import type { ServiceModel } from "../hdag/model.js";
import type { KarmadaClient, ReplicaStatus, Subscription } from "../ports/karmada.js";
import type { DecisionRecord, Store } from "../ports/store.js";
import { isOverProvisioned, isUnderProvisioned, replicasNeeded } from "./capacity.js";
import { holtForecast } from "./forecast.js";
import type { ElasticityMetrics } from "./metrics.js";
import { ChangeNotifier } from "./notifier.js";
import { ScaleDownStabilizer } from "./stabilizer.js";
import {
  defaultElasticityConfig,
  type ClusterCapacity,
  type ElasticityConfig,
  type LoadSampleInput,
  type LoadTrigger,
  type ManagedService,
  type Replacer,
  type ReplicaSolver,
} from "./types.js";

export interface ElasticityDeps {
  store: Store;
  karmada: KarmadaClient;
  solver: ReplicaSolver;
  capacity: ClusterCapacity;
  replacer?: Replacer;
  metrics: ElasticityMetrics;
  logger: Logger;
  now?: () => number;
}

/** The sample that caused a decision, carried through for the stage timings. */
interface Cause {
  trigger: LoadTrigger;
  observedAt: number;
  receivedAt: number;
  rate: number;
  service: string;
}

interface ServiceState extends ManagedService {
  stabilizer: ScaleDownStabilizer;
  scaleDownTimer?: NodeJS.Timeout;
}

interface GraphState {
  name: string;
  namespace: string;
  forecast: boolean;
  services: Map<string, ServiceState>;
  /** Per cluster: the decision in flight and whether samples arrived since it started. */
  runs: Map<string, { running: Promise<void>; again?: Cause }>;
}

interface ReadyWait {
  target: number;
  decisionIds: number[];
  observedAt: number;
  actuatedAt: number;
  /** Set by the watch; marked in the store once the decision record exists. */
  readyAt?: number;
  marked?: boolean;
}

export class ElasticityController {
  private readonly graphs = new Map<string, GraphState>();
  private readonly readyWaits = new Map<string, ReadyWait>();
  private readonly config: ElasticityConfig;
  private readonly now: () => number;
  private readyWatch?: Subscription;
  private reconcileTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Wakes WatchDecisions readers. */
  readonly decisionsChanged = new ChangeNotifier();

  constructor(
    private readonly deps: ElasticityDeps,
    config: Partial<ElasticityConfig> = {},
  ) {
    this.config = { ...defaultElasticityConfig, ...config };
    this.now = deps.now ?? Date.now;
  }

  /** Loads every running graph from the store and starts watching readiness and reconciling. */
  async start(): Promise<void> {
    const graphs = await this.deps.store.graphs.list();
    for (const g of graphs) if (g.status === "running") await this.refreshGraph(g.name);
    this.readyWatch = this.deps.karmada.watchReplicas("", (name, ns, status) => this.onReplicaStatus(ns, name, status));
    this.scheduleReconcile();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconcileTimer);
    this.readyWatch?.stop();
    const running: Promise<void>[] = [];
    for (const g of this.graphs.values()) {
      for (const s of g.services.values()) clearTimeout(s.scaleDownTimer);
      for (const r of g.runs.values()) running.push(r.running);
    }
    await Promise.allSettled(running);
    this.decisionsChanged.notify();
  }

  /** (Re)loads a graph after the lifecycle changed it; a graph that is not running is dropped. */
  async refreshGraph(name: string): Promise<void> {
    const graph = await this.deps.store.graphs.get(name);
    const old = this.graphs.get(name);
    for (const s of old?.services.values() ?? []) clearTimeout(s.scaleDownTimer);
    if (!graph || graph.status !== "running") {
      this.graphs.delete(name);
      return;
    }
    const services = new Map<string, ServiceState>();
    for (const rec of await this.deps.store.services.listByGraph(name)) {
      if (rec.status !== "deployed" || !rec.cluster) continue;
      const spec = rec.spec as ServiceModel;
      const previous = old?.services.get(rec.name);
      services.set(rec.name, {
        graph: name,
        namespace: graph.project,
        name: rec.name,
        cluster: rec.cluster,
        cpu: rec.cpu,
        scaling: spec.scaling,
        replicas: rec.desiredReplicas,
        lastRate: previous?.lastRate,
        lastObservedAt: previous?.lastObservedAt,
        history: previous?.history ?? [],
        stabilizer: previous?.stabilizer ?? new ScaleDownStabilizer(this.config.stabilizationMs),
      });
    }
    const forecast = (graph.descriptor as { hdaGraph?: { hdaGraphIntent?: { scalingStrategy?: unknown } } })?.hdaGraph
      ?.hdaGraphIntent?.scalingStrategy === "forecast";
    this.graphs.set(name, { name, namespace: graph.project, forecast, services, runs: old?.runs ?? new Map() });
  }

  /** Graph managing `service` in `project` (the Prometheus source labels samples by namespace and service). */
  graphOf(project: string, service: string): string | undefined {
    for (const g of this.graphs.values()) if (g.namespace === project && g.services.has(service)) return g.name;
    return undefined;
  }

  projects(): string[] {
    return [...new Set([...this.graphs.values()].map((g) => g.namespace))];
  }

  /**
   * Accepts a batch of samples: all are validated before any is applied, so a bad batch changes nothing.
   * Returns the number accepted.
   */
  async report(samples: LoadSampleInput[], trigger: LoadTrigger = "push"): Promise<number> {
    const receivedAt = this.now();
    const violations: FieldViolation[] = [];
    samples.forEach((s, i) => {
      if (!Number.isFinite(s.requestsPerSecond) || s.requestsPerSecond < 0) {
        violations.push({
          field: `samples[${i}].requests_per_second`,
          description: `must be a finite rate ≥ 0, got ${s.requestsPerSecond}`,
        });
      }
    });
    if (violations.length) throw new InvalidArgumentError("invalid load samples", violations);
    for (const s of samples) await this.checkKnown(s.graph, s.service);
    for (const s of samples) {
      const observedAt = s.observedAt?.getTime() ?? receivedAt;
      this.observe(s.graph, s.service, s.requestsPerSecond, { trigger, observedAt, receivedAt, rate: s.requestsPerSecond, service: s.service });
    }
    return samples.length;
  }

  private async checkKnown(graph: string, service: string): Promise<void> {
    const g = this.graphs.get(graph);
    if (g?.services.has(service)) return;
    const rec = await this.deps.store.graphs.get(graph);
    if (!rec) throw new NotFoundError(`graph "${graph}" not found`);
    const svc = await this.deps.store.services.get(graph, service);
    if (!svc) throw new NotFoundError(`service "${service}" not found in graph "${graph}"`);
    throw new FailedPreconditionError(
      `service "${service}" of graph "${graph}" is not running (graph ${rec.status}, service ${svc.status}); load is accepted for deployed services only`,
    );
  }

  private observe(graphName: string, serviceName: string, rate: number, cause: Cause): void {
    const graph = this.graphs.get(graphName)!;
    const s = graph.services.get(serviceName)!;
    s.lastRate = rate;
    s.lastObservedAt = cause.observedAt;
    s.history.push({ at: cause.observedAt, rate });
    if (s.history.length > this.config.forecastWindow) s.history.shift();
    const effective = this.effectiveRate(graph, s);
    const needed = replicasNeeded(s.scaling, effective) ?? s.scaling.maxReplicas;
    s.stabilizer.record(cause.receivedAt, needed);
    if (isUnderProvisioned(s.scaling, s.replicas, effective)) {
      this.requestDecision(graph, s.cluster, { ...cause, trigger: graph.forecast && effective > rate ? "forecast" : cause.trigger });
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
    const now = this.now();
    if (s.stabilizer.floor(now, s.replicas) < s.replicas) {
      this.requestDecision(graph, s.cluster, { ...cause, trigger: "stabilization" });
      return;
    }
    const at = s.stabilizer.nextCheckAt(now);
    if (at === undefined || s.scaleDownTimer) return;
    s.scaleDownTimer = setTimeout(() => {
      s.scaleDownTimer = undefined;
      if (this.stopped || this.graphs.get(graph.name)?.services.get(s.name) !== s) return;
      const rate = this.effectiveRate(graph, s);
      if (isOverProvisioned(s.scaling, s.replicas, rate, this.config.scaleDownHeadroom)) {
        const t = this.now();
        this.considerScaleDown(graph, s, { trigger: "stabilization", observedAt: t, receivedAt: t, rate, service: s.name });
      }
    }, Math.max(0, at - now) + 1);
    s.scaleDownTimer.unref?.();
  }

  private requestDecision(graph: GraphState, cluster: string, cause: Cause): void {
    if (this.stopped) return;
    const run = graph.runs.get(cluster);
    if (run) {
      // Coalesce: keep the oldest unserved cause so the stage timings stay honest.
      run.again ??= cause;
      return;
    }
    const entry: { running: Promise<void>; again?: Cause } = { running: Promise.resolve() };
    graph.runs.set(cluster, entry);
    entry.running = (async () => {
      let next: Cause | undefined = cause;
      while (next && !this.stopped) {
        entry.again = undefined;
        await this.decide(graph, cluster, next).catch((err: unknown) =>
          this.deps.logger.error({ err, graph: graph.name, cluster }, "elasticity decision failed"),
        );
        next = entry.again;
      }
      graph.runs.delete(cluster);
    })();
  }

  private async decide(graph: GraphState, cluster: string, cause: Cause): Promise<void> {
    const log = this.deps.logger.child({ graph: graph.name, cluster, service: cause.service });
    const members = [...graph.services.values()].filter((s) => s.cluster === cluster && s.lastRate !== undefined);
    if (!members.some((s) => s.name === cause.service)) return; // moved or removed meanwhile
    const now = this.now();
    const free = this.deps.capacity.cpuFree(cluster);
    // The members' own replicas are part of the cluster's allocation: give them back to the budget.
    const budget = (free ?? Number.POSITIVE_INFINITY) + members.reduce((sum, s) => sum + s.cpu * s.replicas, 0);
    const problem = {
      cluster: { cpu: Number.isFinite(budget) ? budget : 1e9 },
      services: members.map((s) => ({
        name: s.name,
        cpu: s.cpu,
        alpha: s.scaling.alpha,
        beta: s.scaling.beta,
        rate: this.effectiveRate(graph, s),
        current: s.replicas,
        max: s.scaling.maxReplicas,
        min: Math.min(s.scaling.maxReplicas, Math.max(s.scaling.minReplicas, s.stabilizer.floor(now, s.replicas))),
      })),
      weights: this.config.replicaWeights,
    };
    const result = await this.deps.solver.decideReplicas(problem);
    const decidedAt = this.now();
    if (result.status === "infeasible") {
      this.deps.metrics.countDecision(cause.trigger, "infeasible");
      log.warn({ reason: result.reason }, "replicas do not fit the cluster; asking for a re-placement");
      const s = graph.services.get(cause.service)!;
      await this.record(graph, s, cluster, s.replicas, cause, decidedAt, null, "infeasible", result.reason);
      await this.deps.replacer?.replaceForCapacity(graph.name, cause.service, result.reason);
      return;
    }
    const changed = members.filter((s) => (result.replicas[s.name] ?? s.replicas) !== s.replicas);
    if (changed.length === 0) {
      this.deps.metrics.countDecision(cause.trigger, "unchanged");
      return;
    }
    await Promise.all(
      changed.map(async (s) => {
        const target = result.replicas[s.name]!;
        const previous = s.replicas;
        const key = `${graph.namespace}/${s.name}`;
        // Registered before the call: the watch may report readiness before scale() resolves.
        const wait: ReadyWait = { target, decisionIds: [], observedAt: cause.observedAt, actuatedAt: 0 };
        this.readyWaits.set(key, wait);
        try {
          await this.deps.karmada.scale(graph.namespace, s.name, target);
        } catch (err) {
          this.readyWaits.delete(key);
          this.deps.metrics.countDecision(cause.trigger, "failed");
          log.error({ err, service: s.name, target }, "scale call failed; the reconcile will retry");
          return;
        }
        const actuatedAt = this.now();
        wait.actuatedAt = actuatedAt;
        s.replicas = target;
        this.deps.metrics.countDecision(cause.trigger, "scaled");
        this.observeStages(cause, decidedAt, actuatedAt);
        log.info({ service: s.name, previous, replicas: target, rate: s.lastRate, trigger: cause.trigger }, "scaled");
        const reason = `rate ${round(s.lastRate ?? 0)} req/s; ${result.reason}`.trim();
        const rec = await this.record(graph, s, cluster, previous, cause, decidedAt, actuatedAt, result.status, reason, target);
        if (rec) wait.decisionIds.push(rec.id);
        await this.deps.store.services.update(graph.name, s.name, { desiredReplicas: target }).catch((err: unknown) =>
          log.error({ err, service: s.name }, "could not store the desired replicas"),
        );
        // Ready may have been seen before the record existed.
        if (wait.readyAt !== undefined) await this.markReady(wait);
      }),
    );
  }

  private async record(
    graph: GraphState,
    s: ServiceState,
    cluster: string,
    previous: number,
    cause: Cause,
    decidedAt: number,
    actuatedAt: number | null,
    status: DecisionRecord["status"],
    reason: string,
    replicas = previous,
  ): Promise<DecisionRecord | undefined> {
    try {
      const rec = await this.deps.store.decisions.add({
        graph: graph.name,
        service: s.name,
        cluster,
        previousReplicas: previous,
        replicas,
        requestsPerSecond: s.lastRate ?? cause.rate,
        status,
        reason,
        trigger: cause.trigger,
        observedAt: new Date(cause.observedAt),
        receivedAt: new Date(cause.receivedAt),
        decidedAt: new Date(decidedAt),
        actuatedAt: actuatedAt === null ? null : new Date(actuatedAt),
        readyAt: null,
      });
      this.decisionsChanged.notify();
      return rec;
    } catch (err) {
      this.deps.logger.error({ err, graph: graph.name, service: s.name }, "could not store the decision");
      return undefined;
    }
  }

  private observeStages(cause: Cause, decidedAt: number, actuatedAt: number): void {
    const m = this.deps.metrics;
    m.observeStage("receive", (cause.receivedAt - cause.observedAt) / 1000);
    m.observeStage("decide", (decidedAt - cause.receivedAt) / 1000);
    m.observeStage("actuate", (actuatedAt - decidedAt) / 1000);
    m.observeStage("load_to_actuate", (actuatedAt - cause.observedAt) / 1000);
  }

  private onReplicaStatus(namespace: string, deployment: string, status: ReplicaStatus): void {
    const key = `${namespace}/${deployment}`;
    const wait = this.readyWaits.get(key);
    if (!wait || status.desired !== wait.target || status.available !== wait.target) return;
    this.readyWaits.delete(key);
    wait.readyAt = this.now();
    // The record may not exist yet (actuation still returning); decide() marks it then.
    if (wait.decisionIds.length) void this.markReady(wait);
  }

  private async markReady(wait: ReadyWait): Promise<void> {
    if (wait.marked || wait.readyAt === undefined || !wait.actuatedAt) return;
    wait.marked = true;
    const at = wait.readyAt;
    this.deps.metrics.observeStage("ready", (at - wait.actuatedAt) / 1000);
    this.deps.metrics.observeStage("load_to_ready", (at - wait.observedAt) / 1000);
    for (const id of wait.decisionIds) {
      await this.deps.store.decisions
        .markStage(id, "readyAt", new Date(at))
        .catch((err: unknown) => this.deps.logger.error({ err, decision: id }, "could not store the ready time"));
    }
    this.decisionsChanged.notify();
  }

  private scheduleReconcile(): void {
    if (this.stopped) return;
    this.reconcileTimer = setTimeout(() => {
      void this.reconcile().finally(() => this.scheduleReconcile());
    }, this.config.reconcileMs);
    this.reconcileTimer.unref?.();
  }

  /** Level-triggered drift repair: Karmada's desired count must equal the one smo decided. */
  async reconcile(): Promise<void> {
    for (const graph of [...this.graphs.values()]) {
      for (const s of [...graph.services.values()]) {
        if (this.stopped || graph.runs.has(s.cluster)) continue;
        try {
          const status = await this.deps.karmada.getReplicas(graph.namespace, s.name);
          if (!status || status.desired === s.replicas) continue;
          const t = this.now();
          this.deps.logger.warn(
            { graph: graph.name, service: s.name, found: status.desired, expected: s.replicas },
            "replica drift; restoring the decided count",
          );
          const cause: Cause = { trigger: "reconcile", observedAt: t, receivedAt: t, rate: s.lastRate ?? 0, service: s.name };
          await this.deps.karmada.scale(graph.namespace, s.name, s.replicas);
          await this.record(graph, s, s.cluster, status.desired, cause, t, this.now(), "optimal", `drift: found ${status.desired} replicas, restored ${s.replicas}`, s.replicas);
        } catch (err) {
          this.deps.logger.warn({ err, graph: graph.name, service: s.name }, "reconcile failed; will retry");
        }
      }
    }
  }

  /** Decisions after `afterId` (0 = only new ones), then new ones as they are written, until the signal aborts. */
  async *watchDecisions(filter: { graph?: string; service?: string }, afterId: number, signal: AbortSignal): AsyncGenerator<DecisionRecord> {
    let last = afterId > 0 ? afterId : await this.deps.store.decisions.latestId();
    while (!signal.aborted) {
      const rows = await this.deps.store.decisions.listAfter(last, { ...filter, limit: 500 });
      for (const row of rows) {
        last = row.id;
        yield row;
      }
      if (rows.length === 0) await this.decisionsChanged.wait(1000, signal);
    }
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
