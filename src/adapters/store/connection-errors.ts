// Database failures that are about reaching the server, not about the statement: refused or lost connections,
// a server shutting down or out of connection slots. They map to UnavailableError (retryable) wherever a
// store call meets them, instead of surfacing as raw driver errors (INTERNAL at the API).
import { UnavailableError } from "../../core/errors.js";

/**
 * SQLSTATEs of connection exceptions (class 08), of a server that is going away or full, and of the session
 * timeouts smo sets (57014 statement_timeout, 55P03 lock_timeout, 25P03 idle_in_transaction_session_timeout):
 * a statement stopped by a timeout is retryable, not an internal error.
 */
const UNAVAILABLE_STATES = /^(08...|57P01|57P02|57P03|53300|57014|55P03|25P03)$/;

/** Network-level failures (refused, unresolvable, timed out, dropped), as opposed to SQL errors on a statement. */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (/^E[A-Z]+$/.test(code) || UNAVAILABLE_STATES.test(code))) return true;
  return error instanceof Error && /timeout expired|timeout exceeded when trying to connect|Connection terminated|connection is closed|Client has encountered a connection error/i.test(error.message);
}

export function describeError(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(describeError).join("; ");
  return error instanceof Error ? error.message || String((error as { code?: unknown }).code ?? error.name) : String(error);
}

/** Re-throws a connection failure as UnavailableError (cause kept); anything else unchanged. */
export function mapConnectionFailure(error: unknown): never {
  if (error instanceof UnavailableError || !isConnectionFailure(error)) throw error;
  throw new UnavailableError(`database unavailable: ${describeError(error)}`, { cause: error });
}
