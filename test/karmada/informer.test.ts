// The shared informer against a scripted API server, so each step of list-then-watch can be observed: a watch
// that ends or whose connection drops resumes from the last resourceVersion without listing again; only a 410
// (ERROR event or HTTP status) or a 504 "too large resource version" makes it list again; handlers see every
// change once; the periodic resync hands consumers the whole store.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SharedInformer } from "../../src/adapters/karmada/informer.js";
import { createKubeAccess, type KubeAccess } from "../../src/adapters/karmada/kube.js";
import { silentLogger } from "./fixtures.js";
import { eventually } from "./federation.js";

interface Obj {
  metadata: { name: string; namespace: string; resourceVersion: string };
  spec?: { n: number };
}

const obj = (name: string, rv: number, n = 0): Obj => ({ metadata: { name, namespace: "ns", resourceVersion: String(rv) }, spec: { n } });

/** An API server whose list answer and watch behaviour the test scripts, recording every request. */
class ScriptedApi {
  readonly requests: { watch: boolean; resourceVersion: string | null }[] = [];
  items: Obj[] = [obj("a", 1), obj("b", 2)];
  listVersion = "2";
  /** Open watch responses; the test writes events to them or ends them. */
  readonly watches: ServerResponse[] = [];
  /** Status the next watch request gets instead of a stream (then cleared). */
  refuseNextWatch: number | undefined;
  /** Status every watch request gets while set (the server away for as long as a test needs). */
  refuseWatches: number | undefined;
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://x");
    const watch = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
    this.requests.push({ watch, resourceVersion: url.searchParams.get("resourceVersion") });
    if (!watch) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "List", metadata: { resourceVersion: this.listVersion }, items: this.items }));
      return;
    }
    if (this.refuseNextWatch || this.refuseWatches) {
      const code = (this.refuseNextWatch ?? this.refuseWatches)!;
      this.refuseNextWatch = undefined;
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", code }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.flushHeaders();
    this.watches.push(res);
  }

  send(type: string, object: unknown): void {
    const res = this.watches.at(-1)!;
    res.write(JSON.stringify({ type, object }) + "\n");
  }

  /** Ends the open watch as a server whose timeoutSeconds ran out does. */
  endWatch(): void {
    this.watches.at(-1)!.end();
  }

  /** Drops the open watch's connection mid-stream. */
  dropWatch(): void {
    this.watches.at(-1)!.socket?.destroy();
  }

  get lists(): number {
    return this.requests.filter((r) => !r.watch).length;
  }

  watchVersions(): (string | null)[] {
    return this.requests.filter((r) => r.watch).map((r) => r.resourceVersion);
  }

  async stop(): Promise<void> {
    for (const w of this.watches) w.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function kubeconfig(url: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{name: c, cluster: {server: '" + url + "', insecure-skip-tls-verify: true}}]",
    "users: [{name: u, user: {}}]",
    "contexts: [{name: x, context: {cluster: c, user: u}}]",
    "current-context: x",
  ].join("\n");
}

