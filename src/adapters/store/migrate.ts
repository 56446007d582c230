import { Migrator, sql, type Kysely } from "kysely";
import type { Logger } from "pino";
import { InCodeMigrationProvider } from "./migrations.js";

/**
 * Applies every pending migration; returns the names applied (empty when already up to date).
 * Safe to run from several processes at once: kysely's Migrator holds a PostgreSQL advisory lock.
 * The migration bookkeeping tables live in the connection's current schema (first of search_path).
 */
export async function migrateToLatest(db: Kysely<any>, logger: Logger): Promise<string[]> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error("the database connection has no current schema (does the search_path schema exist?)");
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider(), migrationTableSchema: schema });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied: string[] = [];
  for (const result of results) {
    if (result.status === "Success") {
      applied.push(result.migrationName);
      logger.info({ migration: result.migrationName, schema }, "migration applied");
    } else if (result.status === "Error") {
      logger.error({ migration: result.migrationName, schema }, "migration failed");
    }
  }
  if (error) throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  if (applied.length === 0) logger.debug({ schema }, "database schema up to date");
  return applied;
}
