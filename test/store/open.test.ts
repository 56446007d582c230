// openStore's --db forms, migrations on open (idempotent, concurrent on PostgreSQL), pglite:PATH persistence,
// and the PGlite dialect itself (affected row counts, serialised transactions, close waits for work).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, parseStoreUrl, PGliteDialect } from "../../src/adapters/store/index.js";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from "../../src/core/errors.js";
import { adminQuery, freshSchemaName, logger, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl } from "./backends.js";
import { newGraph, sleep } from "./fixtures.js";

const pgSkip = REQUIRE_INTEGRATION ? undefined : await postgresUnavailable();
/** Every migration in code order: a fresh database applies them all, once. */
const ALL_MIGRATIONS = ["0001_initial", "0002_members_leases_notify", "0003_decision_sources"];

describe("--db URL forms", () => {
  it("accepts postgres://, postgresql://, pglite:PATH and memory", () => {
    expect(parseStoreUrl("postgres://u:p@h:5432/db")).toEqual({ kind: "postgres", url: "postgres://u:p@h:5432/db" });
    expect(parseStoreUrl("postgresql://h/db").kind).toBe("postgres");
    expect(parseStoreUrl("memory")).toEqual({ kind: "memory" });
    expect(parseStoreUrl("pglite:/var/lib/smo/db")).toEqual({ kind: "pglite", path: "/var/lib/smo/db" });
    expect(parseStoreUrl("pglite:.smo/db")).toEqual({ kind: "pglite", path: join(process.cwd(), ".smo/db") });
  });

  it("rejects anything else with InvalidArgumentError on field db, without echoing a password", async () => {
    for (const url of ["mysql://u:secret@h/db", "pglite:", "sqlite:x.db", "", "memory:"]) {
      const error = await openStore(url, { logger }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).violations[0]?.field).toBe("db");
      expect((error as Error).message).not.toContain("secret");
    }
  });
});

describe.skipIf(pgSkip !== undefined)(`PostgreSQL open and migrations${pgSkip ? ` (skipped: ${pgSkip})` : ""}`, () => {
  const schema = freshSchemaName();
  beforeAll(async () => {
    await adminQuery(`create schema ${schema}`);
  });
  afterAll(async () => {
    await adminQuery(`drop schema if exists ${schema} cascade`);
  });

  it("migrates once when several processes open the same database at the same time", async () => {
    const logs = [1, 2, 3].map(() => capturingLogger());
    const stores = await Promise.all(logs.map((log) => openStore(schemaUrl(schema), { logger: log.logger })));
    expect(logs.flatMap((log) => log.migrations())).toEqual(ALL_MIGRATIONS);
    await stores[0]!.graphs.create(newGraph("g"));
    expect((await stores[2]!.graphs.get("g"))?.name).toBe("g");
    await Promise.all(stores.map((s) => s.close()));

    const reopened = await openStore(schemaUrl(schema), { logger });
    expect((await reopened.graphs.list()).map((g) => g.name)).toEqual(["g"]);
    await reopened.close();
    const migrations = await adminQuery(`select name from ${schema}.kysely_migration`);
    expect(migrations.rows.map((r) => r.name)).toEqual(ALL_MIGRATIONS);
    const tables = await adminQuery(`select table_name from information_schema.tables where table_schema = $1 order by 1`, [schema]);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      ["clusters", "decisions", "events", "graphs", "kysely_migration", "kysely_migration_lock", "leases", "members", "outbox", "placements", "services"],
    );
  });

  it("stores bytes as bigint and times as timestamptz (the pg driver returns bigint as text; the store gives numbers)", async () => {
    const columns = await adminQuery(
      `select table_name, column_name, data_type from information_schema.columns where table_schema = $1 and column_name in ('memory_bytes','cpu','created_at','descriptor')`,
      [schema],
    );
    const types = Object.fromEntries(columns.rows.map((r) => [`${r.table_name}.${r.column_name}`, r.data_type]));
    expect(types).toMatchObject({
      "services.memory_bytes": "bigint",
      "services.cpu": "double precision",
      "graphs.created_at": "timestamp with time zone",
      "graphs.descriptor": "jsonb",
    });
  });

  it("a server lost after opening is UnavailableError on the next call, not a raw driver error", async () => {
    // A TCP relay in front of PostgreSQL that the test can take away, as a restart or network cut would.
    const target = new URL(schemaUrl(schema));
    const [pgHost, pgPort] = [target.hostname, Number(target.port || 5432)];
    const sockets = new Set<Socket>();
    const relay = createServer((client) => {
      const server = connect(pgPort, pgHost);
      for (const s of [client, server]) {
        sockets.add(s);
        s.on("error", () => s.destroy());
        s.on("close", () => sockets.delete(s));
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    target.host = `127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const store = await openStore(target.toString(), { logger });
    try {
      expect(Array.isArray(await store.graphs.list())).toBe(true);
      await new Promise<void>((r) => {
        relay.close(() => r());
        for (const s of sockets) s.destroy();
      });
      const error = await store.graphs.list().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnavailableError);
      const txError = await store.transaction((tx) => tx.graphs.list()).catch((e: unknown) => e);
      expect(txError).toBeInstanceOf(UnavailableError);
    } finally {
      await store.close().catch(() => undefined);
    }
  });

  it("an unreachable server is UnavailableError", async () => {
    const port = await closedPort();
    const error = await openStore(`postgres://postgres:pw@127.0.0.1:${port}/test`, { logger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain(":pw@");
  });
});

describe("PGlite on disk and in memory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smo-store-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("pglite:PATH creates the directory and keeps data and event ids across reopen; migrations run once", async () => {
    const path = join(dir, "nested", "db");
    const firstLog = capturingLogger();
    const first = await openStore(`pglite:${path}`, { logger: firstLog.logger });
    expect(firstLog.migrations()).toEqual(ALL_MIGRATIONS);
    await first.graphs.create(newGraph("persisted", { descriptor: { hdaGraph: { id: "persisted", deep: { a: [1] } } } }));
    const event = await first.events.append({ graph: "persisted", type: "deployed", service: null, message: "one", details: {} });
    await first.close();
    expect(existsSync(join(path, "smo.lock"))).toBe(false);

    // A lock left behind by a killed process is taken over.
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(join(path, "smo.lock"), `${dead} 0\n`);
    const secondLog = capturingLogger();
    const second = await openStore(`pglite:${path}`, { logger: secondLog.logger });
    try {
      // While it is open, nobody else may open the directory (two PGlite instances would corrupt it).
      await expect(openStore(`pglite:${path}`, { logger })).rejects.toThrow(FailedPreconditionError);
      await expect(openStore(`pglite:${path}`, { logger })).rejects.toThrow(/in use by process \d+ \(this process\)/);
      expect(secondLog.migrations()).toEqual([]);
      expect((await second.graphs.get("persisted"))?.descriptor).toEqual({ hdaGraph: { id: "persisted", deep: { a: [1] } } });
      const next = await second.events.append({ graph: "persisted", type: "started", service: null, message: "two", details: {} });
      expect(next.id).toBeGreaterThan(event.id);
      expect((await second.events.listAfter("persisted", event.id)).map((e) => e.message)).toEqual(["two"]);
    } finally {
      await second.close();
    }
  });

  it("memory is an empty, migrated store", async () => {
    const store = await openStore("memory", { logger });
    try {
      expect(Array.isArray(await store.graphs.list())).toBe(true);
      await store.graphs.create(newGraph("g"));
      expect((await store.graphs.list()).map((g) => g.name)).toEqual(["g"]);
    } finally {
      await store.close();
    }
    await expect(store.graphs.list()).rejects.toThrow(/destroyed|closed/);
  });
});

