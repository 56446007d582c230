// A shared informer, after client-go's: one list, then one watch from the list's resourceVersion, an in-memory
// store by namespace/name, and handlers fanned out to every consumer of the resource. The watch resumes from the
// last resourceVersion it saw when it ends or its connection fails, so no event is lost and no list is repeated;
// only the server saying the version is gone (410 Gone, or 504 "too large resource version" after a restore)
// makes it list again. A periodic resync hands every consumer the whole store so level-triggered consumers
// (reconcile, repair) re-check objects that did not change. Design: docs/karmada.md#informers.
import type { CacheState, Subscription } from "../../core/ports/karmada.js";
import type { KubeAccess } from "./kube.js";
import { backoffDelay } from "./retry.js";

export interface ObjectMeta {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
  };
}

export interface InformerSpec<T> {
  /** For logs: "deployments", "clusters". */
  what: string;
  /** API path of the collection across namespaces, e.g. /apis/apps/v1/deployments. */
  path: string;
  labelSelector?: string;
  list(): Promise<{ items: T[]; resourceVersion: string }>;
}

export interface InformerHandlers<T> {
  onAdd?(object: T): void;
  onUpdate?(previous: T, object: T): void;
  onDelete?(object: T): void;
  /** Every `resyncMs`, with the whole store (level-triggered consumers re-check everything). */
  onResync?(objects: readonly T[]): void;
  /** The store was replaced by a list (start, or after 410): the whole current set. */
  onList?(objects: readonly T[]): void;
  /** Live/synced changed (Karmada went away or came back). */
  onState?(state: CacheState): void;
}

export interface InformerOptions {
  /** Periodic resync of the handlers (0 = never). */
  resyncMs: number;
}

