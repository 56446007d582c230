// The read path answers from memory: GetGraph/ListGraphs (lifecycle.get/list) and ListClusters/GetCluster
// (inventory) make no SQL statement and no Karmada request once loaded; deploy and replace read the members from
// the cluster informer instead of listing them; a write is visible in the next read; Karmada away leaves reads
// answering at once with counts marked not live and the time they were last observed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphLifecycle } from "../../src/core/graphs/index.js";
import type { Store } from "../../src/core/ports/store.js";
import type { SimLogger } from "../../src/sim/index.js";
import { chain, descriptor } from "./descriptors.js";
import { eventually, startHarness, type Harness } from "./harness.js";
import { EVENT_TAIL } from "../../src/core/graphs/read-model.js";

interface SimRequest {
  method: string;
  path: string;
}

/** A simulator logger that keeps the request lines the simulator logs at debug level. */
function requestRecorder(): { logger: SimLogger; requests: SimRequest[] } {
  const requests: SimRequest[] = [];
  return {
    requests,
    logger: {
      info() {},
      error() {},
      debug(obj: object, msg?: string) {
        if (msg === "sim request") requests.push(obj as SimRequest);
      },
    },
  };
}

/** The store with every repository call and transaction counted (each is at least one SQL statement). */
function countingStore(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const wrap = <T extends object>(target: T, prefix: string): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value = Reflect.get(t, key, receiver) as unknown;
        if (typeof value === "function") {
          return (...args: unknown[]) => {
            calls.push(`${prefix}.${String(key)}`);
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        if (value && typeof value === "object" && key !== "changes") return wrap(value as object, `${prefix}.${String(key)}`);
        return value;
      },
    });
  return { store: wrap(store, "store"), calls };
}

/** Waits until nothing was counted for `quietMs` (background refreshes after the last commit have landed). */
async function quiescent(counts: () => number, quietMs = 300): Promise<void> {
  let last = -1;
  await eventually(
    async () => {
      const now = counts();
      const stable = now === last;
      last = now;
      await new Promise((r) => setTimeout(r, quietMs));
      return stable && counts() === now;
    },
    (ok) => ok,
    15_000,
  );
}

const isClusterList = (r: SimRequest) => r.method === "GET" && r.path.startsWith("/apis/cluster.karmada.io/v1alpha1/clusters") && !/[?&]watch=(true|1)/.test(r.path);

