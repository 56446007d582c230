// The in-memory read model of graphs: every graph's stored record, services, latest placement and pending action
// count, loaded once from the store at start-up and then kept current by the lifecycle's own commits (refreshed
// after each commit, never before) and by change notices (events of the elasticity loop, other processes'
// commits). GetGraph and ListGraphs read it without any I/O; replica counts come from the Deployment informer at
// answer time. Design: docs/lifecycle.md#read-model.
import type { Logger } from "../../observability/logger.js";
import type { EventRecord, GraphRecord, PlacementRecord, ServiceRecord, Store } from "../ports/store.js";
import type { GraphView, StoredGraphText } from "./types.js";
import { graphView, type ReplicaCounts } from "./views.js";

/**
 * What is kept per graph, trimmed to what reads use, since the read model holds every graph (10,000 graphs of
 * two services in well under 200 MiB: docs/lifecycle.md#read-model).
 */
interface Entry {
  /**
   * The record with its descriptor as JSON text instead of the parsed document (which costs several times its
   * text), serialised once per stored version: GetGraph answers carry it, and a re-translation reads it.
   */
  graph: StoredGraphText;
  /** Each service's `spec` is cut to the connection points views show; the full model is in the store. */
  services: ServiceRecord[];
  latest: PlacementRecord | undefined;
  pending: number;
  /** The graph's newest events (at most EVENT_TAIL), oldest first: WatchGraph's first page. */
  events: EventRecord[];
}

/**
 * Events kept per graph for WatchGraph's first page: a resume from a recent id, or a young graph's whole history
 * (deployed, placed and its first decisions), answers without I/O; an older id reads the store. Each kept event
 * costs ~0.4 KiB, so the tail is short (docs/lifecycle.md#read-model).
 */
export const EVENT_TAIL = 8;

/** Graphs read per page when the whole model loads. */
export const LOAD_PAGE = 500;

export interface GraphReadModelDeps {
  store: Store;
  counts?: ReplicaCounts;
  /** Service names in the order the descriptor lists them (the store keeps them by name). */
  serviceOrder(graph: GraphRecord): string[];
  logger: Logger;
  /** Graphs read per page when the whole model loads (default LOAD_PAGE). */
  loadPage?: number;
}

export class GraphReadModel {
  private entries = new Map<string, Entry>();
  /** Graphs re-read while a (re)load runs, per load in progress: the load keeps their fresher entries. */
  private readonly reloadedDuringLoad = new Set<Set<string>>();
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

  /** Loads every graph (loadAll). Memoised: callers share one load; a failed load can be retried. */
  load(): Promise<void> {
    this.loading ??= this.loadAll().catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  /**
   * Reads every graph a page at a time (LOAD_PAGE graphs, four queries a page) into a new map, then swaps it in:
   * reads meanwhile answer from the previous map, and the rows in memory at once stay bounded (all 10,000 graphs'
   * rows at once left ~70 MiB more RSS behind than the read model holds). A graph re-read by refresh() while the
   * load runs keeps that fresher entry.
   */
  private async loadAll(): Promise<void> {
    const { store } = this.deps;
    const reloaded = new Set<string>();
    this.reloadedDuringLoad.add(reloaded);
    try {
      const pendingOf = new Map<string, number>();
      for (const row of await store.outbox.pending()) pendingOf.set(row.graph, (pendingOf.get(row.graph) ?? 0) + 1);
      const next = new Map<string, Entry>();
      let services = 0;
      const page = this.deps.loadPage ?? LOAD_PAGE;
      for (let after: string | undefined; ; ) {
        const graphs = await store.graphs.list({ after, limit: page });
        if (graphs.length === 0) break;
        const names = graphs.map((g) => g.name);
        const [rows, latest, events] = await Promise.all([
          store.services.listAll(names),
          store.placements.latestAll(names),
          store.events.latestAll(EVENT_TAIL, names),
        ]);
        services += rows.length;
        const servicesOf = groupByGraph(rows);
        const latestOf = new Map(latest.map((p) => [p.graph, p]));
        const eventsOf = groupByGraph(events);
        for (const graph of graphs) {
          const name = graph.name;
          next.set(name, this.entry(graph, servicesOf.get(name) ?? [], latestOf.get(name), pendingOf.get(name) ?? 0, eventsOf.get(name) ?? []));
        }
        if (graphs.length < page) break;
        after = names.at(-1);
      }
      for (const name of reloaded) {
        const fresher = this.entries.get(name);
        if (fresher) next.set(name, fresher);
        else next.delete(name);
      }
      this.entries = next;
      this.loaded = true;
      this.deps.logger.info({ graphs: next.size, services }, "read model loaded");
    } finally {
      this.reloadedDuringLoad.delete(reloaded);
    }
  }

  private entry(record: GraphRecord, services: ServiceRecord[], latest: PlacementRecord | undefined, pending: number, events: EventRecord[]): Entry {
    const previous = this.entries.get(record.name);
    const order = new Map(this.serviceOrder(record).map((name, i) => [name, i]));
    services.sort((a, b) => (order.get(a.name) ?? order.size) - (order.get(b.name) ?? order.size) || a.name.localeCompare(b.name));
    const descriptorJson =
      previous && previous.graph.descriptorHash === record.descriptorHash ? previous.graph.descriptorJson : JSON.stringify(record.descriptor ?? null);
    const { descriptor: _document, ...head } = record;
    return { graph: { ...head, descriptorJson }, services: services.map(slimService), latest, pending, events };
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

  /**
   * Refresh in the background (a change notice): failures are logged and the next notice tries again. Ignored
   * before the first load starts (the load reads everything); taken during it, since a page read before the
   * change would otherwise hold the older state until the next notice.
   */
  invalidate(name: string): void {
    if (!this.loaded && this.reloadedDuringLoad.size === 0) return;
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
    for (const reloaded of this.reloadedDuringLoad) reloaded.add(name);
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
    for (const reloaded of this.reloadedDuringLoad) reloaded.add(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * A graph's stored state as of the last refresh (for checks that must not cost I/O, e.g. drift). The services'
   * `spec` holds only their connection points: translate `graph` (GraphCore.modelOf) for the service models.
   */
  state(name: string): { graph: StoredGraphText; services: readonly ServiceRecord[]; pending: number } | undefined {
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

  /** No I/O. Undefined for an unknown graph. */
  get(name: string): GraphView | undefined {
    const e = this.entries.get(name);
    return e && graphView(e.graph, e.services, e.latest, e.pending, this.deps.counts, e.graph.descriptorJson, new Date(), e);
  }

  /** Graphs of a project (every project when empty), by name. No I/O. */
  list(project?: string): GraphView[] {
    const now = new Date();
    const views: GraphView[] = [];
    for (const e of this.entries.values()) {
      if (project && e.graph.project !== project) continue;
      views.push(graphView(e.graph, e.services, e.latest, e.pending, this.deps.counts, e.graph.descriptorJson, now, e));
    }
    return views.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Names of every graph known. */
  names(): string[] {
    return [...this.entries.keys()];
  }
}

/** A service record whose spec keeps only what views read (serviceView: connection points). */
function slimService(s: ServiceRecord): ServiceRecord {
  const points = (s.spec as { connectionPoints?: unknown } | null)?.connectionPoints;
  return { ...s, spec: Array.isArray(points) && points.length > 0 ? { connectionPoints: points } : null };
}

function groupByGraph<T extends { graph: string }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const list = out.get(row.graph);
    if (list) list.push(row);
    else out.set(row.graph, [row]);
  }
  return out;
}
