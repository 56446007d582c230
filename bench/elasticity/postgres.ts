// A throw-away schema on the local PostgreSQL for a bench run (search_path through the URL's `options`, as
// the store tests do), so a bench never touches other data in the database.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const BENCH_PG_URL = process.env.SMO_BENCH_PG_URL ?? process.env.SMO_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface BenchSchema {
  url: string;
  drop(): Promise<void>;
}

async function query(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: BENCH_PG_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** A fresh schema, or undefined when PostgreSQL does not answer. */
export async function benchSchema(): Promise<BenchSchema | undefined> {
  const schema = `smo_bench_${randomBytes(5).toString("hex")}`;
  try {
    await query(`create schema ${schema}`);
  } catch {
    return undefined;
  }
  const url = new URL(BENCH_PG_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => query(`drop schema if exists ${schema} cascade`) };
}
