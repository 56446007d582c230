// Capped exponential backoff with full jitter (delay drawn uniformly from [0, min(max, base·2^n)]):
// many smo instances retrying against one recovering API server do not retry in lockstep.

export interface RetryPolicy {
  /** Total tries of one call, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 100, maxMs: 2_000 };

export function backoffDelay(policy: RetryPolicy, retryIndex: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** retryIndex);
  return Math.floor(random() * cap);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
