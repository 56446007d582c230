// WatchGraph: the events table is the source of truth (so a watch resumes by id, across restarts); an
// in-process hub wakes watchers when this process appends, and a slow poll catches what another process wrote.
import { NotFoundError } from "../errors.js";
import type { EventRecord, Store } from "../ports/store.js";

const PAGE = 200;
/** How many removed graphs keep their final events in memory for in-process watchers. */
const REMOVED_KEPT = 100;

export class EventHub {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** The last events of removed graphs: their rows went with the graph (cascade), watchers still get them. */
  private readonly removed = new Map<string, EventRecord[]>();
  /** Other components following every graph's events (the elasticity loop refreshes a graph on change). */
  private readonly listeners = new Set<(events: EventRecord[]) => void>();

  subscribe(listener: (events: EventRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after the transaction that appended `events` committed. */
  published(events: EventRecord[]): void {
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A listener's failure is its own; the lifecycle and the watchers go on.
      }
    }
    const graphs = new Set(events.map((e) => e.graph));
    for (const g of graphs) {
      const set = this.waiters.get(g);
      if (!set) continue;
      this.waiters.delete(g);
      for (const wake of set) wake();
    }
  }

  graphRemoved(graph: string, finalEvents: EventRecord[]): void {
    this.removed.delete(graph);
    this.removed.set(graph, finalEvents);
    while (this.removed.size > REMOVED_KEPT) this.removed.delete(this.removed.keys().next().value as string);
    this.published(finalEvents.length > 0 ? finalEvents : [{ graph } as EventRecord]);
  }

  finalEvents(graph: string): EventRecord[] {
    return this.removed.get(graph) ?? [];
  }

  /** A wake-up registered now (before reading the table, so an append in between is not missed). */
  arm(graph: string): { wait(timeoutMs: number, signal?: AbortSignal): Promise<void>; cancel(): void } {
    let woken = false;
    let wake: () => void = () => (woken = true);
    const trigger = () => wake();
    let set = this.waiters.get(graph);
    if (!set) this.waiters.set(graph, (set = new Set()));
    set.add(trigger);
    const cancel = () => {
      const current = this.waiters.get(graph);
      current?.delete(trigger);
      if (current?.size === 0) this.waiters.delete(graph);
    };
    return {
      cancel,
      wait: (timeoutMs, signal) =>
        new Promise<void>((resolve) => {
          let timer: NodeJS.Timeout | undefined;
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            cancel();
            resolve();
          };
          if (woken || signal?.aborted) return done();
          wake = done;
          timer = setTimeout(done, timeoutMs);
          signal?.addEventListener("abort", done, { once: true });
        }),
    };
  }
}

/**
 * Events of `graph` with id > afterEventId, then every new one as it is appended, until `signal` aborts or the
 * graph is removed (the stream then ends after its last events). NotFoundError when the graph does not exist.
 * `firstPage` answers the first page from memory when it can (the read model's event tail); the store is read
 * right after it, so an event committed while the memory was being refreshed is not left for the poll.
 */
export async function* watchEvents(
  store: Store,
  hub: EventHub,
  graph: string,
  afterEventId: number,
  signal: AbortSignal | undefined,
  pollMs: number,
  firstPage?: (graph: string, afterId: number) => EventRecord[] | undefined,
): AsyncGenerator<EventRecord> {
  let fromMemory = firstPage?.(graph, afterEventId);
  if (!fromMemory && !(await store.graphs.get(graph))) {
    const final = hub.finalEvents(graph).filter((e) => e.id > afterEventId);
    if (final.length === 0) throw new NotFoundError(`graph ${graph} not found`);
    yield* final;
    return;
  }
  let last = afterEventId;
  while (!signal?.aborted) {
    const wake = hub.arm(graph);
    try {
      const rows = fromMemory ?? (await store.events.listAfter(graph, last, PAGE));
      const memoryPage = fromMemory !== undefined;
      fromMemory = undefined;
      for (const row of rows) {
        if (signal?.aborted) return;
        last = row.id;
        yield row;
      }
      if (memoryPage || rows.length === PAGE) continue;
      if (rows.length === 0 && !(await store.graphs.get(graph))) {
        for (const e of hub.finalEvents(graph)) if (e.id > last) yield e;
        return;
      }
      await wake.wait(pollMs, signal);
    } finally {
      wake.cancel();
    }
  }
}
