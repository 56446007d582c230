// The in-memory read model of graphs: every graph's stored record, services, latest placement and pending action
// count, loaded once from the store at start-up and then kept current by the lifecycle's own commits (refreshed
// after each commit, never before) and by change notices (events of the elasticity loop, other processes'
// commits). GetGraph and ListGraphs read it without any I/O; replica counts come from the Deployment informer at
// answer time. Design: docs/lifecycle.md#read-model.
import type { Logger } from "../../observability/logger.js";
import type { EventRecord, GraphRecord, PlacementRecord, ServiceRecord, Store } from "../ports/store.js";
import type { GraphView } from "./types.js";
import { graphView, type ReplicaCounts } from "./views.js";

interface Entry {
  graph: GraphRecord;
  services: ServiceRecord[];
  latest: PlacementRecord | undefined;
  pending: number;
  /** Serialised once per stored version: GetGraph answers carry it and it can be large. */
  descriptorJson: string;
  /** The graph's newest events (at most EVENT_TAIL), oldest first: WatchGraph's first page. */
  events: EventRecord[];
}

/**
 * Events kept per graph for WatchGraph's first page: a resume from a recent id, or a whole young graph, answers
 * without I/O; an older id reads the store. Bounded because the read model holds every graph (docs/lifecycle.md).
 */
export const EVENT_TAIL = 16;

export interface GraphReadModelDeps {
  store: Store;
  counts?: ReplicaCounts;
  /** Service names in the order the descriptor lists them (the store keeps them by name). */
  serviceOrder(graph: GraphRecord): string[];
  logger: Logger;
}

export class GraphReadModel {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshes = new Map<string, { dirty: boolean; done: Promise<void> }>();
  private loading: Promise<void> | undefined;
  private loaded = false;

  constructor(private readonly deps: GraphReadModelDeps) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether the start-up load has completed (reads before that wait for it once). */
  get ready(): boolean {
    return this.loaded;
  }

