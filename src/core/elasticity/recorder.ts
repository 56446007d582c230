// Writes decision records and streams them back (WatchDecisions). The decisions table is the source of truth;
// an in-memory log of recent ready-time updates lets a watcher send a decision a second time once its pods
// are available, so stream readers see ready_at without polling.
import type { Logger } from "pino";
import type { DecisionRecord, EventRecord, Store } from "../ports/store.js";
import { ChangeNotifier } from "./notifier.js";

/** How many ready-time updates are kept for watchers that are behind. */
const READY_LOG_SIZE = 10_000;
/** How many decisions without a ready time one watcher remembers (to re-send them once ready). */
const PENDING_PER_WATCHER = 10_000;

export class DecisionRecorder {
  readonly changed = new ChangeNotifier();
  private readonly readyLog: { seq: number; id: number }[] = [];
  private readySeq = 0;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly onEvents?: (events: EventRecord[]) => void,
  ) {}

  /** Appends the graph's `scaled` audit event for an applied scale (best effort: the decision is the record). */
  async scaled(d: DecisionRecord | Omit<DecisionRecord, "id">): Promise<void> {
    const rate = Math.round(d.requestsPerSecond * 100) / 100;
    try {
      const event = await this.store.events.append({
        graph: d.graph,
        type: "scaled",
        service: d.service,
        message: `${d.service} ${d.previousReplicas} → ${d.replicas} replicas (rate ${rate} req/s, ${d.trigger})`,
        details: { previous: d.previousReplicas, replicas: d.replicas, rate: d.requestsPerSecond, trigger: d.trigger, decisionId: "id" in d ? d.id : null },
      });
      this.onEvents?.([event]);
    } catch (err) {
      this.logger.warn({ err, graph: d.graph, service: d.service }, "could not append the scaled event");
    }
  }

  /** Stores a decision; undefined (logged) when the store refuses it, e.g. the graph was removed meanwhile. */
  async add(decision: Omit<DecisionRecord, "id">): Promise<DecisionRecord | undefined> {
    try {
      const rec = await this.store.decisions.add(decision);
      this.changed.notify();
      return rec;
    } catch (err) {
      this.logger.error({ err, graph: decision.graph, service: decision.service }, "could not store the decision");
      return undefined;
    }
  }

  async markReady(id: number, at: Date): Promise<void> {
    try {
      await this.store.decisions.markStage(id, "readyAt", at);
    } catch (err) {
      this.logger.error({ err, decision: id }, "could not store the ready time");
      return;
    }
    this.readyLog.push({ seq: ++this.readySeq, id });
    // Trimmed in chunks: a splice of the head per update would copy the whole log every time.
    if (this.readyLog.length > 2 * READY_LOG_SIZE) this.readyLog.splice(0, this.readyLog.length - READY_LOG_SIZE);
    this.changed.notify();
  }

  /**
   * Decisions after `afterId` (0 = only new ones), then new ones as they are written, until the signal aborts.
   * A decision yielded before its ready time was known is yielded again, same id, once it is.
   */
  async *watch(filter: { graph?: string; service?: string }, afterId: number, signal: AbortSignal): AsyncGenerator<DecisionRecord> {
    let last = afterId > 0 ? afterId : await this.store.decisions.latestId();
    let readySeq = this.readySeq;
    const pending = new Set<number>();
    while (!signal.aborted) {
      const seen = this.changed.version;
      const rows = await this.store.decisions.listAfter(last, { ...filter, limit: 500 });
      for (const row of rows) {
        last = row.id;
        if (row.actuatedAt && !row.readyAt) {
          pending.add(row.id);
          if (pending.size > PENDING_PER_WATCHER) pending.delete(pending.values().next().value!);
        }
        yield row;
        if (signal.aborted) return;
      }
      // The log is ordered by seq and a watcher is rarely far behind: walk back from the end, not over it all.
      let from = this.readyLog.length;
      while (from > 0 && this.readyLog[from - 1]!.seq > readySeq) from--;
      const updates = this.readyLog.slice(from);
      readySeq = this.readySeq;
      let resent = 0;
      for (const { id } of updates) {
        if (!pending.delete(id)) continue;
        const [row] = await this.store.decisions.listAfter(id - 1, { limit: 1 });
        if (row?.id === id) {
          resent++;
          yield row;
        }
      }
      if (rows.length === 0 && resent === 0) await this.changed.wait(1000, signal, seen);
    }
  }
}
