// The one PostgreSQL helper of the tests: where the server is (SMO_TEST_PG_URL, else the machine's trust
// database), whether it answers, admin queries, and throw-away schemas reached through the URL's search_path.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const PG_URL = process.env.SMO_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const REQUIRE_INTEGRATION = process.env.SMO_REQUIRE_INTEGRATION === "1";

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (error) {
    return `PostgreSQL unreachable at ${PG_URL}: ${(error as Error).message || String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function adminQuery(text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** PG_URL with every connection's search_path set to `schema`. */
export function schemaUrl(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

export function freshSchemaName(prefix = "smo_test"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

/** A new empty schema and the URL that uses it; drop() removes it with everything in it. */
export async function freshSchema(prefix?: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = freshSchemaName(prefix);
  await adminQuery(`create schema ${name}`);
  return { name, url: schemaUrl(name), drop: async () => void (await adminQuery(`drop schema if exists ${name} cascade`)) };
}
