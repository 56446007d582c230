// The change feed: a NOTIFY per committed write of graph state, heard by every store on the same database (and
// schema), nothing on rollback, and a resync after the LISTEN connection is lost and back.
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { channelName, openStore, parseChange } from "../../src/adapters/store/index.js";
import type { ChangeSignal, Store } from "../../src/core/ports/store.js";
import { waitFor } from "../helpers/processes.js";
import { adminQuery, describeBackends, logger, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl, storeBackends } from "./backends.js";
import { newDecision, newGraph, newService } from "./fixtures.js";

const backends = await storeBackends();

function record(store: Store): ChangeSignal[] {
  const heard: ChangeSignal[] = [];
  store.changes.subscribe((s) => heard.push(s));
  return heard;
}

describeBackends("change feed", backends, ({ store }) => {
  it("announces committed writes with graph, project and table, and nothing for a rolled back one", async () => {
    const heard = record(store());
    await store().graphs.create(newGraph("g1", { project: "shop" }));
    await store().services.upsert(newService("g1", "web"));
    await store().decisions.add(newDecision("g1", "web"));
    await store().outbox.enqueue("g1", [{ kind: "ensure-namespace", namespace: "shop" }]);
    await expect(
      store().transaction(async (tx) => {
        await tx.graphs.update("g1", { message: "never" });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    await store().graphs.update("g1", { status: "running" });
    await waitFor(() => (heard.some((s) => s.kind === "change" && s.what === "graphs" && s.op === "update") ? true : undefined), "graph update notification");
    expect(heard).toEqual([
      { kind: "change", graphId: "g1", project: "shop", what: "graphs", op: "insert" },
      { kind: "change", graphId: "g1", project: "shop", what: "services", op: "insert" },
      { kind: "change", graphId: "g1", project: "shop", what: "decisions", op: "insert" },
      { kind: "change", graphId: "g1", project: "shop", what: "outbox", op: "insert" },
      { kind: "change", graphId: "g1", project: "shop", what: "graphs", op: "update" },
    ]);
  });

  it("merges identical notifications of one transaction and stops delivering after unsubscribe", async () => {
    const heard: ChangeSignal[] = [];
    const off = store().changes.subscribe((s) => heard.push(s));
    await store().graphs.create(newGraph("g1", { project: "shop" }));
    await store().transaction(async (tx) => {
      await tx.outbox.enqueue("g1", [{ kind: "a" }, { kind: "b" }, { kind: "c" }]);
    });
    await waitFor(() => (heard.some((s) => s.kind === "change" && s.what === "outbox") ? true : undefined), "outbox notification");
    expect(heard.filter((s) => s.kind === "change" && s.what === "outbox")).toHaveLength(1);
    off();
    await store().graphs.update("g1", { message: "x" });
    await store().graphs.get("g1");
    expect(heard.filter((s) => s.kind === "change" && s.what === "graphs")).toHaveLength(1);
  });
});

describe("change feed payloads", () => {
  it("accepts only the trigger's shape", () => {
    expect(parseChange('{"graphId":"g","project":"p","what":"outbox","op":"delete"}')).toEqual({
      kind: "change",
      graphId: "g",
      project: "p",
      what: "outbox",
      op: "delete",
    });
    for (const bad of [undefined, "", "not json", "null", '{"graphId":"g","project":"p","what":"events","op":"insert"}', '{"graphId":1}']) {
      expect(parseChange(bad)).toBeUndefined();
    }
  });

  it("names a channel per schema within PostgreSQL's 63-byte identifier limit", () => {
    expect(channelName("public")).toBe("smo_changes_public");
    const long = channelName("s".repeat(60));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long).not.toBe(channelName("t".repeat(60)));
  });
});

const pgSkip = await postgresUnavailable();
describe.skipIf(pgSkip !== undefined && !REQUIRE_INTEGRATION)("change feed across processes on PostgreSQL", () => {
  const schema = `smo_feed_${randomBytes(5).toString("hex")}`;
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await adminQuery(`drop schema if exists ${schema} cascade`);
  });

  it("a write through one store is heard by another; a schema does not hear another schema", async () => {
    await adminQuery(`create schema ${schema}`);
    const a = await openStore(schemaUrl(schema), { logger });
    const b = await openStore(schemaUrl(schema), { logger });
    stores.push(a, b);
    const other = `${schema}_other`;
    await adminQuery(`create schema ${other}`);
    const c = await openStore(schemaUrl(other), { logger });
    stores.push(c);
    try {
      const heardB = record(b);
      const heardC = record(c);
      await a.graphs.create(newGraph("g1", { project: "shop" }));
      await waitFor(() => (heardB.length > 0 ? true : undefined), "notification in the second store");
      expect(heardB[0]).toEqual({ kind: "change", graphId: "g1", project: "shop", what: "graphs", op: "insert" });
      await c.graphs.create(newGraph("g2"));
      await waitFor(() => (heardC.length > 0 ? true : undefined), "notification in the other schema");
      expect(heardB).toHaveLength(1);
    } finally {
      await c.close();
      await adminQuery(`drop schema if exists ${other} cascade`);
    }
  });

  it("after its LISTEN connection is killed, the feed reconnects, signals resync, and hears again", async () => {
    await adminQuery(`create schema ${schema}`);
    const a = await openStore(schemaUrl(schema), { logger });
    stores.push(a);
    const heard = record(a);
    const killed = await adminQuery(
      `select pg_terminate_backend(pid) from pg_stat_activity where query = $1`,
      [`listen "${channelName(schema)}"`],
    );
    expect(killed.rowCount).toBe(1);
    await waitFor(() => (heard.some((s) => s.kind === "resync") ? true : undefined), "resync signal", { timeoutMs: 30_000 });
    await a.graphs.create(newGraph("g1"));
    await waitFor(() => (heard.some((s) => s.kind === "change") ? true : undefined), "notification after reconnection");
  });
});
