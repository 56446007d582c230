// Session timeouts on PostgreSQL: a table locked elsewhere makes a store call fail with UNAVAILABLE after
// lock_timeout instead of waiting as long as the lock is held (and emptying the pool meanwhile).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, PG_SESSION_TIMEOUTS } from "../../src/adapters/store/index.js";
import { UnavailableError } from "../../src/core/errors.js";
import type { Store } from "../../src/core/ports/store.js";
import { adminQuery, freshSchemaName, logger, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl } from "./backends.js";

const skip = await postgresUnavailable();
if (skip && REQUIRE_INTEGRATION) throw new Error(skip);

describe.skipIf(skip !== undefined)("PostgreSQL session timeouts", () => {
  const schema = freshSchemaName();
  let store: Store;
  let locker: pg.Client;

  beforeAll(async () => {
    await adminQuery(`create schema ${schema}`);
    store = await openStore(schemaUrl(schema), { logger });
    locker = new pg.Client({ connectionString: schemaUrl(schema) });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await store?.close();
    await adminQuery(`drop schema if exists ${schema} cascade`);
  });

  it("sets statement, lock and idle-in-transaction timeouts on every session", () => {
    expect(PG_SESSION_TIMEOUTS.lock_timeout).toBeGreaterThan(0);
    expect(PG_SESSION_TIMEOUTS.statement_timeout).toBeGreaterThan(PG_SESSION_TIMEOUTS.lock_timeout);
    expect(PG_SESSION_TIMEOUTS.idle_in_transaction_session_timeout).toBeGreaterThan(0);
  });

  it("a call blocked by a lock held elsewhere fails with UnavailableError once lock_timeout passes", { timeout: 60_000 }, async () => {
    await locker.query("begin");
    await locker.query(`lock table ${schema}.graphs in access exclusive mode`);
    const started = Date.now();
    const err = await store.graphs.list().catch((e: unknown) => e);
    const waited = Date.now() - started;
    await locker.query("rollback");
    expect(err).toBeInstanceOf(UnavailableError);
    console.log(`[timeouts] blocked ListGraphs failed after ${waited} ms (lock_timeout ${PG_SESSION_TIMEOUTS.lock_timeout} ms)`);
    expect(await store.graphs.list()).toEqual([]);
  });
});
