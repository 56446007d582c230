// GraphLifecycle: the one object the gRPC handlers, the /v1/alerts route and the CLI's `serve` talk to for
// graphs. Every adapter comes in through the options (ports); the lifecycle itself does no I/O.
import type { ClusterInventory, ClusterLossReason } from "../clusters/inventory.js";
import type { Subscription } from "../ports/karmada.js";
import type { EventRecord, PlacementRecord } from "../ports/store.js";
import { NotFoundError } from "../errors.js";
import { LifecycleCore } from "./core.js";
import { serviceOfObject } from "./drift.js";
import { deployGraph } from "./deploy.js";
import { removeGraph, repairGraph, startGraph, stopGraph } from "./operations.js";
import { graphsOnCluster, replaceGraph } from "./replace.js";
import { isTransient } from "./runner.js";
import { handleAlerts } from "./triggers.js";
import type {
  AlertOutcome,
  DeployRequest,
  DeployResult,
  GraphLifecycleOptions,
  GraphView,
  IncomingAlert,
  ReplaceRequest,
  ReplaceResult,
} from "./types.js";
import { watchEvents } from "./watch.js";

export class GraphLifecycle {
  private readonly core: LifecycleCore;
  private readonly artifacts: GraphLifecycleOptions["artifacts"];
  private readonly watchPollMs: number;
  private clusterWatch: Subscription | undefined;
  private closed = false;

  constructor(options: GraphLifecycleOptions) {
    this.core = new LifecycleCore(options);
    this.artifacts = options.artifacts;
    this.watchPollMs = options.watchPollMs ?? 2000;
  }

  get inventory(): ClusterInventory {
    return this.core.inventory;
  }

  /** Validate, place, commit and apply. UnavailableError when Karmada fails mid-way (saved; completed later). */
  deploy(req: DeployRequest): Promise<DeployResult> {
    return deployGraph(this.core, { artifacts: this.artifacts }, req);
  }

  /**
   * Loads the read model from the store (start-up). Reads before it wait for it; after it, reads do no I/O.
   */
  loadReadModel(informerSyncMs = 0): Promise<boolean> {
    return this.core.loadReadModel(informerSyncMs);
  }

  /** Re-reads a graph another process changed (a change notice); failures are logged. */
  invalidate(name: string): void {
    this.core.readModel.invalidate(name);
  }

  /**
   * From memory. NotFoundError for an unknown graph. Replica counts come from the Deployment informer;
   * `replicasLive` is false while it has not synced or Karmada is away.
   */
  async get(name: string): Promise<GraphView> {
    if (!this.core.readModel.ready) await this.loadReadModel();
    const view = this.core.readModel.get(name);
    if (!view) throw new NotFoundError(`graph ${name} not found`);
    return view;
  }

  /** Graphs of a project (every project when empty), by name, from memory. */
  async list(project?: string): Promise<GraphView[]> {
    if (!this.core.readModel.ready) await this.loadReadModel();
    return this.core.readModel.list(project);
  }

  /** The read model, for tests and metrics. */
  get graphCount(): number {
    return this.core.readModel.size;
  }

  start(name: string): Promise<GraphView> {
    return startGraph(this.core, name);
  }

  stop(name: string): Promise<GraphView> {
    return stopGraph(this.core, name);
  }

  remove(name: string): Promise<void> {
    return removeGraph(this.core, name);
  }

  replace(name: string, req: ReplaceRequest = {}): Promise<ReplaceResult> {
    return replaceGraph(this.core, name, req);
  }

  /** Placement history of a graph, newest first. */
  placements(name: string, limit?: number): Promise<PlacementRecord[]> {
    return this.core.store.placements.history(name, limit);
  }

  /** Events after `afterEventId`, then new ones as they come; ends when `signal` aborts or the graph is removed. */
  watch(name: string, afterEventId = 0, signal?: AbortSignal): AsyncIterable<EventRecord> {
    return watchEvents(this.core.store, this.core.hub, name, afterEventId, signal, this.watchPollMs, (graph, after) =>
      this.core.readModel.eventsAfter(graph, after),
    );
  }

  /**
   * Wakes watchers of the graphs of `events` appended by another component (e.g. `scaled` by the elasticity
   * loop) at once; without it they see them at the next poll.
   */
  notify(events: EventRecord[]): void {
    this.core.hub.published(events);
  }

  /** Calls `listener` with the events of every graph after their transaction committed (no replay). */
  subscribe(listener: (events: EventRecord[]) => void): Subscription {
    const off = this.core.hub.subscribe(listener);
    return { stop: off };
  }

  /** Alertmanager webhook alerts (labels graph, service, alertname/event). Never throws for unknown labels. */
  handleAlerts(alerts: IncomingAlert[]): Promise<AlertOutcome> {
    return handleAlerts(this.core, alerts);
  }

  /**
   * Re-places every running graph with a service on `cluster`, leaving that member out. Never throws (the
   * cluster watch calls it unawaited): a failure is logged and the graphs moved so far are returned.
   */
  async onClusterLost(cluster: string, reason: ClusterLossReason | string = "lost"): Promise<string[]> {
    const moved: string[] = [];
    let affected: string[];
    try {
      affected = await graphsOnCluster(this.core, cluster);
    } catch (err) {
      this.core.logger.error({ cluster, err: (err as Error).message }, "cannot list the graphs of a lost member; not re-placed");
      return moved;
    }
    for (const name of affected) {
      // Every process watches the members; only the graph's owner re-places it.
      const project = (await this.core.store.graphs.get(name).catch(() => undefined))?.project;
      if (project === undefined || !this.core.ownership.owns(project)) continue;
      try {
        await replaceGraph(this.core, name, {}, { exclude: [cluster], trigger: `member ${cluster} ${reason}` });
        moved.push(name);
      } catch (err) {
        this.core.logger.error({ graph: name, cluster, err: (err as Error).message }, "re-placement after cluster loss failed");
      }
    }
    return moved;
  }

