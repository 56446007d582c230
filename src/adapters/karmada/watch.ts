// List-then-watch that survives disconnects. A watch the server ends normally (its timeoutSeconds) resumes
// from the last resourceVersion seen; a 410 Gone (version too old), a failed connection or a watch request
// the server does not answer within the call timeout (a hung API server) re-lists after jittered backoff,
// like client-go's reflector, so a restarted or restored API server cannot leave stale objects behind.
// The caller gets the whole current object set with the changes since its previous call back (a re-list
// reports only what differs).
import type { Subscription } from "../../core/ports/karmada.js";
import { backoffDelay } from "./retry.js";
import type { KubeAccess } from "./kube.js";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface Change {
  type: ChangeType;
  key: string;
  object: unknown;
}

export interface WatchSpec {
  what: string;
  /** API path of the collection, e.g. /apis/apps/v1/namespaces/x/deployments. */
  path: string;
  list(): Promise<{ items: unknown[]; resourceVersion: string }>;
  onChange(objects: ReadonlyMap<string, unknown>, changes: Change[]): void;
}

interface Meta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

function keyOf(object: unknown): string {
  const meta = (object as Meta).metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name}` : (meta.name ?? "");
}

function versionOf(object: unknown): string | undefined {
  return (object as Meta).metadata?.resourceVersion;
}

/** Server-side watch lifetime; randomised so many watches do not reconnect together. */
function watchSeconds(): number {
  return 240 + Math.floor(Math.random() * 120);
}

export function resumableWatch(access: KubeAccess, spec: WatchSpec): Subscription {
  const { logger, timeoutMs, retry } = access.policy;
  let objects = new Map<string, unknown>();
  let resourceVersion = "";
  let stopped = false;
  let failures = 0;
  let generation = 0;
  let first = true;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;

  function schedule(step: () => void, delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(step, delayMs);
  }

  function retryLater(step: () => void, reason: string): void {
    const delay = Math.max(retry.baseMs, backoffDelay(retry, Math.min(failures, 16)));
    failures++;
    logger.warn({ watch: spec.what, failures, delayMs: delay, reason }, "karmada watch interrupted; reconnecting");
    schedule(step, delay);
  }

  function dropConnection(): void {
    generation++;
    controller?.abort();
    controller = undefined;
  }

  async function relist(): Promise<void> {
    dropConnection();
    if (stopped) return;
    let listed: { items: unknown[]; resourceVersion: string };
    try {
      listed = await spec.list();
    } catch (err) {
      retryLater(() => void relist(), (err as Error).message);
      return;
    }
    if (stopped) return;
    const next = new Map(listed.items.map((item) => [keyOf(item), item] as const));
    const changes: Change[] = [];
    for (const [key, object] of next) {
      const previous = objects.get(key);
      if (!previous) changes.push({ type: "ADDED", key, object });
      else if (versionOf(previous) !== versionOf(object)) changes.push({ type: "MODIFIED", key, object });
    }
    for (const [key, object] of objects) if (!next.has(key)) changes.push({ type: "DELETED", key, object });
    objects = next;
    resourceVersion = listed.resourceVersion;
    if (first || changes.length > 0) spec.onChange(objects, changes);
    first = false;
    void connect();
  }

  function onEvent(mine: number, type: string, object: unknown): void {
    if (mine !== generation || stopped) return;
    if (type === "ERROR") {
      const code = (object as { code?: number }).code;
      if (code === 410) {
        logger.info({ watch: spec.what }, "karmada watch expired (410 Gone); re-listing");
        void relist();
      } else {
        dropConnection();
        retryLater(() => void relist(), `watch error event ${code ?? ""}`);
      }
      return;
    }
    const version = versionOf(object);
    if (version) resourceVersion = version;
    if (type === "BOOKMARK") return;
    if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") return;
    failures = 0;
    const key = keyOf(object);
    if (type === "DELETED") objects.delete(key);
    else objects.set(key, object);
    spec.onChange(objects, [{ type, key, object }]);
  }

  function onDone(mine: number, startedAt: number, err: unknown): void {
    if (mine !== generation || stopped) return;
    controller = undefined;
    const status = (err as { statusCode?: number } | null)?.statusCode;
    if (status === 410) {
      void relist();
      return;
    }
    if (err) {
      retryLater(() => void relist(), (err as Error).message ?? String(err));
    } else if (Date.now() - startedAt > 1_000) {
      // The server's timeoutSeconds: resume at once.
      schedule(() => void connect(), 0);
    } else {
      // Closed right after connecting: back off so a misbehaving server is not hammered.
      retryLater(() => void connect(), "closed right after connecting");
    }
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    dropConnection();
    const mine = generation;
    const startedAt = Date.now();
    const seconds = watchSeconds();
    // Nothing aborts a watch request whose response never starts: give up on it after the call timeout,
    // and after its announced lifetime in case the server ignores timeoutSeconds.
    const hung = setTimeout(() => {
      if (mine !== generation || stopped) return;
      dropConnection();
      retryLater(() => void relist(), "no answer to the watch request");
    }, timeoutMs);
    hung.unref();
    const lifetime = setTimeout(() => {
      if (mine === generation && !stopped) void connect();
    }, seconds * 1000 + timeoutMs);
    lifetime.unref();
    const query = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: seconds };
    let started: AbortController;
    try {
      started = await access.watch.watch(
        spec.path,
        query,
        (type, object) => onEvent(mine, type, object),
        (err) => {
          clearTimeout(hung);
          clearTimeout(lifetime);
          onDone(mine, startedAt, err);
        },
      );
    } catch (err) {
      clearTimeout(hung);
      clearTimeout(lifetime);
      if (mine === generation) retryLater(() => void relist(), (err as Error).message);
      return;
    }
    clearTimeout(hung);
    if (mine !== generation || stopped) started.abort();
    else controller = started;
  }

  void relist();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      dropConnection();
    },
  };
}
