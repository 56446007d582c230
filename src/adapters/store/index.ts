// The store adapter: `--db postgres://…` (pg pool), `pglite:PATH` (embedded, on disk) or `memory`
// (embedded, in memory). Migrations run on open. See kysely-store.ts for the transaction rule.
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, sql, type Dialect } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import { InvalidArgumentError, UnavailableError } from "../../core/errors.js";
import type { Store } from "../../core/ports/store.js";
import { channelName, PgChangeFeed, PgliteChangeFeed } from "./change-feed.js";
import { describeError, isConnectionFailure } from "./connection-errors.js";
import { lockDirectory } from "./directory-lock.js";
import { cancelStatementsWithCalls } from "./statement-cancel.js";
import { createKyselyStore } from "./kysely-store.js";
import { migrateToLatest } from "./migrate.js";
import { PGliteDialect } from "./pglite-dialect.js";
import { createPglite } from "./pglite-footprint.js";
import type { Database } from "./schema.js";
import { GuardedDialect, TransactionGuard } from "./transaction-guard.js";

export { migrateToLatest } from "./migrate.js";
export { TransactionMisuseError } from "./transaction-guard.js";
export { PGliteDialect } from "./pglite-dialect.js";
export { channelName, parseChange } from "./change-feed.js";

export interface StoreOptions {
  logger: Logger;
}

export type StoreLocation =
  | { kind: "postgres"; url: string }
  | { kind: "pglite"; path: string }
  | { kind: "memory" };

/** Parses a `--db` value; InvalidArgumentError (field `db`) for anything else. */
export function parseStoreUrl(url: string): StoreLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", url };
  if (url === "memory") return { kind: "memory" };
  if (url.startsWith("pglite:")) {
    const path = url.slice("pglite:".length);
    if (path.length === 0) throw badUrl(url, "pglite: needs a directory, e.g. pglite:.smo/db");
    return { kind: "pglite", path: resolve(path) };
  }
  throw badUrl(url, "expected postgres://…, postgresql://…, pglite:PATH or memory");
}

function badUrl(url: string, description: string): InvalidArgumentError {
  const shown = redact(url);
  return new InvalidArgumentError(`unsupported database URL "${shown}": ${description}`, [{ field: "db", description }]);
}

/** The URL without its password, for logs and messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Server-side limits of every pooled session (milliseconds). */
export const PG_SESSION_TIMEOUTS = {
  statement_timeout: 15_000,
  lock_timeout: 5_000,
  idle_in_transaction_session_timeout: 30_000,
} as const;

/** Opens the store named by `url` and migrates it to the latest schema. */
export async function openStore(url: string, options: StoreOptions): Promise<Store> {
  const location = parseStoreUrl(url);
  const logger = options.logger.child({ component: "store" });
  if (location.kind === "postgres") {
    // Session timeouts: a table lock held elsewhere made 2 s-deadline calls answer after 24 s and emptied the pool.
    // PGlite is in-process and single-connection, so only the client side's own deadlines apply there.
    const pool = new pg.Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: 10_000, ...PG_SESSION_TIMEOUTS });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on("error", (error) => logger.warn({ err: error }, "idle PostgreSQL connection failed"));
    // A checked-out client whose connection drops (server restart mid-query) emits "error" besides failing the
    // query; pg-pool only listens on idle clients, so without this the process dies of an uncaught exception.
    pool.on("connect", (client) => client.on("error", (error) => logger.warn({ err: error }, "PostgreSQL connection lost")));
    cancelStatementsWithCalls(pool, location.url, logger);
    logger.info({ db: redact(location.url) }, "opening PostgreSQL store");
    try {
      const feed = (channel: string) =>
        new PgChangeFeed({ connectionString: location.url, channel, logger: logger.child({ component: "change-feed" }) });
      return await openWithDialect(new PostgresDialect({ pool }), logger, async (_db, channel) => {
        const changes = feed(channel);
        await changes.start();
        return changes;
      });
    } catch (error) {
      // The driver wrapper already maps a refused connection; name the server in the message either way.
      const failure = error instanceof UnavailableError ? error.cause : error;
      if (isConnectionFailure(failure)) {
        throw new UnavailableError(`cannot reach PostgreSQL at ${redact(location.url)}: ${describeError(failure)}`, { cause: failure });
      }
      throw error;
    }
  }
  if (location.kind === "memory") {
    logger.info({ db: "memory" }, "opening in-memory PGlite store");
    return openPgliteStore(await createPglite(undefined, logger), { logger });
  }
  await mkdir(location.path, { recursive: true });
  const unlock = await lockDirectory(location.path);
  try {
    logger.info({ db: `pglite:${location.path}` }, "opening PGlite store");
    const pglite = await createPglite(location.path, logger);
    return await openWithDialect(new PGliteDialect({ pglite }), logger, pgliteFeed(pglite, logger), unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

/**
 * A store over an existing PGlite instance (e.g. a `clone()` of a migrated one in tests); migrates it.
 * The instance is closed with the store.
 */
export async function openPgliteStore(pglite: PGlite, options: StoreOptions): Promise<Store> {
  return openWithDialect(new PGliteDialect({ pglite }), options.logger, pgliteFeed(pglite, options.logger));
}

type ChangeFeedFactory = (db: Kysely<Database>, channel: string) => Promise<PgChangeFeed | PgliteChangeFeed>;

function pgliteFeed(pglite: PGlite, logger: Logger): ChangeFeedFactory {
  return async (db, channel) => {
    const feed = new PgliteChangeFeed(pglite, channel, logger.child({ component: "change-feed" }));
    // Through kysely, so the LISTEN waits for the session mutex instead of landing inside a transaction.
    await sql`listen ${sql.id(channel)}`.execute(db);
    return feed;
  };
}

async function openWithDialect(dialect: Dialect, logger: Logger, feed: ChangeFeedFactory, afterClose?: () => Promise<void>): Promise<Store> {
  const guard = new TransactionGuard();
  const db = new Kysely<Database>({ dialect: new GuardedDialect(dialect, guard) });
  let changes: PgChangeFeed | PgliteChangeFeed;
  try {
    await migrateToLatest(db, logger);
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    changes = await feed(db, channelName(rows[0]!.schema));
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return createKyselyStore(db, guard, changes, afterClose);
}

export async function closeStore(store: Store): Promise<void> {
  await store.close();
}