describe("PGlite dialect", () => {
  let pglite: PGlite;
  let db: Kysely<any>;
  const statements: string[] = [];
  beforeAll(async () => {
    pglite = await PGlite.create();
    db = new Kysely<any>({
      dialect: new PGliteDialect({ pglite }),
      log: (event) => void statements.push(event.query.sql.split(" ").slice(0, 3).join(" ")),
    });
    await sql`create table counters (name text primary key, n integer not null, big bigint not null default 0)`.execute(db);
  });
  afterAll(async () => {
    await db.destroy();
    expect(pglite.closed).toBe(true);
  });

  it("reports affected rows for insert, update and delete", async () => {
    const inserted = await db.insertInto("counters").values([{ name: "a", n: 1 }, { name: "b", n: 2 }, { name: "c", n: 3 }]).executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(3n);
    const updated = await db.updateTable("counters").set({ n: 0 }).where("n", ">", 1).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const upserted = await db.insertInto("counters").values({ name: "a", n: 9 }).onConflict((oc) => oc.column("name").doUpdateSet({ n: 9 })).executeTakeFirst();
    expect(upserted.numInsertedOrUpdatedRows).toBe(1n);
    const deleted = await db.deleteFrom("counters").where("name", "in", ["a", "b", "zzz"]).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(2n);
    const none = await db.updateTable("counters").set({ n: 1 }).where("name", "=", "zzz").executeTakeFirst();
    expect(none.numUpdatedRows).toBe(0n);
  });

  it("runs concurrent transactions one after the other on the single session, never interleaved", async () => {
    statements.length = 0;
    const transfer = (name: string, pause: number) =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto("counters").values({ name, n: 0 }).execute();
        await sleep(pause);
        await trx.updateTable("counters").set({ n: 1 }).where("name", "=", name).execute();
      });
    const plainRead = (async () => {
      await sleep(2);
      return db.selectFrom("counters").select("name").where("name", "in", ["t1", "t2"]).execute();
    })();
    await Promise.all([transfer("t1", 20), transfer("t2", 1), plainRead]);
    // Each transaction's statements form one uninterrupted block; the plain read waited its turn.
    expect(statements).toEqual(["begin", "insert into \"counters\"", "update \"counters\" set", "commit", "begin", "insert into \"counters\"", "update \"counters\" set", "commit", "select \"name\" from"]);
    expect((await plainRead).map((r) => r.name)).toEqual(["t1", "t2"]);
  });

  it("reports a commit of an aborted transaction as an error", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`select 1/0`.execute(trx).catch(() => undefined);
      }),
    ).rejects.toThrow();
    expect((await db.selectFrom("counters").select("name").where("name", "=", "t1").execute()).length).toBe(1);
  });

  it("returns bigint columns as numbers (BigInt only beyond 2^53)", async () => {
    await db.updateTable("counters").set({ big: 68719476736 }).where("name", "=", "t1").execute();
    const row = await db.selectFrom("counters").select("big").where("name", "=", "t1").executeTakeFirstOrThrow();
    expect(row.big).toBe(68719476736);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A pino logger whose lines are kept, to see which migrations an open applied. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return {
    logger,
    migrations: () => lines.filter((l) => l.msg === "migration applied").map((l) => l.migration),
  };
}