describe("SharedInformer", () => {
  let api: ScriptedApi;
  let access: KubeAccess;
  let informer: SharedInformer<Obj>;
  const seen: string[] = [];

  function make(resyncMs = 0): SharedInformer<Obj> {
    informer = new SharedInformer<Obj>(
      access,
      {
        what: "things",
        path: "/apis/x/v1/things",
        list: async () => {
          const res = (await (await fetch(access.config.getCurrentCluster()!.server + "/apis/x/v1/things")).json()) as {
            items: Obj[];
            metadata: { resourceVersion: string };
          };
          return { items: res.items, resourceVersion: res.metadata.resourceVersion };
        },
      },
      { resyncMs },
    );
    informer.addHandlers({
      onList: (all) => seen.push(`list:${all.map((o) => o.metadata.name).join(",")}`),
      onAdd: (o) => seen.push(`add:${o.metadata.name}`),
      onUpdate: (old, o) => seen.push(`update:${o.metadata.name}:${old.spec?.n}->${o.spec?.n}`),
      onDelete: (o) => seen.push(`delete:${o.metadata.name}`),
      onResync: (all) => seen.push(`resync:${all.length}`),
    });
    return informer;
  }

  beforeEach(async () => {
    seen.length = 0;
    api = new ScriptedApi();
    const url = await api.start();
    access = createKubeAccess(kubeconfig(url), { logger: silentLogger, timeoutMs: 2_000, retry: { attempts: 2, baseMs: 10, maxMs: 40 } });
  });

  afterEach(async () => {
    informer?.stop();
    await api.stop();
  });

  it("lists once, then watches from the list's resourceVersion and keeps its store by namespace/name", async () => {
    make();
    expect(await informer.waitForSync(2_000)).toBe(true);
    await eventually(() => api.watches.length, (n) => n === 1);
    expect(api.watchVersions()).toEqual(["2"]);
    expect(seen).toEqual(["list:a,b"]);
    expect(informer.state).toMatchObject({ synced: true, live: true });

    api.send("ADDED", obj("c", 3));
    api.send("MODIFIED", obj("a", 4, 7));
    api.send("DELETED", obj("b", 5));
    await eventually(() => seen.length, (n) => n === 4);
    expect(seen.slice(1)).toEqual(["add:c", "update:a:0->7", "delete:b"]);
    expect(informer.get("ns", "a")?.spec?.n).toBe(7);
    expect(informer.get("ns", "b")).toBeUndefined();
    expect(informer.list().map((o) => o.metadata.name).sort()).toEqual(["a", "c"]);
  });

  it("resumes from the last resourceVersion after a normal end and after a dropped connection, without listing again", async () => {
    make();
    await informer.waitForSync(2_000);
    await eventually(() => api.watches.length, (n) => n === 1);
    api.send("MODIFIED", obj("a", 10, 1));
    await eventually(() => seen.length, (n) => n === 2);
    // A BOOKMARK moves the resourceVersion without a change to report.
    api.send("BOOKMARK", { metadata: { resourceVersion: "12" } });
    await new Promise((r) => setTimeout(r, 50));
    api.endWatch();
    await eventually(() => api.watches.length, (n) => n === 2, 5_000);
    api.send("ADDED", obj("d", 13));
    await eventually(() => seen.length, (n) => n === 3);
    api.dropWatch();
    await eventually(() => api.watches.length, (n) => n === 3, 5_000);
    expect(api.lists).toBe(1);
    expect(api.watchVersions()).toEqual(["2", "12", "13"]);
    expect(seen).toEqual(["list:a,b", "update:a:0->1", "add:d"]);
    await eventually(() => informer.state.live, (live) => live);
  });

  it("lists again on an ERROR event 410 and reports only the differences", async () => {
    make();
    await informer.waitForSync(2_000);
    await eventually(() => api.watches.length, (n) => n === 1);
    api.items = [obj("a", 20, 5), obj("c", 21)];
    api.listVersion = "21";
    api.send("ERROR", { kind: "Status", code: 410, reason: "Expired", message: "too old resource version: 2 (20)" });
    await eventually(() => api.watches.length, (n) => n === 2, 5_000);
    expect(api.lists).toBe(2);
    expect(api.watchVersions()).toEqual(["2", "21"]);
    expect(seen.slice(1).sort()).toEqual(["add:c", "delete:b", "update:a:0->5"]);
  });

  it("lists again when the watch request itself is refused with 410 or 504 (too large resource version)", async () => {
    make();
    await informer.waitForSync(2_000);
    await eventually(() => api.watches.length, (n) => n === 1);
    api.refuseNextWatch = 504;
    api.listVersion = "30";
    api.endWatch();
    await eventually(() => api.watches.length, (n) => n === 2, 5_000);
    expect(api.lists).toBe(2);
    expect(api.watchVersions()).toEqual(["2", "2", "30"]);
    api.refuseNextWatch = 410;
    api.listVersion = "31";
    api.endWatch();
    await eventually(() => api.watches.length, (n) => n === 3, 5_000);
    expect(api.lists).toBe(3);
    expect(api.watchVersions().at(-1)).toBe("31");
  });

  it("is not live while the watch is down, says since when, and resyncs its consumers periodically", async () => {
    make(100);
    await informer.waitForSync(2_000);
    await eventually(() => seen.filter((s) => s.startsWith("resync:")).length, (n) => n >= 2);
    expect(seen.filter((s) => s.startsWith("resync:"))[0]).toBe("resync:2");
    // The server refuses watches until told otherwise: the not-live window lasts as long as the test looks at it
    // (a single refusal made a window of one backoff, which a poll on a loaded machine could miss).
    api.refuseWatches = 500;
    api.dropWatch();
    await eventually(() => informer.state.live, (live) => !live);
    expect(informer.state.synced).toBe(true);
    expect(informer.state.observedAt).toBeInstanceOf(Date);
    // The store keeps the last observed objects while the server is away.
    expect(informer.get("ns", "a")).toBeDefined();
    api.refuseWatches = undefined;
    await eventually(() => informer.state.live, (live) => live, 5_000);
    expect(api.lists).toBe(1);
  });
});
