// The read model on its own, over a real (in-memory PGlite) store: a load a page at a time puts every graph's rows
// with its own graph, keeps only what reads use, and a graph re-read (or removed) while the load runs keeps that
// fresher state instead of the page the load read before.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import { openStore } from "../../src/adapters/store/index.js";
import { EVENT_TAIL, GraphReadModel } from "../../src/core/graphs/read-model.js";
import type { GraphRecord, Store } from "../../src/core/ports/store.js";
import { newGraph, newService } from "../store/fixtures.js";

const logger = pino({ level: "silent" });
let store: Store;

beforeEach(async () => {
  store = await openStore("memory", { logger });
});
afterEach(async () => {
  await store.close();
});

const serviceOrder = (g: GraphRecord) => ((g.descriptor as { order?: string[] } | null)?.order ?? []);

async function seed(name: string, events: number): Promise<void> {
  await store.graphs.create(newGraph(name, { status: "running", descriptor: { order: ["web", "api"], note: `of ${name}` } }));
  await store.services.upsert(newService(name, "api", { spec: { connectionPoints: ["web"], scaling: { alpha: 1 } } }));
  await store.services.upsert(newService(name, "web", { spec: { connectionPoints: [], resources: { cpu: 1 } } }));
  await store.placements.add({ graph: name, strategy: "optimal", status: "optimal", placement: { web: `c-${name}` }, objective: 1, reason: "", solveMs: 1, details: null });
  for (let i = 0; i < events; i++) await store.events.append({ graph: name, type: "scaled", service: "web", message: `${name}-${i}`, details: { i } });
}

describe("read model", () => {
  it("loads page by page: each graph with its own services (descriptor order), placement and newest events", async () => {
    const names = ["g1", "g2", "g3", "g4", "g5"];
    for (const [i, n] of names.entries()) await seed(n, i + EVENT_TAIL - 2);
    const model = new GraphReadModel({ store, serviceOrder, logger, loadPage: 2 });
    await model.load();
    expect(model.list().map((v) => v.name)).toEqual(names);
    for (const [i, n] of names.entries()) {
      const view = model.get(n)!;
      expect(view.services.map((s) => s.name)).toEqual(["web", "api"]);
      expect(view.placement).toEqual({});
      expect(view.lastDecision?.placement).toEqual({ web: `c-${n}` });
      expect(JSON.parse(view.descriptorJson)).toEqual({ order: ["web", "api"], note: `of ${n}` });
      const count = i + EVENT_TAIL - 2;
      const tail = model.eventsAfter(n, 0);
      // All of a graph's events while fewer than the tail holds; from a full tail on, only a resume from a kept id.
      if (count < EVENT_TAIL) expect(tail?.map((e) => e.message)).toEqual(Array.from({ length: count }, (_, k) => `${n}-${k}`));
      else expect(tail).toBeUndefined();
    }
  });

  it("keeps only what reads use: no parsed descriptor, service specs cut to their connection points", async () => {
    await seed("g1", 1);
    const model = new GraphReadModel({ store, serviceOrder, logger });
    await model.load();
    const state = model.state("g1")!;
    expect(state.graph).not.toHaveProperty("descriptor");
    expect(JSON.parse(state.graph.descriptorJson)).toEqual({ order: ["web", "api"], note: "of g1" });
    expect(state.services.map((s) => [s.name, s.spec])).toEqual([
      ["web", null],
      ["api", { connectionPoints: ["web"] }],
    ]);
    expect(model.get("g1")!.services.map((s) => s.connectionPoints)).toEqual([[], ["web"]]);
  });

  it("a graph re-read, removed or changed (a notice) while the load runs keeps that fresher state", async () => {
    for (const n of ["a", "b", "c", "d", "e"]) await seed(n, 1);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let paged = 0;
    // The first page's services wait: by then the load holds a's, b's and c's graph rows as they were.
    const gated = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (key !== "services") return value;
        const services = value as Store["services"];
        return new Proxy(services, {
          get(t, k, r) {
            const fn = Reflect.get(t, k, r) as unknown;
            if (k !== "listAll" || typeof fn !== "function") return fn;
            return async (...args: unknown[]) => {
              if (paged++ === 0) await gate;
              return (fn as (...a: unknown[]) => unknown).apply(t, args);
            };
          },
        });
      },
    });
    const model = new GraphReadModel({ store: gated, serviceOrder, logger, loadPage: 3 });
    const loading = model.load();
    await new Promise((r) => setTimeout(r, 50));
    await store.graphs.update("b", { status: "stopped", message: "stopped meanwhile" });
    await model.refresh("b");
    await store.graphs.delete("a");
    model.forget("a");
    // A change notice during the load (another process's commit) for a graph of the page already read.
    await store.graphs.update("c", { message: "noticed meanwhile" });
    model.invalidate("c");
    await new Promise((r) => setTimeout(r, 50));
    release();
    await loading;
    expect(model.get("c")).toMatchObject({ message: "noticed meanwhile" });
    expect(model.get("b")).toMatchObject({ status: "stopped", message: "stopped meanwhile" });
    expect(model.get("a")).toBeUndefined();
    expect(model.list().map((v) => v.name)).toEqual(["b", "c", "d", "e"]);
  });
});
