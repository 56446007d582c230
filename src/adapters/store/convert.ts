// Driver differences in one place: `pg` returns bigint as a string, PGlite as a number (or a BigInt
// beyond 2^53); both return timestamptz as Date and JSONB parsed. Constraint violations carry the
// SQLSTATE in `code` on both.

export function toNumber(value: string | number | bigint | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "number" ? value : Number(value);
}

export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** JSONB parameters are always sent as JSON text: `pg` would send a JS array as a PostgreSQL array. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export const UNIQUE_VIOLATION = "23505";
export const FOREIGN_KEY_VIOLATION = "23503";

export function sqlState(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Re-throws `error` as `mapped` when it carries the SQLSTATE `code`. */
export async function mapSqlState<T>(run: Promise<T>, code: string, mapped: (cause: unknown) => Error): Promise<T> {
  try {
    return await run;
  } catch (error) {
    if (sqlState(error) === code) throw mapped(error);
    throw error;
  }
}
