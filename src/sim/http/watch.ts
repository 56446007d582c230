// `?watch=1`: a chunked stream of JSON lines {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":…}.
// Without a resourceVersion (or with "0") the stream starts with an ADDED event per existing object; with one it
// replays the kept history after it, or sends a single ERROR event holding a 410 Expired Status when that
// history is gone (what a real API server's watch cache does). Selector-filtered watches turn objects
// entering or leaving the selection into ADDED / DELETED, as Kubernetes does.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest } from "../api-error.js";
import type { ResourceType } from "../resources.js";
import { fieldMatcher, labelMatcher } from "../selectors.js";
import type { KObject, ObjectStore, StoreEvent } from "../store.js";

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  resourceVersion?: string | null;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
  /** Turns each object into what the client asked for (e.g. a one-row Table). */
  render?: (obj: KObject) => unknown;
}

export interface WatchHandle {
  close(): void;
}

export function serveWatch(req: IncomingMessage, res: ServerResponse, store: ObjectStore, w: WatchRequest, onClose: () => void): WatchHandle {
  const byLabel = labelMatcher(w.labelSelector);
  const byField = fieldMatcher(w.fieldSelector);
  const matches = (o: KObject | undefined): boolean =>
    !!o &&
    (!w.namespace || o.metadata.namespace === w.namespace) &&
    byLabel(o.metadata.labels ?? {}) &&
    byField({ name: o.metadata.name, namespace: o.metadata.namespace ?? "" });

  let startRv: number | undefined;
  if (w.resourceVersion !== undefined && w.resourceVersion !== null && w.resourceVersion !== "" && w.resourceVersion !== "0") {
    if (!/^\d+$/.test(w.resourceVersion)) throw badRequest(`resourceVersion: Invalid value: "${w.resourceVersion}": must be a non-negative integer`);
    startRv = Number(w.resourceVersion);
  }

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  const render = w.render ?? ((o: KObject) => o);
  const send = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: () => void = () => {};
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    res.end();
    onClose();
  };

  const deliver = (ev: StoreEvent) => {
    if (ev.resource !== w.type || closed) return;
    const now = ev.type !== "DELETED" && matches(ev.object);
    const before = ev.type !== "ADDED" && matches(ev.previous);
    if (ev.type === "ADDED" && now) send("ADDED", render(ev.object));
    else if (ev.type === "MODIFIED" && now) send(before ? "MODIFIED" : "ADDED", render(ev.object));
    else if (ev.type === "MODIFIED" && before) send("DELETED", render(ev.object));
    else if (ev.type === "DELETED" && before) send("DELETED", render(ev.object));
  };

  // Everything below runs in one tick, so no event can fall between the replay and the subscription.
  let replay: StoreEvent[] = [];
  if (startRv !== undefined) {
    try {
      replay = store.eventsSince(startRv);
    } catch (err) {
      if (err instanceof ApiError) {
        send("ERROR", err.toStatus());
        close();
        return { close };
      }
      throw err;
    }
  } else {
    for (const o of store.list(w.type, w.type.namespaced ? w.namespace : undefined)) if (matches(o)) send("ADDED", render(o));
    if (w.sendInitialEvents) {
      send("BOOKMARK", {
        kind: w.type.kind,
        apiVersion: w.type.group ? `${w.type.group}/${w.type.version}` : w.type.version,
        metadata: { resourceVersion: String(store.currentRv()), annotations: { "k8s.io/initial-events-end": "true" } },
      });
    }
  }
  for (const ev of replay) deliver(ev);
  unsubscribe = store.subscribe(deliver);

  if (w.timeoutSeconds && w.timeoutSeconds > 0) timer = setTimeout(close, w.timeoutSeconds * 1000);
  req.on("close", close);
  res.on("close", close);
  return { close };
}
