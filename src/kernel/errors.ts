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

/**
 * Bad input: INVALID_ARGUMENT with google.rpc.BadRequest field violations. The field paths are data: a caller
 * that names the fields differently re-roots them with withFields(), never by reading the message.
 */
export class InvalidArgumentError extends SmoError {
  constructor(
    message: string,
    readonly violations: FieldViolation[] = [],
    /** What was invalid ("placement problem") when the message was written from the violations. */
    readonly subject?: string,
  ) {
    super(message);
  }

  /** "invalid SUBJECT: field description; …" from the first three violations. */
  static fromViolations(subject: string, violations: FieldViolation[]): InvalidArgumentError {
    const first = violations.slice(0, 3).map((v) => `${v.field} ${v.description}`).join("; ");
    const more = violations.length > 3 ? ` (and ${violations.length - 3} more)` : "";
    return new InvalidArgumentError(`invalid ${subject}: ${first}${more}`, violations, subject);
  }

  /** The same error with every field path passed through `rename` (the message follows when built from them). */
  withFields(rename: (field: string) => string): InvalidArgumentError {
    const violations = this.violations.map((v) => ({ ...v, field: rename(v.field) }));
    return this.subject !== undefined
      ? InvalidArgumentError.fromViolations(this.subject, violations)
      : new InvalidArgumentError(this.message, violations);
  }

  hasField(field: string): boolean {
    return this.violations.some((v) => v.field === field);
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
