// fetch to Prometheus with a timeout; network failures become UnavailableError (retryable).
import { UnavailableError } from "../../core/errors.js";

/** Joins a base URL (which may carry a path prefix such as /prometheus) and an API path. */
export function apiUrl(base: string, path: string): URL {
  return new URL(path.replace(/^\//, ""), base.endsWith("/") ? base : `${base}/`);
}

export async function promFetch(url: URL, init: RequestInit, timeoutMs: number, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const name = (err as Error).name;
    if (name === "TimeoutError" || name === "AbortError") {
      throw new UnavailableError(`${what}: ${url.host} did not answer within ${timeoutMs} ms`, { cause: err });
    }
    const code = (err as { cause?: { code?: string } }).cause?.code;
    throw new UnavailableError(`${what}: cannot reach ${url.host}: ${code ?? (err as Error).message}`, { cause: err });
  }
}
