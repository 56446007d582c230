// What every lifecycle operation shares: the ports, the per-graph mutex, the outbox runner, the event hub, and
// the commit-then-apply step that makes each mutation crash safe.
import { ClusterInventory } from "../clusters/inventory.js";
import { NotFoundError } from "../errors.js";
import type { HdagOptions } from "../hdag/options.js";
import { inProcessLoader, loadDescriptor, type DescriptorLoader } from "../hdag/index.js";
import type { GraphModel } from "../hdag/model.js";
import type { Deployer, KarmadaClient } from "../ports/karmada.js";
import type { AlertRuleSink, DashboardPublisher } from "../ports/observability.js";
import { soleOwnership, type ProjectOwnership } from "../ports/ownership.js";
import type { EventRecord, GraphRecord, Repositories, ServiceRecord, Store } from "../ports/store.js";
import type { Logger } from "../../observability/logger.js";
import { awaitApplied } from "../ha/await-applied.js";
import { ActionExecutor, dashboardTarget } from "./executor.js";
import { KeyedMutex } from "./mutex.js";
import { resolveConverge, type PlanContext } from "./plan.js";
import { isConvergeKind, type OutboxAction } from "./actions.js";
import { OutboxRunner } from "./runner.js";
import type { DashboardBuilder, GraphHead, GraphLifecycleOptions, GraphView, LifecycleHooks, PlacementSolver, StoredGraphText } from "./types.js";
import { GraphReadModel } from "./read-model.js";
import { EventHub } from "./watch.js";

/** How long a mutation committed on a non-owner waits for the owner to apply it (a takeover fits in it). */
const OWNER_APPLY_WAIT_MS = 10_000;
/** Translated models kept (modelOf): the graphs being worked on, not every graph. */
const MODEL_CACHE_SIZE = 1024;

export class LifecycleCore {
  readonly store: Store;
  readonly karmada: KarmadaClient;
  readonly deployer: Deployer;
  readonly solver: PlacementSolver;
  readonly inventory: ClusterInventory;
  readonly rules: AlertRuleSink | undefined;
  readonly dashboards: { publisher: DashboardPublisher; builder: DashboardBuilder } | undefined;
  readonly logger: Logger;
  readonly hooks: LifecycleHooks;
  readonly hdagOptions: HdagOptions | undefined;
  readonly descriptors: DescriptorLoader;
  readonly hub = new EventHub();
  readonly mutex = new KeyedMutex();
  readonly runner: OutboxRunner;
  readonly now: () => Date;
  /** Graphs in memory: what reads answer from without I/O (refreshed after each commit). */
  readonly readModel: GraphReadModel;
  /** The stored state converge rows are rendered from, per graph, for the drain in progress. */
  private readonly drainContexts = new Map<string, Promise<PlanContext | undefined>>();
  /** Unsubscribes the read model from the store's change feed. */
  readonly stopChangeFeed: () => void;
  readonly ownership: ProjectOwnership;
  /**
   * Translated models of stored descriptors, by graph name and descriptor hash, most recently used last. Bounded:
   * a full drift pass translates every graph, and the read model already keeps each descriptor's text.
   */
  private readonly models = new Map<string, { hash: string; model: GraphModel }>();

