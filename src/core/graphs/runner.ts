// Applies a graph's outbox in order and keeps retrying it while a dependency is down. A transient failure
// (Karmada, Grafana or Prometheus unreachable) leaves the row with its error, notes it on the graph and
// schedules a retry with capped exponential backoff; any other failure marks the graph failed. Like every
// outbox write, what a failure writes (the row's error, the retry note, the failed mark) is fenced by the
// project's lease: a process that lost it writes nothing and leaves the row to the new owner.
import { ConflictError, SmoError, TimeoutError, UnavailableError } from "../errors.js";
import { NotOwnerError, type ProjectOwnership } from "../ports/ownership.js";
import type { EventRecord, OutboxRecord, Repositories, Store } from "../ports/store.js";
import type { Logger } from "../../observability/logger.js";
import { convergeService, describeAction, isBestEffort, isConvergeKind, type OutboxAction, type StoredAction } from "./actions.js";
import type { ActionExecutor } from "./executor.js";
import type { KeyedMutex } from "./mutex.js";
import type { LifecycleHooks } from "./types.js";

export function isTransient(err: unknown): boolean {
  return err instanceof UnavailableError || err instanceof TimeoutError || err instanceof ConflictError;
}

export interface OutboxRunnerDeps {
  store: Store;
  executor: ActionExecutor;
  mutex: KeyedMutex;
  logger: Logger;
  initialMs: number;
  maxMs: number;
  hooks: LifecycleHooks;
  ownership: ProjectOwnership;
  onEvents(events: EventRecord[]): void;
  /** After every drain, applied or failed (per-drain caches end there). */
  onDrained?(graph: string): void;
}

export class OutboxRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly attempts = new Map<string, number>();
  private closed = false;

  constructor(private readonly deps: OutboxRunnerDeps) {}

  /**
   * Applies the pending actions of `graph`, oldest first; "elsewhere" when another process owns its project.
   * The caller holds the graph's mutex. Throws
   * UnavailableError (retry scheduled) or the action's own error (graph marked failed); a transient failure of
   * a dashboard publication does not throw (the graph is already running; the retry publishes later).
   */
  async drain(graph: string): Promise<void | "elsewhere"> {
    try {
      return await this.drainRows(graph);
    } finally {
      this.deps.onDrained?.(graph);
    }
  }

  private async drainRows(graph: string): Promise<void | "elsewhere"> {
    const record = await this.deps.store.graphs.get(graph);
    if (!record) return; // removed: its outbox went with it
    // Another process owns the project: it heard the commit (NOTIFY) and applies the rows itself.
    if (!this.deps.ownership.owns(record.project)) return "elsewhere";
    const rows = await this.deps.store.outbox.pending(graph);
    let applied = 0;
    for (const row of rows) {
      const action = row.action as OutboxAction;
      try {
        await this.deps.executor.apply(row, record.project);
        await this.deps.hooks.afterAction?.(graph, action.kind, ++applied);
      } catch (err) {
        // The lease went mid-way (logged by the ownership): the new owner applies what is left, once.
        if (err instanceof NotOwnerError) return;
        const stop = await this.failed(graph, record.project, row, action, err);
        if (stop === "continue") continue;
        if (stop === "swallow" || stop === "lost") return;
        throw stop;
      }
    }
    this.attempts.delete(graph);
    if ((await this.deps.store.graphs.get(graph))?.message?.startsWith(RETRY_PREFIX)) {
      await this.deps.store.graphs.update(graph, { message: null });
    }
  }

  /** "lost": the lease went meanwhile (nothing written; the new owner applies the row). */
  private async failed(
    graph: string,
    project: string,
    row: OutboxRecord,
    action: OutboxAction,
    err: unknown,
  ): Promise<"continue" | "swallow" | "lost" | Error> {
    try {
      return await this.recordFailed(graph, project, row, action, err);
    } catch (e) {
      if (e instanceof NotOwnerError) return "lost";
      throw e;
    }
  }

  /** A transaction whose writes stand only if this process still holds the project's lease. */
  private fenced<T>(project: string, write: (tx: Repositories) => Promise<T>): Promise<T> {
    return this.deps.store.transaction(async (tx) => {
      await this.deps.ownership.fence(project, tx.leases);
      return write(tx);
    });
  }

  private async recordFailed(graph: string, project: string, row: OutboxRecord, action: OutboxAction, err: unknown): Promise<"continue" | "swallow" | Error> {
    const log = this.deps.logger.child({ graph, action: action.kind });
    const text = `${describeAction(action)}: ${err instanceof Error ? err.message : String(err)}`;
    if (isTransient(err)) {
      log.warn({ err: text }, "outbox action failed; will retry");
      // Best effort (the retry comes anyway), except that a lost lease stops here.
      await this.fenced(project, async (tx) => {
        await tx.outbox.recordFailure(row.id, text);
        await tx.graphs.update(graph, { message: `${RETRY_PREFIX}${text}` });
      }).catch((e: unknown) => {
        if (e instanceof NotOwnerError) throw e;
      });
      this.schedule(graph);
      if (action.kind === "publish-dashboards") return "swallow";
      return new UnavailableError(`${text} (the graph is saved; smo retries until it succeeds)`, { cause: err });
    }
    if (isBestEffort(action)) {
      // A dashboard that cannot be published or removed (bad credentials, rejected model) must not hold the
      // graph back: note it and go on.
      log.error({ err: text }, "dashboard action failed permanently; skipped");
      await this.fenced(project, async (tx) => {
        await tx.outbox.complete(row.id);
        await tx.graphs.update(graph, { message: text });
      });
      return "continue";
    }
    const event = await this.fenced(project, async (tx) => {
      if (!(await tx.graphs.lock(graph))) return undefined;
      await tx.outbox.recordFailure(row.id, text);
      await tx.graphs.update(graph, { status: "failed", message: text });
      return tx.events.append({ graph, type: "failed", service: serviceOf(action), message: text, details: { action: action.kind } });
    });
    log.error({ err: text }, "outbox action failed permanently; graph marked failed");
    if (event) this.deps.onEvents([event]);
    return err instanceof SmoError ? err : new Error(text, { cause: err });
  }

  /** Retries the graph's outbox later (no-op when one is already scheduled or the runner is closed). */
  schedule(graph: string): void {
    if (this.closed || this.timers.has(graph)) return;
    const attempt = this.attempts.get(graph) ?? 0;
    this.attempts.set(graph, attempt + 1);
    const base = Math.min(this.deps.maxMs, this.deps.initialMs * 2 ** attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    const timer = setTimeout(() => {
      this.timers.delete(graph);
      if (this.closed) return;
      this.deps.mutex
        .run(graph, () => this.drain(graph))
        .catch((err) => {
          if (!isTransient(err)) this.deps.logger.error({ graph, err: (err as Error).message }, "outbox retry failed");
        });
    }, delay);
    timer.unref?.();
    this.timers.set(graph, timer);
  }

  /** Graphs with a retry waiting. */
  get scheduled(): string[] {
    return [...this.timers.keys()];
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

export const RETRY_PREFIX = "retrying: ";

function serviceOf(stored: OutboxAction): string | null {
  const action = stored as StoredAction;
  if (isConvergeKind(action.kind)) return convergeService(action);
  switch (action.kind) {
    case "remove-workload":
      return action.service.id;
    case "remove-placement":
    case "remove-export":
      return action.service;
    default:
      return null;
  }
}