export function objectKey(object: unknown): string {
  const meta = (object as ObjectMeta).metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name}` : (meta.name ?? "");
}

function versionOf(object: unknown): string | undefined {
  return (object as ObjectMeta).metadata?.resourceVersion;
}

/** Server-side watch lifetime, randomised so that many watches do not reconnect together (as client-go). */
function watchSeconds(): number {
  return 240 + Math.floor(Math.random() * 120);
}

/**
 * ERROR events and HTTP statuses after which the resourceVersion cannot be resumed from: 410 Gone (compacted) and
 * 504 (the watch cache's "Too large resource version", e.g. after the server's state was restored).
 */
function mustRelist(code: number | undefined, message = ""): boolean {
  return code === 410 || code === 504 || /too (old|large) resource version/i.test(message);
}

export class SharedInformer<T> {
  private readonly objects = new Map<string, T>();
  private readonly handlers = new Set<InformerHandlers<T>>();
  private resourceVersion = "";
  private started = false;
  private stopped = false;
  private failures = 0;
  private generation = 0;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private current: CacheState = { synced: false, live: false };
  private readonly syncWaiters: Array<() => void> = [];

  constructor(
    private readonly access: KubeAccess,
    private readonly spec: InformerSpec<T>,
    private readonly options: InformerOptions,
  ) {}

  get state(): CacheState {
    return { ...this.current };
  }

  /** Adds a consumer. Once synced, the consumer first gets the current store as one onList call. */
  addHandlers(handlers: InformerHandlers<T>): Subscription {
    this.handlers.add(handlers);
    if (this.current.synced) handlers.onList?.(this.list());
    this.start();
    return { stop: () => void this.handlers.delete(handlers) };
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.options.resyncMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.options.resyncMs);
      this.resyncTimer.unref();
    }
    void this.relist();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.resyncTimer);
    this.dropConnection();
    for (const wake of this.syncWaiters.splice(0)) wake();
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  /** Resolves true once the first list landed, false after `timeoutMs`. */
  waitForSync(timeoutMs: number): Promise<boolean> {
    this.start();
    if (this.current.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.current.synced);
      });
    });
  }

  /** Hands every consumer the whole store now (also run every resyncMs). */
  resync(): void {
    if (!this.current.synced) return;
    const all = this.list();
    this.emit((h) => h.onResync?.(all));
  }

  private emit(call: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) {
      try {
        call(h);
      } catch (err) {
        this.access.policy.logger.error({ informer: this.spec.what, err: (err as Error).message }, "informer handler failed");
      }
    }
  }

  private setState(next: Partial<CacheState>): void {
    const merged: CacheState = { ...this.current, ...next };
    if (merged.live && !merged.observedAt) merged.observedAt = new Date();
    if (!merged.live && this.current.live) merged.observedAt = new Date();
    const changed = merged.live !== this.current.live || merged.synced !== this.current.synced;
    this.current = merged;
    if (changed) this.emit((h) => h.onState?.(this.state));
  }

  private schedule(step: () => void, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(step, delayMs);
  }

  private retryLater(step: () => void, reason: string): void {
    const { retry, logger } = this.access.policy;
    const delay = Math.max(retry.baseMs, backoffDelay(retry, Math.min(this.failures, 16)));
    this.failures++;
    this.setState({ live: false });
    logger.warn({ informer: this.spec.what, failures: this.failures, delayMs: delay, reason }, "karmada watch interrupted; reconnecting");
    this.schedule(step, delay);
  }

  private dropConnection(): void {
    this.generation++;
    this.controller?.abort();
    this.controller = undefined;
  }

  private async relist(): Promise<void> {
    this.dropConnection();
    if (this.stopped) return;
    let listed: { items: T[]; resourceVersion: string };
    try {
      listed = await this.spec.list();
    } catch (err) {
      this.retryLater(() => void this.relist(), (err as Error).message);
      return;
    }
    if (this.stopped) return;
    const next = new Map(listed.items.map((item) => [objectKey(item), item] as const));
    const previous = new Map(this.objects);
    this.objects.clear();
    for (const [key, object] of next) this.objects.set(key, object);
    this.resourceVersion = listed.resourceVersion;
    const wasSynced = this.current.synced;
    this.setState({ synced: true, live: true, observedAt: new Date() });
    for (const wake of this.syncWaiters.splice(0)) wake();
    if (wasSynced) {
      // After a re-list only the differences are news to the consumers.
      for (const [key, object] of next) {
        const old = previous.get(key);
        if (!old) this.emit((h) => h.onAdd?.(object));
        else if (versionOf(old) !== versionOf(object)) this.emit((h) => h.onUpdate?.(old, object));
      }
      for (const [key, object] of previous) if (!next.has(key)) this.emit((h) => h.onDelete?.(object));
    } else {
      const all = this.list();
      this.emit((h) => h.onList?.(all));
    }
    void this.connect();
  }

  private onEvent(mine: number, type: string, object: unknown): void {
    if (mine !== this.generation || this.stopped) return;
    if (type === "ERROR") {
      const status = object as { code?: number; message?: string };
      if (mustRelist(status.code, status.message)) {
        this.access.policy.logger.info({ informer: this.spec.what, code: status.code }, "karmada watch cannot resume; re-listing");
        this.dropConnection();
        this.schedule(() => void this.relist(), 0);
      } else {
        this.dropConnection();
        this.retryLater(() => void this.connect(), `watch error event ${status.code ?? ""} ${status.message ?? ""}`);
      }
      return;
    }
    const version = versionOf(object);
    if (version) this.resourceVersion = version;
    this.failures = 0;
    this.current.observedAt = new Date();
    if (type === "BOOKMARK") return;
    const key = objectKey(object);
    const typed = object as T;
    if (type === "DELETED") {
      const old = this.objects.get(key);
      this.objects.delete(key);
      this.emit((h) => h.onDelete?.(old ?? typed));
    } else if (type === "ADDED" || type === "MODIFIED") {
      const old = this.objects.get(key);
      this.objects.set(key, typed);
      if (old) this.emit((h) => h.onUpdate?.(old, typed));
      else this.emit((h) => h.onAdd?.(typed));
    }
  }

  private onDone(mine: number, startedAt: number, err: unknown): void {
    if (mine !== this.generation || this.stopped) return;
    this.controller = undefined;
    const e = err as { statusCode?: number; code?: number; message?: string } | null;
    const status = e?.statusCode ?? e?.code;
    if (mustRelist(typeof status === "number" ? status : undefined, e?.message)) {
      this.schedule(() => void this.relist(), 0);
    } else if (err) {
      this.retryLater(() => void this.connect(), e?.message ?? String(err));
    } else if (Date.now() - startedAt > 1_000) {
      // The server's timeoutSeconds ran out: resume from the last version at once.
      this.schedule(() => void this.connect(), 0);
    } else {
      // Closed right after connecting: back off so a misbehaving server is not hammered.
      this.retryLater(() => void this.connect(), "closed right after connecting");
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.dropConnection();
    const mine = this.generation;
    const startedAt = Date.now();
    const seconds = watchSeconds();
    const { timeoutMs } = this.access.policy;
    // Nothing aborts a watch request whose response never starts: give up on it after the call timeout, and
    // after its announced lifetime in case the server ignores timeoutSeconds.
    const hung = setTimeout(() => {
      if (mine !== this.generation || this.stopped) return;
      this.dropConnection();
      this.retryLater(() => void this.connect(), "no answer to the watch request");
    }, timeoutMs);
    hung.unref();
    const lifetime = setTimeout(() => {
      if (mine === this.generation && !this.stopped) void this.connect();
    }, seconds * 1000 + timeoutMs);
    lifetime.unref();
    const query: Record<string, string | number | boolean | undefined> = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: seconds };
    if (this.spec.labelSelector) query.labelSelector = this.spec.labelSelector;
    let started: AbortController;
    // client-node calls `done` before its promise resolves when the server refuses the watch (non-200).
    let ended = false;
    try {
      started = await this.access.watch.watch(
        this.spec.path,
        query,
        (type, object) => this.onEvent(mine, type, object),
        (err) => {
          ended = true;
          clearTimeout(hung);
          clearTimeout(lifetime);
          this.onDone(mine, startedAt, err);
        },
      );
    } catch (err) {
      clearTimeout(hung);
      clearTimeout(lifetime);
      if (mine !== this.generation) return;
      const e = err as { statusCode?: number; code?: number; message?: string };
      const status = e.statusCode ?? e.code;
      if (mustRelist(typeof status === "number" ? status : undefined, e.message)) this.schedule(() => void this.relist(), 0);
      else this.retryLater(() => void this.connect(), e.message ?? String(err));
      return;
    }
    if (ended) return;
    clearTimeout(hung);
    if (mine !== this.generation || this.stopped) {
      started.abort();
      return;
    }
    this.controller = started;
    this.setState({ live: true, observedAt: new Date() });
  }
}