  /** Loads every graph in four queries. Memoised: callers share one load; a failed load can be retried. */
  load(): Promise<void> {
    this.loading ??= this.loadAll().catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async loadAll(): Promise<void> {
    const { store } = this.deps;
    const [graphs, services, latest, pending, events] = await Promise.all([
      store.graphs.list(),
      store.services.listAll(),
      store.placements.latestAll(),
      store.outbox.pending(),
      store.events.latestAll(EVENT_TAIL),
    ]);
    const servicesOf = new Map<string, ServiceRecord[]>();
    for (const s of services) {
      const list = servicesOf.get(s.graph);
      if (list) list.push(s);
      else servicesOf.set(s.graph, [s]);
    }
    const latestOf = new Map(latest.map((p) => [p.graph, p]));
    const pendingOf = new Map<string, number>();
    for (const row of pending) pendingOf.set(row.graph, (pendingOf.get(row.graph) ?? 0) + 1);
    const eventsOf = new Map<string, EventRecord[]>();
    for (const e of events) {
      const list = eventsOf.get(e.graph);
      if (list) list.push(e);
      else eventsOf.set(e.graph, [e]);
    }
    this.entries.clear();
    for (const graph of graphs) {
      const name = graph.name;
      this.entries.set(name, this.entry(graph, servicesOf.get(name) ?? [], latestOf.get(name), pendingOf.get(name) ?? 0, eventsOf.get(name) ?? []));
    }
    this.loaded = true;
    this.deps.logger.info({ graphs: graphs.length, services: services.length }, "read model loaded");
  }

  private entry(graph: GraphRecord, services: ServiceRecord[], latest: PlacementRecord | undefined, pending: number, events: EventRecord[]): Entry {
    const previous = this.entries.get(graph.name);
    const order = new Map(this.serviceOrder(graph).map((name, i) => [name, i]));
    services.sort((a, b) => (order.get(a.name) ?? order.size) - (order.get(b.name) ?? order.size) || a.name.localeCompare(b.name));
    const descriptorJson =
      previous && previous.graph.descriptorHash === graph.descriptorHash ? previous.descriptorJson : JSON.stringify(graph.descriptor ?? null);
    return { graph, services, latest, pending, descriptorJson, events };
  }

  private serviceOrder(graph: GraphRecord): string[] {
    try {
      return this.deps.serviceOrder(graph);
    } catch {
      return [];
    }
  }

  /**
   * Re-reads one graph from the store. Concurrent calls coalesce: the promise resolves after a re-read that
   * started after the call, so a caller that committed sees its own write. Rejects when the store fails (the
   * entry keeps its previous content).
   */
  refresh(name: string): Promise<void> {
    const active = this.refreshes.get(name);
    if (active) {
      active.dirty = true;
      return active.done;
    }
    const state = { dirty: true, done: Promise.resolve() };
    state.done = (async () => {
      try {
        while (state.dirty) {
          state.dirty = false;
          await this.reload(name);
        }
      } finally {
        this.refreshes.delete(name);
      }
    })();
    this.refreshes.set(name, state);
    return state.done;
  }

  /** Refresh in the background (a change notice): failures are logged and the next notice tries again. */
  invalidate(name: string): void {
    if (!this.loaded) return;
    this.refresh(name).catch((err: Error) =>
      this.deps.logger.warn({ graph: name, err: err.message }, "read model refresh failed; serving the previous state"),
    );
  }

  /** Re-reads everything (change notices may have been missed); failures are logged. */
  resync(): void {
    if (!this.loaded) return;
    this.loadAll().catch((err: Error) => this.deps.logger.warn({ err: err.message }, "read model resync failed; serving the previous state"));
  }

  /** Drops a graph that was removed. */
  forget(name: string): void {
    this.entries.delete(name);
  }

  private async reload(name: string): Promise<void> {
    const { store } = this.deps;
    const [graph, services, latest, pending, events] = await Promise.all([
      store.graphs.get(name),
      store.services.listByGraph(name),
      store.placements.latest(name),
      store.outbox.pending(name),
      store.events.latest(name, EVENT_TAIL),
    ]);
    if (!graph) this.entries.delete(name);
    else this.entries.set(name, this.entry(graph, services, latest, pending.length, events));
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** A graph's stored state as of the last refresh (for checks that must not cost I/O, e.g. drift). */
  state(name: string): { graph: GraphRecord; services: readonly ServiceRecord[]; pending: number } | undefined {
    const e = this.entries.get(name);
    return e && { graph: e.graph, services: e.services, pending: e.pending };
  }

  /** Graphs of a project that have a service of this name (a Kubernetes object's owner candidates). */
  graphsWithService(project: string, service: string): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (e.graph.project === project && e.services.some((s) => s.name === service)) out.push(e.graph.name);
    }
    return out;
  }

  /**
   * Events of a graph with id > afterId, oldest first, when the kept tail holds every one of them (it holds the
   * newest EVENT_TAIL, or all when fewer): no I/O. Undefined when it cannot tell (older id, unknown graph).
   */
  eventsAfter(name: string, afterId: number): EventRecord[] | undefined {
    const tail = this.entries.get(name)?.events;
    if (!tail) return undefined;
    if (tail.length >= EVENT_TAIL && afterId < tail[0]!.id) return undefined;
    return tail.filter((e) => e.id > afterId);
  }

  /** The stored record of a graph, as of the last refresh. */
  record(name: string): GraphRecord | undefined {
    return this.entries.get(name)?.graph;
  }

  /** No I/O. Undefined for an unknown graph. */
  get(name: string): GraphView | undefined {
    const e = this.entries.get(name);
    return e && graphView(e.graph, e.services, e.latest, e.pending, this.deps.counts, e.descriptorJson, new Date(), e);
  }

  /** Graphs of a project (every project when empty), by name. No I/O. */
  list(project?: string): GraphView[] {
    const now = new Date();
    const views: GraphView[] = [];
    for (const e of this.entries.values()) {
      if (project && e.graph.project !== project) continue;
      views.push(graphView(e.graph, e.services, e.latest, e.pending, this.deps.counts, e.descriptorJson, now, e));
    }
    return views.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Names of every graph known. */
  names(): string[] {
    return [...this.entries.keys()];
  }
}