describe("read path from memory", () => {
  let h: Harness;
  let lifecycle: GraphLifecycle;
  let calls: string[];
  let requests: SimRequest[];

  beforeAll(async () => {
    const recorder = requestRecorder();
    requests = recorder.requests;
    h = await startHarness({ sim: { logger: recorder.logger } });
    const counted = countingStore(h.store);
    calls = counted.calls;
    lifecycle = h.newLifecycle({ store: counted.store });
    await lifecycle.loadReadModel(5_000);
    await lifecycle.deploy({ project: "p-read", descriptor: descriptor(chain("g-read")) });
    await eventually(
      () => lifecycle.get("g-read"),
      (g) => g.services.every((s) => s.readyReplicas === 1),
    );
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it("GetGraph, ListGraphs, ListClusters and GetCluster make no SQL statement and no Karmada request", async () => {
    await lifecycle.inventory.list();
    await quiescent(() => calls.length + requests.length);
    calls.length = 0;
    requests.length = 0;
    for (let i = 0; i < 50; i++) {
      const graph = await lifecycle.get("g-read");
      expect(graph.replicasLive).toBe(true);
      expect(graph.services.map((s) => s.readyReplicas)).toEqual([1, 1, 1]);
      expect((await lifecycle.list()).map((g) => g.name)).toEqual(["g-read"]);
      expect((await lifecycle.list("p-read")).length).toBe(1);
      expect((await lifecycle.inventory.list()).length).toBe(3);
      expect((await lifecycle.inventory.get("member1")).name).toBe("member1");
    }
    await expect(lifecycle.get("nope")).rejects.toThrow(/not found/);
    expect(calls).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("WatchGraph's first page comes from memory: no SQL statement before the events arrive, the same events as the store", async () => {
    const stored = await h.store.events.listAfter("g-read", 0);
    expect(stored.length).toBeGreaterThan(1);
    expect(stored.length).toBeLessThanOrEqual(EVENT_TAIL); // a young graph: the tail holds all of its events
    await quiescent(() => calls.length + requests.length);
    for (const after of [0, stored[0]!.id, stored.at(-2)!.id]) {
      calls.length = 0;
      const controller = new AbortController();
      const iterator = lifecycle.watch("g-read", after, controller.signal)[Symbol.asyncIterator]();
      const expected = stored.filter((e) => e.id > after);
      const page = [];
      for (let i = 0; i < expected.length; i++) page.push((await iterator.next()).value);
      // Every event of the first page was delivered before any statement (the stream reads the store after it).
      expect(calls).toEqual([]);
      expect(page).toEqual(expected);
      controller.abort();
      await iterator.return?.(undefined);
    }
  });

  it("WatchGraph reads the store for an id older than the kept tail, and sees the events of another process", async () => {
    const other = h.newLifecycle();
    // Stop/start cycles append events through another lifecycle (this read model learns of them by the change feed).
    for (let i = 0; i < EVENT_TAIL / 2 + 1; i++) {
      await other.stop("g-read");
      await other.start("g-read");
    }
    const stored = await h.store.events.listAfter("g-read", 0);
    expect(stored.length).toBeGreaterThan(EVENT_TAIL);
    const controller = new AbortController();
    const seen = [];
    for await (const e of lifecycle.watch("g-read", 0, controller.signal)) {
      seen.push(e);
      if (seen.length === stored.length) break;
    }
    controller.abort();
    expect(seen).toEqual(stored);
    await eventually(
      () => lifecycle.get("g-read"),
      (g) => g.status === "running",
    );
  });

  it("the answer carries the descriptor serialised once, and when the counts were observed", async () => {
    const graph = await lifecycle.get("g-read");
    expect(JSON.parse(graph.descriptorJson)).toEqual((await h.store.graphs.get("g-read"))!.descriptor);
    expect(graph.replicasObservedAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(graph.services.map((s) => s.name)).toEqual(["front", "middle", "back"]);
  });

  it("deploy and replace read the members from the cluster informer: no cluster LIST", async () => {
    requests.length = 0;
    await lifecycle.deploy({ project: "p-read2", descriptor: descriptor(chain("g-read2")) });
    await lifecycle.replace("g-read2", { strategy: "energy" });
    expect(requests.filter(isClusterList)).toEqual([]);
    // Writes went to Karmada, so the recorder does see requests: the filter above is not vacuous.
    expect(requests.some((r) => r.method === "POST" || r.method === "PATCH" || r.method === "PUT")).toBe(true);
  });

  it("a write is in the next read (refreshed after commit), and a removal too", async () => {
    const stopped = await lifecycle.stop("g-read2");
    expect(stopped.status).toBe("stopped");
    expect((await lifecycle.get("g-read2")).status).toBe("stopped");
    await lifecycle.remove("g-read2");
    await expect(lifecycle.get("g-read2")).rejects.toThrow(/not found/);
    expect((await lifecycle.list()).map((g) => g.name)).toEqual(["g-read"]);
  });

  it("another lifecycle's commit on the same store reaches this read model through the change feed", async () => {
    const other = h.newLifecycle();
    await other.deploy({ project: "p-read3", descriptor: descriptor(chain("g-read3")) });
    const seen = await eventually(
      () => lifecycle.list().then((all) => all.map((g) => g.name)),
      (names) => names.includes("g-read3"),
      5_000,
    );
    expect(seen).toContain("g-read3");
    await other.remove("g-read3");
    await eventually(
      () => lifecycle.list().then((all) => all.map((g) => g.name)),
      (names) => !names.includes("g-read3"),
      5_000,
    );
  });
});

describe("read path with Karmada away", () => {
  it("answers at once from memory with replicas_live false and the time the counts were last observed", async () => {
    const h = await startHarness();
    try {
      await h.lifecycle.loadReadModel(5_000);
      await h.lifecycle.deploy({ project: "p-away", descriptor: descriptor(chain("g-away")) });
      await eventually(
        () => h.lifecycle.get("g-away"),
        (g) => g.services.every((s) => s.readyReplicas === 1),
      );
      await h.sim.close();
      const away = await eventually(
        () => h.lifecycle.get("g-away"),
        (g) => !g.replicasLive,
      );
      // The last observed counts, and when.
      expect(away.services.map((s) => s.readyReplicas)).toEqual([1, 1, 1]);
      expect(away.replicasObservedAt).toBeInstanceOf(Date);
      expect(away.replicasObservedAt!.getTime()).toBeLessThanOrEqual(Date.now());
      const later = await h.lifecycle.get("g-away");
      expect(later.replicasObservedAt!.getTime()).toBe(away.replicasObservedAt!.getTime());
      expect((await h.lifecycle.list()).length).toBe(1);
    } finally {
      await h.close().catch(() => undefined);
    }
  }, 60_000);
});
