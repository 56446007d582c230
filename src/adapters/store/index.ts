// The store adapter: `--db postgres://…` (pg pool), `pglite:PATH` (embedded, on disk) or `memory`
// (embedded, in memory). Migrations run on open. See kysely-store.ts for the transaction rule.
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect, type Dialect } from "kysely";
import pg from "pg";
import type { Logger } from "pino";
import { InvalidArgumentError, UnavailableError } from "../../core/errors.js";
import type { Store } from "../../core/ports/store.js";
import { lockDirectory } from "./directory-lock.js";
import { createKyselyStore } from "./kysely-store.js";
import { migrateToLatest } from "./migrate.js";
import { PGliteDialect } from "./pglite-dialect.js";
import type { Database } from "./schema.js";
import { GuardedDialect, TransactionGuard } from "./transaction-guard.js";

export { migrateToLatest } from "./migrate.js";
export { TransactionMisuseError } from "./transaction-guard.js";
export { PGliteDialect } from "./pglite-dialect.js";

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

/** Opens the store named by `url` and migrates it to the latest schema. */
export async function openStore(url: string, options: StoreOptions): Promise<Store> {
  const location = parseStoreUrl(url);
  const logger = options.logger.child({ component: "store" });
  if (location.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: location.url, max: 10, connectionTimeoutMillis: 10_000 });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on("error", (error) => logger.warn({ err: error }, "idle PostgreSQL connection failed"));
    logger.info({ db: redact(location.url) }, "opening PostgreSQL store");
    try {
      return await openWithDialect(new PostgresDialect({ pool }), logger);
    } catch (error) {
      if (isConnectionFailure(error)) {
        throw new UnavailableError(`cannot reach PostgreSQL at ${redact(location.url)}: ${describeError(error)}`, { cause: error });
      }
      throw error;
    }
  }
  if (location.kind === "memory") {
    logger.info({ db: "memory" }, "opening in-memory PGlite store");
    return openPgliteStore(await PGlite.create(), { logger });
  }
  await mkdir(location.path, { recursive: true });
  const unlock = await lockDirectory(location.path);
  try {
    logger.info({ db: `pglite:${location.path}` }, "opening PGlite store");
    const pglite = await PGlite.create(location.path);
    return await openWithDialect(new PGliteDialect({ pglite }), logger, unlock);
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
  return openWithDialect(new PGliteDialect({ pglite }), options.logger);
}

async function openWithDialect(dialect: Dialect, logger: Logger, afterClose?: () => Promise<void>): Promise<Store> {
  const guard = new TransactionGuard();
  const db = new Kysely<Database>({ dialect: new GuardedDialect(dialect, guard) });
  try {
    await migrateToLatest(db, logger);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return createKyselyStore(db, guard, afterClose);
}

/** Network-level failures (refused, unresolvable, timed out), as opposed to SQL errors with a SQLSTATE. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return true;
  return error instanceof Error && /timeout expired|Connection terminated/i.test(error.message);
}

function describeError(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describeError).join("; ");
  return error instanceof Error ? error.message || String((error as { code?: unknown }).code ?? error.name) : String(error);
}

export async function closeStore(store: Store): Promise<void> {
  await store.close();
}
