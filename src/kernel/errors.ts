// Typed failures that every layer throws (solver, core, adapters, sim); src/api maps each to its gRPC status
// code (and google.rpc details), the CLI prints them. Nothing else should decide a status code.

export interface FieldViolation {
  /** Full path of the offending field, e.g. hdaGraph.services[1].deployment.intent.compute.cpu */
  field: string;
  description: string;
}

export class SmoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input: INVALID_ARGUMENT with google.rpc.BadRequest field violations. */
export class InvalidArgumentError extends SmoError {
  constructor(
    message: string,
    readonly violations: FieldViolation[] = [],
  ) {
    super(message);
  }
}

export class NotFoundError extends SmoError {}
export class AlreadyExistsError extends SmoError {}
/** The state forbids the call (start a running graph, infeasible placement): FAILED_PRECONDITION. */
export class FailedPreconditionError extends SmoError {}
/** A dependency (Karmada, Prometheus, registry) cannot be reached; retryable: UNAVAILABLE. */
export class UnavailableError extends SmoError {}
/** Optimistic concurrency lost (HTTP 409 on update): ABORTED. */
export class ConflictError extends SmoError {}
/** A deadline passed: DEADLINE_EXCEEDED. */
export class TimeoutError extends SmoError {}
