// A call's deadline cancels its running statement: with a table locked by another connection, GetGraph with a
// 1 s deadline answers DEADLINE_EXCEEDED and smo cancels its statement waiting on the lock (pg_cancel_backend)
// instead of leaving it to hold a pooled connection until lock_timeout.
import * as grpc from "@grpc/grpc-js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServe, type ServeProcess } from "../api/helpers.js";
import { adminQuery, freshSchemaName, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl } from "./backends.js";

const skip = await postgresUnavailable();
if (skip && REQUIRE_INTEGRATION) throw new Error(skip);

/** GetGraph {name: "g"} as raw protobuf bytes (field 1, length 1, "g"). */
const GET_G = Buffer.from([0x0a, 0x01, 0x67]);

describe.skipIf(skip !== undefined)("a call's deadline and its PostgreSQL statement", () => {
  const schema = freshSchemaName();
  let serve: ServeProcess;
  let locker: pg.Client;
  let watcher: pg.Client;

  beforeAll(async () => {
    await adminQuery(`create schema ${schema}`);
    serve = await spawnServe(["--db", schemaUrl(schema)]);
    locker = new pg.Client({ connectionString: schemaUrl(schema) });
    watcher = new pg.Client({ connectionString: schemaUrl(schema) });
    await Promise.all([locker.connect(), watcher.connect()]);
  }, 60_000);
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await watcher?.end().catch(() => undefined);
    await serve?.stop();
    await adminQuery(`drop schema if exists ${schema} cascade`);
  });

  /** Backends waiting on a lock with GetGraph's statement. */
  async function getGraphWaiting(): Promise<number> {
    const r = await watcher.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'select * from "graphs" where "name" = $1%'`,
    );
    return Number(r.rows[0]!.n);
  }

  it("answers DEADLINE_EXCEEDED and cancels the statement waiting on the lock", { timeout: 60_000 }, async () => {
    await locker.query("begin");
    await locker.query(`lock table ${schema}.graphs in access exclusive mode`);
    try {
      const client = new grpc.Client(serve.grpcAddress, grpc.credentials.createInsecure());
      const code = await new Promise<string>((resolve) => {
        client.makeUnaryRequest("/smo.v1.GraphService/GetGraph", (b: Buffer) => b, (b: Buffer) => b, GET_G, new grpc.Metadata(), { deadline: Date.now() + 1_000 }, (err) => {
          client.close();
          resolve(err ? grpc.status[err.code]! : "OK");
        });
      });
      expect(code).toBe("DEADLINE_EXCEEDED");
      // smo reports the cancel; without it the statement waited for lock_timeout with nobody for its answer.
      await expect.poll(() => serve.lines.some((l) => l.includes("cancelled the statement of a call that ended early")), { timeout: 30_000 }).toBe(true);
      // The lock is still held, and GetGraph's statement no longer waits on it (background reads of smo's own,
      // which no call waits for, keep waiting until lock_timeout).
      expect(await getGraphWaiting()).toBe(0);
    } finally {
      await locker.query("rollback");
    }
    // The pool is intact: the same call answers once the lock is gone.
    const client = new grpc.Client(serve.grpcAddress, grpc.credentials.createInsecure());
    const after = await new Promise<string>((resolve) => {
      client.makeUnaryRequest("/smo.v1.GraphService/GetGraph", (b: Buffer) => b, (b: Buffer) => b, GET_G, new grpc.Metadata(), { deadline: Date.now() + 20_000 }, (err) => {
        client.close();
        resolve(err ? grpc.status[err.code]! : "OK");
      });
    });
    expect(after).toBe("NOT_FOUND");
  });
});
