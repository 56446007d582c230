// What every lifecycle operation shares: the ports, the per-graph mutex, the outbox runner, the event hub, and
// the commit-then-apply step that makes each mutation crash safe.
import { ClusterInventory } from "../clusters/inventory.js";
import { NotFoundError } from "../errors.js";
import type { HdagOptions } from "../hdag/options.js";
import { loadDescriptor } from "../hdag/index.js";
import type { GraphModel } from "../hdag/model.js";
import type { Deployer, KarmadaClient } from "../ports/karmada.js";
import type { AlertRuleSink, DashboardPublisher } from "../ports/observability.js";
import type { EventRecord, GraphRecord, Repositories, ServiceRecord, Store } from "../ports/store.js";
import type { Logger } from "../../observability/logger.js";
import { ActionExecutor, dashboardTarget } from "./executor.js";
import { KeyedMutex } from "./mutex.js";
import type { PlanContext } from "./plan.js";
import { OutboxRunner } from "./runner.js";
import type { DashboardBuilder, GraphLifecycleOptions, GraphView, LifecycleHooks, PlacementSolver } from "./types.js";
import { buildView, ReplicaReader } from "./views.js";
import { EventHub } from "./watch.js";

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
  readonly hub = new EventHub();
  readonly mutex = new KeyedMutex();
  readonly runner: OutboxRunner;
  readonly now: () => Date;
  /** Translated models of stored descriptors, by graph name and descriptor hash. */
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
    this.now = options.now ?? (() => new Date());
    const executor = new ActionExecutor({
      store: this.store,
      karmada: this.karmada,
      deployer: this.deployer,
      rules: this.rules,
      dashboards: this.dashboards,
      logger: this.logger,
      onEvents: (events) => this.hub.published(events),
      onGraphDeleted: (graph, events) => {
        this.models.delete(graph);
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
      onEvents: (events) => this.hub.published(events),
    });
  }

  /** The translated model of a stored graph (its descriptor was valid when it was stored). */
  modelOf(graph: GraphRecord): GraphModel {
    const cached = this.models.get(graph.name);
    if (cached && cached.hash === graph.descriptorHash) return cached.model;
    const loaded = loadDescriptor(JSON.stringify(graph.descriptor), this.hdagOptions);
    if (!loaded.ok) throw new Error(`stored descriptor of graph ${graph.name} no longer validates`);
    this.models.set(graph.name, { hash: graph.descriptorHash, model: loaded.model });
    return loaded.model;
  }

  planContext(graph: GraphRecord, model: GraphModel, services: ServiceRecord[]): PlanContext {
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
    await this.runner.drain(graph);
  }

  async requireGraph(tx: Repositories, name: string, lock: boolean): Promise<GraphRecord> {
    const graph = lock ? await tx.graphs.lock(name) : await tx.graphs.get(name);
    if (!graph) throw new NotFoundError(`graph ${name} not found`);
    return graph;
  }

  async view(name: string, replicas: ReplicaReader | undefined = new ReplicaReader(this.karmada)): Promise<GraphView> {
    const graph = await this.store.graphs.get(name);
    if (!graph) throw new NotFoundError(`graph ${name} not found`);
    return this.viewOf(graph, replicas);
  }

  async viewOf(graph: GraphRecord, replicas: ReplicaReader | undefined): Promise<GraphView> {
    const [services, latest, pending] = await Promise.all([
      this.store.services.listByGraph(graph.name),
      this.store.placements.latest(graph.name),
      this.store.outbox.pending(graph.name),
    ]);
    // Descriptor order, as the user wrote the services (the store lists them by name).
    const order = new Map(this.modelOf(graph).services.map((s, i) => [s.id, i]));
    services.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    return buildView(graph, services, latest, pending.length, replicas);
  }
}