  constructor(options: GraphLifecycleOptions) {
    this.store = options.store;
    this.karmada = options.karmada;
    this.deployer = options.deployer;
    this.solver = options.solver;
    this.logger = options.logger.child({ component: "graph-lifecycle" });
    const clusterDashboard = options.dashboards?.builder.clusterDashboard?.bind(options.dashboards.builder);
    this.inventory =
      options.inventory ??
      new ClusterInventory({
        karmada: options.karmada,
        store: options.store,
        logger: options.logger,
        dashboards: options.dashboards && clusterDashboard ? { publisher: options.dashboards.publisher, build: clusterDashboard } : undefined,
      });
    this.rules = options.rules;
    this.dashboards = options.dashboards;
    this.hooks = options.hooks ?? {};
    this.hdagOptions = options.hdagOptions;
    this.descriptors = options.descriptors ?? inProcessLoader;
    this.now = options.now ?? (() => new Date());
    this.readModel = new GraphReadModel({
      store: this.store,
      counts: this.karmada,
      serviceOrder: (graph) => serviceOrderOf(graph, () => this.modelOf(graph)),
      logger: this.logger,
    });
    // The store's change feed reports every committed write of graph state, this process's own (the lifecycle's,
    // the outbox's, the elasticity loop's) and other processes': each refreshes that graph's entry. A caller's own
    // commit is also refreshed before it answers (afterCommit), so it reads its write.
    this.stopChangeFeed = this.store.changes.subscribe((signal) => {
      if (signal.kind === "resync") this.readModel.resync();
      else if (signal.what !== "decisions") this.readModel.invalidate(signal.graphId);
    });
    this.ownership = options.ownership ?? soleOwnership;
    const executor = new ActionExecutor({
      store: this.store,
      karmada: this.karmada,
      deployer: this.deployer,
      rules: this.rules,
      dashboards: this.dashboards,
      logger: this.logger,
      ownership: options.ownership,
      onEvents: (events) => this.hub.published(events),
      resolve: (graph, kind, service) => this.resolveConverge(graph, kind, service),
      onGraphDeleted: (graph, events) => {
        this.models.delete(graph);
        this.readModel.forget(graph);
        this.hub.graphRemoved(graph, events);
      },
    });
    this.runner = new OutboxRunner({
      store: this.store,
      executor,
      mutex: this.mutex,
      logger: this.logger,
      initialMs: options.retry?.initialMs ?? 500,
      maxMs: options.retry?.maxMs ?? 30_000,
      hooks: this.hooks,
      ownership: this.ownership,
      onEvents: (events) => this.hub.published(events),
      onDrained: (graph) => this.drainContexts.delete(graph),
    });
  }

  /**
   * A converge action rendered from the graph's stored state (outbox rows hold only what to converge). The state
   * is read once per drain, when its first converge row is applied: after every commit the drain's rows come from
   * (drains of one graph are serialised), so it is never older than a row.
   */
  private resolveConverge(graph: string, kind: OutboxAction["kind"], service: string): Promise<OutboxAction | undefined> {
    if (!isConvergeKind(kind)) return Promise.resolve(undefined);
    let context = this.drainContexts.get(graph);
    if (!context) {
      context = Promise.all([this.store.graphs.get(graph), this.store.services.listByGraph(graph)]).then(([record, services]) =>
        record ? this.planContext(record, this.modelOf(record), services) : undefined,
      );
      this.drainContexts.set(graph, context);
      context.catch(() => this.drainContexts.delete(graph));
    }
    return context.then((ctx) => (ctx ? resolveConverge(ctx, kind, service) : undefined));
  }

  /** The translated model of a stored graph (its descriptor was valid when it was stored). */
  modelOf(graph: GraphRecord | StoredGraphText): GraphModel {
    const cached = this.models.get(graph.name);
    if (cached && cached.hash === graph.descriptorHash) {
      this.models.delete(graph.name);
      this.models.set(graph.name, cached);
      return cached.model;
    }
    // format json: the stored document is JSON, and JSON.parse is far cheaper than the YAML composer.
    const text = "descriptorJson" in graph ? graph.descriptorJson : JSON.stringify(graph.descriptor);
    const loaded = loadDescriptor(text, { ...this.hdagOptions, format: "json" });
    if (!loaded.ok) throw new Error(`stored descriptor of graph ${graph.name} no longer validates`);
    this.models.delete(graph.name);
    this.models.set(graph.name, { hash: graph.descriptorHash, model: loaded.model });
    if (this.models.size > MODEL_CACHE_SIZE) this.models.delete(this.models.keys().next().value!);
    return loaded.model;
  }

