// Writes decision records and streams them back (WatchDecisions). The decisions table is the source of truth;
// an in-memory log of recent ready-time updates lets a watcher send a decision a second time once its pods
// are available, so stream readers see ready_at without polling. Applied scales and ready times are written in
// groups (write-groups.ts): concurrent decisions share one transaction of three statements.
import type { Logger } from "pino";
import type { DecisionRecord, EventRecord, Store } from "../ports/store.js";
import { ChangeNotifier } from "./notifier.js";
import { WriteGroups } from "./write-groups.js";

type NewDecision = Omit<DecisionRecord, "id">;

/** How many ready-time updates are kept for watchers that are behind. */
const READY_LOG_SIZE = 10_000;
/** How many decisions without a ready time one watcher remembers (to re-send them once ready). */
const PENDING_PER_WATCHER = 10_000;

export class DecisionRecorder {
  readonly changed = new ChangeNotifier();
  private readonly readyLog: { seq: number; id: number }[] = [];
  private readySeq = 0;
  private readonly appliedWrites: WriteGroups<NewDecision, DecisionRecord | undefined>;
  private readonly readyWrites: WriteGroups<{ id: number; at: Date }, boolean>;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly onEvents?: (events: EventRecord[]) => void,
  ) {
    this.appliedWrites = new WriteGroups(
      (ds) => this.writeApplied(ds),
      (d) => this.writeAppliedAlone(d),
      (err, size) => this.logger.warn({ err, size }, "grouped decision write failed; writing its decisions one by one"),
    );
    this.readyWrites = new WriteGroups(
      async (marks) => {
        await this.store.decisions.markStageMany("readyAt", marks);
        return marks.map(() => true);
      },
      (m) => this.writeReadyAlone(m.id, m.at),
      (err, size) => this.logger.warn({ err, size }, "grouped ready-time write failed; writing them one by one"),
    );
  }

  /**
   * Records an applied scale: its decision, the graph's `scaled` audit event and the service's desired replicas,
   * grouped with the scales applied meanwhile. Undefined (logged) when the decision could not be stored.
   */
  async applied(decision: NewDecision): Promise<DecisionRecord | undefined> {
    return this.appliedWrites.submit(decision);
  }

  /** One transaction for a group: the decisions, then their events (which name the decision ids), then the counts. */
  private async writeApplied(decisions: NewDecision[]): Promise<(DecisionRecord | undefined)[]> {
    const { recs, events } = await this.store.transaction(async (tx) => {
      const recs = await tx.decisions.addMany(decisions);
      const events = await tx.events.appendMany(recs.map(scaledEvent));
      await tx.services.setDesiredReplicas(recs.map((r) => ({ graph: r.graph, name: r.service, desiredReplicas: r.replicas })));
      return { recs, events };
    });
    this.onEvents?.(events);
    this.changed.notify();
    return recs;
  }

  /** The same writes, each on its own and best effort, as before grouping (the decision is the record). */
  private async writeAppliedAlone(d: NewDecision): Promise<DecisionRecord | undefined> {
    const rec = await this.add(d);
    try {
      const event = await this.store.events.append(scaledEvent(rec ?? d));
      this.onEvents?.([event]);
    } catch (err) {
      this.logger.warn({ err, graph: d.graph, service: d.service }, "could not append the scaled event");
    }
    await this.store.services.update(d.graph, d.service, { desiredReplicas: d.replicas }).catch((err: unknown) =>
      this.logger.error({ err, graph: d.graph, service: d.service }, "could not store the desired replicas"),
    );
    return rec;
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
    if (!(await this.readyWrites.submit({ id, at }))) return;
    this.readyLog.push({ seq: ++this.readySeq, id });
    // Trimmed in chunks: a splice of the head per update would copy the whole log every time.
    if (this.readyLog.length > 2 * READY_LOG_SIZE) this.readyLog.splice(0, this.readyLog.length - READY_LOG_SIZE);
    this.changed.notify();
  }

  private async writeReadyAlone(id: number, at: Date): Promise<boolean> {
    try {
      await this.store.decisions.markStage(id, "readyAt", at);
      return true;
    } catch (err) {
      this.logger.error({ err, decision: id }, "could not store the ready time");
      return false;
    }
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

/** The graph's `scaled` audit event for an applied scale. */
function scaledEvent(d: DecisionRecord | NewDecision): Omit<EventRecord, "id" | "occurredAt"> {
  const rate = Math.round(d.requestsPerSecond * 100) / 100;
  return {
    graph: d.graph,
    type: "scaled",
    service: d.service,
    message: `${d.service} ${d.previousReplicas} → ${d.replicas} replicas (rate ${rate} req/s, ${d.trigger})`,
    details: { previous: d.previousReplicas, replicas: d.replicas, rate: d.requestsPerSecond, trigger: d.trigger, decisionId: "id" in d ? d.id : null },
  };
}
