// One Kubernetes API operation: a deadline for the whole operation (every try is aborted through an
// AbortSignal when it runs out, so a hung API server surfaces as UnavailableError, never as a hang),
// retries of transient failures (5xx, 429, connection errors) with jittered backoff, and the mapping of
// HTTP failures to the typed errors of core/errors.ts.
import { Observable, type ConfigurationOptions, type ObservableMiddleware } from "@kubernetes/client-node";
import type { Logger } from "pino";
import {
  AlreadyExistsError,
  ConflictError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  SmoError,
  UnavailableError,
} from "../../core/errors.js";
import { backoffDelay, sleep, type RetryPolicy } from "./retry.js";

export interface CallPolicy {
  logger: Logger;
  /** Deadline of one operation, retries included. */
  timeoutMs: number;
  retry: RetryPolicy;
}

export interface CallOptions {
  /** Content-Type of the request body; patches need one (client-node defaults to JSON Patch). */
  contentType?: string;
}

/** Request options for one try: the abort signal, and the patch content type when given. */
function tryOptions(signal: AbortSignal, contentType: string | undefined): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (request) => {
      request.setSignal(signal);
      if (contentType) request.setHeaderParam("Content-Type", contentType);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: "append" };
}

interface Failure {
  error: SmoError;
  retryable: boolean;
}

/** The Status object a Kubernetes API server answers with, when the body is one. */
function statusBody(body: unknown): { reason?: string; message?: string } {
  if (typeof body === "string") {
    try {
      return statusBody(JSON.parse(body));
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  if (body && typeof body === "object") return body as { reason?: string; message?: string };
  return {};
}

export function classify(what: string, err: unknown, timedOut: boolean): Failure {
  if (err instanceof SmoError) return { error: err, retryable: false };
  const e = err as { code?: unknown; body?: unknown; name?: string; type?: string; message?: string };
  if (typeof e?.code === "number" && "body" in (e as object)) {
    const code = e.code;
    const status = statusBody(e.body);
    const detail = `${what}: HTTP ${code}${status.reason ? ` ${status.reason}` : ""}${status.message ? `: ${status.message}` : ""}`;
    if (code === 404) return { error: new NotFoundError(detail, { cause: err }), retryable: false };
    if (code === 409) {
      const error = status.reason === "AlreadyExists" ? new AlreadyExistsError(detail) : new ConflictError(detail);
      return { error, retryable: false };
    }
    if (code === 429 || code >= 500) return { error: new UnavailableError(detail, { cause: err }), retryable: true };
    if (code === 400 || code === 422) return { error: new InvalidArgumentError(detail), retryable: false };
    return { error: new FailedPreconditionError(detail, { cause: err }), retryable: false };
  }
  if (timedOut || e?.name === "AbortError") {
    return { error: new UnavailableError(`${what}: no answer from the Karmada API in time`, { cause: err }), retryable: false };
  }
  if (e?.name === "FetchError" || e?.type === "system") {
    return { error: new UnavailableError(`${what}: ${e.message ?? "connection failed"}`, { cause: err }), retryable: true };
  }
  return { error: new UnavailableError(`${what}: ${e?.message ?? String(err)}`, { cause: err }), retryable: false };
}

/** Runs `attempt` until it succeeds, a non-transient error occurs, the tries or the deadline run out. */
export async function callKube<T>(
  policy: CallPolicy,
  what: string,
  attempt: (options: ConfigurationOptions<ObservableMiddleware>) => Promise<T>,
  options: CallOptions = {},
): Promise<T> {
  const deadline = Date.now() + policy.timeoutMs;
  for (let tryIndex = 0; ; tryIndex++) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new UnavailableError(`${what}: no answer from the Karmada API within ${policy.timeoutMs} ms`);
    const signal = AbortSignal.timeout(remaining);
    let failure: Failure;
    try {
      return await attempt(tryOptions(signal, options.contentType));
    } catch (err) {
      failure = classify(what, err, signal.aborted);
    }
    const delay = backoffDelay(policy.retry, tryIndex);
    if (!failure.retryable || tryIndex + 1 >= policy.retry.attempts || Date.now() + delay >= deadline) throw failure.error;
    policy.logger.warn({ op: what, try: tryIndex + 1, delayMs: delay, err: failure.error.message }, "karmada call failed; retrying");
    await sleep(delay);
  }
}

/** NotFound as undefined, for reads of objects that may legitimately be absent. */
export async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** NotFound ignored, for idempotent deletes. */
export async function ignoreNotFound(promise: Promise<unknown>): Promise<void> {
  await orUndefined(promise);
}
