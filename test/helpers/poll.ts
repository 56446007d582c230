// The one polling helper of the tests: ask again every few milliseconds until the answer is the expected one,
// and fail with what was awaited and the last answer. Deadlines are generous (a loaded 2-core box); nothing
// asserts on how long it took.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PollOptions {
  /** Named in the failure message. */
  what?: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Treat a throwing probe as "not yet" (a server still starting) instead of failing at once. */
  retryErrors?: boolean;
}

/**
 * Polls `probe` until `done` accepts its value (every 25 ms, at most 10 s by default). The third argument is
 * what is awaited, or the options, or (the older form many tests use) just the timeout in ms.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  what: string | number | PollOptions = {},
  timeoutMs?: number,
): Promise<T> {
  const o: PollOptions =
    typeof what === "number" ? { timeoutMs: what }
    : typeof what === "string" ? { what, timeoutMs }
    : { ...what, ...(timeoutMs !== undefined && { timeoutMs }) };
  const deadline = Date.now() + (o.timeoutMs ?? 10_000);
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = { value };
    } catch (error) {
      if (!o.retryErrors) throw error;
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen = last === undefined ? "" : "error" in last ? `: ${(last.error as Error)?.message ?? String(last.error)}` : `; last value ${JSON.stringify(last.value)}`;
      throw new Error(`timed out waiting for ${o.what ?? "the condition"}${seen}`);
    }
    await sleep(o.intervalMs ?? 25);
  }
}

/** Polls `probe` until it returns something other than undefined, retrying while it throws. */
export function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  { timeoutMs = 20_000, intervalMs = 100 } = {},
): Promise<T> {
  return eventually(probe, (v) => v !== undefined, { what, timeoutMs, intervalMs, retryErrors: true }) as Promise<T>;
}
