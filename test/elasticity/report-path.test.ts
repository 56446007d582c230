// ReportLoad is Hop3's hottest call: while a sample changes nothing (the replicas serve the rate, nothing to
// scale down), its path runs no SQL statement. Statements are counted at the PGlite instance under the store.
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPgliteStore } from "../../src/adapters/store/index.js";
import { eventually, logger, startHarness, type Harness } from "./harness.js";

let h: Harness;
let statements: string[] = [];

beforeAll(async () => {
  h = await startHarness({
    sim: { config: { clusters: [{ name: "member1", cpu: 32 }] }, podStartMs: 20 },
    openStore: async () => {
      const pglite = await PGlite.create();
      const query = pglite.query.bind(pglite);
      const exec = pglite.exec.bind(pglite);
      pglite.query = ((sql: string, ...rest: unknown[]) => {
        statements.push(sql);
        return (query as (...a: unknown[]) => unknown)(sql, ...rest);
      }) as typeof pglite.query;
      pglite.exec = ((sql: string, ...rest: unknown[]) => {
        statements.push(sql);
        return (exec as (...a: unknown[]) => unknown)(sql, ...rest);
      }) as typeof pglite.exec;
      return openPgliteStore(pglite, { logger });
    },
  });
});

afterAll(async () => {
  await h?.close();
});

describe("ReportLoad path", () => {
  it("runs no SQL statement while nothing needs deciding, and writes once a sample needs a decision", async () => {
    await h.seedGraph({ name: "quiet", project: "p-quiet", services: [{ name: "web", cluster: "member1" }, { name: "api", cluster: "member1" }] });
    await h.controller.report([{ graph: "quiet", service: "web", requestsPerSecond: 35, source: "host-a" }]);
    await h.controller.settled();
    expect((await h.replicas("p-quiet", "web"))?.desired).toBe(4);
    // The ready time is written when the pods are up: let that happen before counting.
    await eventually(async () => (await h.store.decisions.listAfter(0, { graph: "quiet" }))[0]?.readyAt, (at) => !!at, "the ready time");

    statements = [];
    // 4 replicas serve 30–38 req/s without a scale either way; api's 1 replica serves 5.
    for (let i = 0; i < 200; i++) {
      await h.controller.report([
        { graph: "quiet", service: "web", requestsPerSecond: 30 + (i % 9), source: "host-a" },
        { graph: "quiet", service: "api", requestsPerSecond: 5 },
      ]);
    }
    await h.controller.settled();
    expect(statements).toEqual([]);

    // A sample that needs a decision does write (the decision, the event, the desired count).
    await h.controller.report([{ graph: "quiet", service: "api", requestsPerSecond: 25 }]);
    await h.controller.settled();
    expect(statements.length).toBeGreaterThan(0);
  });
});
