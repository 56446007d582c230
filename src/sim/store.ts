// The simulator's etcd: every object of every type, one global resourceVersion counter, and a bounded history
// of changes from which watches resume. Stored objects are never mutated in place (each write stores a new
// object), so readers may keep references without copying.
import { expired, tooLargeResourceVersion } from "./api-error.js";
import { typeKey, type ResourceType } from "./resources.js";

// Objects are plain JSON; `any` keeps the many nested reads of the reconciler readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KObject = Record<string, any>;

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  object: KObject;
  /** The object before a MODIFIED or DELETED, so that selector-filtered watches can emit ADDED/DELETED. */
  previous?: KObject;
  rv: number;
  /** Who wrote it; the federation ignores its own writes. */
  origin: string;
}

export type StoreListener = (ev: StoreEvent) => void;

export interface StoreOptions {
  /** Number of past events kept for watch resumption (older resourceVersions answer 410 Expired). */
  historySize?: number;
}

function objKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ObjectStore {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KObject>>();
  /** Per type, the keys of each namespace's objects: a namespaced list costs that namespace, not the type. */
  private readonly namespaces = new Map<string, Map<string, Set<string>>>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0; // index of the oldest event in the ring
  private readonly historySize: number;
  private readonly listeners = new Set<StoreListener>();

  constructor(options: StoreOptions = {}) {
    this.historySize = Math.max(1, options.historySize ?? 20_000);
  }

  currentRv(): number {
    return this.rv;
  }

  private table(t: ResourceType): Map<string, KObject> {
    const k = typeKey(t);
    let m = this.objects.get(k);
    if (!m) this.objects.set(k, (m = new Map()));
    return m;
  }

  get(t: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    return this.table(t).get(objKey(t.namespaced ? namespace : undefined, name));
  }

  private namespaceKeys(t: ResourceType, namespace: string): Set<string> | undefined {
    return this.namespaces.get(typeKey(t))?.get(namespace);
  }

  private index(t: ResourceType, namespace: string | undefined, key: string, present: boolean): void {
    if (!namespace) return;
    const k = typeKey(t);
    let byNamespace = this.namespaces.get(k);
    if (!byNamespace) this.namespaces.set(k, (byNamespace = new Map()));
    let keys = byNamespace.get(namespace);
    if (present) {
      if (!keys) byNamespace.set(namespace, (keys = new Set()));
      keys.add(key);
    } else if (keys) {
      keys.delete(key);
      if (keys.size === 0) byNamespace.delete(namespace);
    }
  }

  /** Objects of a type, in one namespace or all, sorted by namespace then name like etcd keys. */
  list(t: ResourceType, namespace?: string): KObject[] {
    const out: KObject[] = [];
    const table = this.table(t);
    if (namespace) {
      for (const key of this.namespaceKeys(t, namespace) ?? []) out.push(table.get(key)!);
    } else {
      for (const o of table.values()) out.push(o);
    }
    return out.sort((a, b) => {
      const na = objKey(a.metadata.namespace, a.metadata.name);
      const nb = objKey(b.metadata.namespace, b.metadata.name);
      return na < nb ? -1 : na > nb ? 1 : 0;
    });
  }

  count(t: ResourceType): number {
    return this.table(t).size;
  }

  /** Stores a new object (the caller has checked it does not exist) and stamps its resourceVersion. */
  insert(t: ResourceType, obj: KObject, origin = "api"): KObject {
    const stored = this.stamp(obj);
    const key = objKey(stored.metadata.namespace, stored.metadata.name);
    this.table(t).set(key, stored);
    this.index(t, stored.metadata.namespace, key, true);
    this.emit({ type: "ADDED", resource: t, object: stored, rv: this.rv, origin });
    return stored;
  }

  /** Replaces an existing object with a new version. */
  replace(t: ResourceType, obj: KObject, origin = "api"): KObject {
    const key = objKey(obj.metadata.namespace, obj.metadata.name);
    const previous = this.table(t).get(key);
    const stored = this.stamp(obj);
    this.table(t).set(key, stored);
    this.emit({ type: "MODIFIED", resource: t, object: stored, previous, rv: this.rv, origin });
    return stored;
  }

  remove(t: ResourceType, namespace: string | undefined, name: string, origin = "api"): KObject | undefined {
    const key = objKey(t.namespaced ? namespace : undefined, name);
    const previous = this.table(t).get(key);
    if (!previous) return undefined;
    this.table(t).delete(key);
    this.index(t, previous.metadata.namespace, key, false);
    this.rv++;
    // A deleted object's final state carries the resourceVersion of its deletion, as in etcd watch.
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(this.rv) } };
    this.emit({ type: "DELETED", resource: t, object, previous, rv: this.rv, origin });
    return object;
  }

  private stamp(obj: KObject): KObject {
    this.rv++;
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } };
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(ev: StoreEvent): void {
    if (this.history.length < this.historySize) this.history.push(ev);
    else {
      this.history[this.historyStart] = ev;
      this.historyStart = (this.historyStart + 1) % this.historySize;
    }
    for (const l of [...this.listeners]) {
      // One failing watcher must not fail the write that produced the event, nor starve the others.
      try {
        l(ev);
      } catch {
        /* the listener's own problem (e.g. a client that went away) */
      }
    }
  }

  /**
   * Events after `rv`, oldest first. Throws 410 Expired when events after `rv` have already been dropped
   * from the history, which is what a client resuming from a too-old resourceVersion gets from Kubernetes, and
   * 504 "Too large resource version" for a version newer than the newest.
   */
  eventsSince(rv: number): StoreEvent[] {
    // A client resuming from a version this server never issued (it restarted) must re-list, not wait forever.
    if (rv > this.rv) throw tooLargeResourceVersion(rv, this.rv);
    if (rv === this.rv) return [];
    const n = this.history.length;
    const oldest = n === 0 ? this.rv + 1 : this.history[this.historyStart]!.rv;
    if (rv < oldest - 1) throw expired(`too old resource version: ${rv} (${oldest - 1})`);
    const out: StoreEvent[] = [];
    for (let i = 0; i < n; i++) {
      const ev = this.history[(this.historyStart + i) % n]!;
      if (ev.rv > rv) out.push(ev);
    }
    return out;
  }
}