  planContext(graph: GraphHead, model: GraphModel, services: ServiceRecord[]): PlanContext {
    const placement: Record<string, string> = {};
    const replicas: Record<string, number> = {};
    for (const s of services) {
      if (s.cluster) placement[s.name] = s.cluster;
      replicas[s.name] = s.desiredReplicas;
    }
    return {
      namespace: graph.project,
      graph: { id: model.id, intent: model.intent },
      services: model.services,
      connections: model.connections,
      placement,
      replicas,
      rules: this.rules !== undefined,
      dashboards: this.dashboards !== undefined,
    };
  }

  dashboardUids(graph: GraphRecord, services: ServiceRecord[]): string[] {
    if (!this.dashboards) return [];
    const target = dashboardTarget(graph.name, graph.project, services);
    return [
      this.dashboards.builder.graphDashboard(target).uid,
      ...services.map((s) => this.dashboards!.builder.serviceDashboard(target, s.name).uid),
    ];
  }

  /** Drops the graph's actions not yet applied (a new plan supersedes them; every plan is complete on its own). */
  async discardPending(tx: Repositories, graph: string): Promise<void> {
    for (const row of await tx.outbox.pending(graph)) await tx.outbox.complete(row.id);
  }

  /**
   * Publishes the events a committed transaction appended, runs the test hook, then applies the graph's
   * outbox. Throws UnavailableError when a dependency is down (a retry is scheduled; the state is saved).
   */
  async afterCommit(graph: string, operation: string, events: EventRecord[]): Promise<void> {
    if (events.length > 0) this.hub.published(events);
    await this.hooks.afterCommit?.(graph, operation);
    try {
      // Committed on a process that does not own the project: answer once the owner applied it.
      if ((await this.runner.drain(graph)) === "elsewhere") {
        const project = (await this.store.graphs.get(graph))?.project;
        if (project !== undefined) {
          const outcome = await awaitApplied(this.store, graph, OWNER_APPLY_WAIT_MS, () => this.ownership.owns(project));
          if (outcome === "mine") await this.runner.drain(graph);
        }
      }
    } finally {
      // The caller's next read answers from memory: it must include this commit and what the drain applied.
      await this.readModel.refresh(graph).catch((err: Error) => this.logger.warn({ graph, err: err.message }, "read model refresh failed"));
    }
  }

  async requireGraph(tx: Repositories, name: string, lock: boolean): Promise<GraphRecord> {
    const graph = lock ? await tx.graphs.lock(name) : await tx.graphs.get(name);
    if (!graph) throw new NotFoundError(`graph ${name} not found`);
    return graph;
  }

  /** Loads the read model and starts the informers its counts come from (waiting at most `informerSyncMs`). */
  async loadReadModel(informerSyncMs = 0): Promise<boolean> {
    const [synced] = await Promise.all([this.karmada.startInformers(informerSyncMs), this.readModel.load()]);
    return synced;
  }

  /**
   * A graph's view after this process changed it: re-reads it into the read model first (after the commit, so
   * the answer includes the caller's own write). NotFoundError when it does not exist.
   */
  async view(name: string): Promise<GraphView> {
    if (!this.readModel.ready) await this.loadReadModel();
    await this.readModel.refresh(name);
    const view = this.readModel.get(name);
    if (!view) throw new NotFoundError(`graph ${name} not found`);
    return view;
  }
}

/** Service ids in descriptor order, read off the stored document without translating it when possible. */
function serviceOrderOf(graph: GraphRecord, model: () => GraphModel): string[] {
  const services = (graph.descriptor as { hdaGraph?: { services?: Array<{ id?: unknown }> } } | null)?.hdaGraph?.services;
  if (Array.isArray(services) && services.every((s) => typeof s?.id === "string")) return services.map((s) => s.id as string);
  return model().services.map((s) => s.id);
}