  /**
   * Start-up: re-applies every pending outbox action (idempotent), so graphs a crash left half-applied
   * converge; graphs whose dependency is still down are retried in the background.
   */
  async resume(project?: string): Promise<{ graphs: string[]; retrying: string[] }> {
    let graphs = [...new Set((await this.core.store.outbox.pending()).map((r) => r.graph))];
    if (project !== undefined) {
      const ofProject = new Set((await this.core.store.graphs.list({ project })).map((g) => g.name));
      graphs = graphs.filter((g) => ofProject.has(g));
    }
    const retrying: string[] = [];
    for (const graph of graphs) {
      try {
        await this.core.mutex.run(graph, () => this.core.runner.drain(graph));
      } catch (err) {
        if (isTransient(err)) retrying.push(graph);
        else this.core.logger.error({ graph, err: (err as Error).message }, "resume: graph failed");
      }
    }
    return { graphs, retrying };
  }

  /**
   * Start-up, after resume(): checks every running graph against Karmada and re-applies the objects of those that
   * drifted (e.g. a federation that lost its state). Returns the repaired graphs; a failure is logged, not thrown.
   */
  async repairAll(project?: string): Promise<string[]> {
    const repaired: string[] = [];
    for (const g of await this.core.store.graphs.list(project !== undefined ? { project } : undefined)) {
      if (g.status !== "running" || !this.core.ownership.owns(g.project)) continue;
      try {
        if (await repairGraph(this.core, g.name)) repaired.push(g.name);
      } catch (err) {
        this.core.logger.warn({ graph: g.name, err: (err as Error).message }, "repair check failed; will retry at the next start");
      }
    }
    return repaired;
  }

  /**
   * Level-triggered reconcile: an owned object deleted, or whose spec someone else changed, has its graph
   * checked and repaired at once; each periodic informer resync checks every running graph (from memory, so a
   * pass costs no I/O unless something drifted). Repairs of one graph are debounced together.
   */
  watchDrift(options: { debounceMs?: number } = {}): Subscription {
    const debounceMs = options.debounceMs ?? 200;
    const due = new Map<string, string | undefined>();
    let timer: NodeJS.Timeout | undefined;
    let fullPass = false;
    const flush = () => {
      timer = undefined;
      if (this.closed) return;
      if (fullPass) for (const name of this.core.readModel.names()) if (!due.has(name)) due.set(name, undefined);
      fullPass = false;
      const batch = [...due];
      due.clear();
      for (const [graph, forced] of batch) {
        const state = this.core.readModel.state(graph);
        // Another process owns the project: it repairs it.
        if (!state || !this.core.ownership.owns(state.graph.project)) continue;
        // Actions still being applied: check again once they are (a drift seen meanwhile must not wait a resync).
        if (state.pending > 0) {
          retry(graph, forced);
          continue;
        }
        repairGraph(this.core, graph, forced).catch((err: Error) =>
          this.core.logger.warn({ graph, err: err.message }, "drift repair failed; the next resync tries again"),
        );
      }
    };
    const retry = (graph: string, forced: string | undefined) => {
      const t = setTimeout(() => mark(graph, forced), Math.max(debounceMs, 500));
      t.unref?.();
    };
    const mark = (graph: string | undefined, forced?: string) => {
      if (this.closed) return;
      if (graph !== undefined) due.set(graph, forced ?? due.get(graph));
      else fullPass = true;
      timer ??= setTimeout(flush, debounceMs);
    };
    const sub = this.core.karmada.watchObjects((changes) => {
      if (this.closed) return;
      for (const c of changes) {
        if (c.change === "resync") {
          mark(undefined);
          continue;
        }
        // A write of smo's own (or one whose author the server does not record) is not drift.
        if (c.change === "modified" && !c.byOthers) continue;
        const forced = c.change === "modified" ? `${c.kind} ${c.namespace}/${c.name} changed by ${c.manager}` : undefined;
        for (const service of serviceOfObject(c.kind, c.name)) {
          for (const graph of this.core.readModel.graphsWithService(c.namespace, service)) mark(graph, forced);
        }
      }
    });
    return {
      stop: () => {
        sub.stop();
        clearTimeout(timer);
      },
    };
  }

  /** Follows the members; a member that becomes NotReady or disappears has its services re-placed. */
  watchClusters(): Subscription {
    this.clusterWatch?.stop();
    const sub = this.core.inventory.watch((cluster, reason) => {
      if (this.closed) return;
      void this.onClusterLost(cluster, reason);
    });
    this.clusterWatch = sub;
    return sub;
  }

  /** Applies the graph's pending actions now if this process owns its project (another process committed them). */
  async applyPending(name: string): Promise<void> {
    try {
      await this.core.mutex.run(name, () => this.core.runner.drain(name));
    } catch (err) {
      if (!isTransient(err)) this.core.logger.error({ graph: name, err: (err as Error).message }, "applying pending actions failed");
    }
  }

  /** Graphs with a background retry scheduled (a dependency was down). */
  get retrying(): string[] {
    return this.core.runner.scheduled;
  }

  /**
   * Stops retries and the cluster watch, then waits (at most `timeoutMs`) for the graph operations already
   * running (a background retry, a re-placement after a lost member) so that the caller does not close the store
   * or the Karmada client under them. Watchers end when their signal aborts.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closed = true;
    this.clusterWatch?.stop();
    this.core.stopChangeFeed();
    this.core.runner.close();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.core.mutex.idle(), deadline]);
    clearTimeout(timer);
  }
}

