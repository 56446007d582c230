// Failures of the simulated API server, carried as the Kubernetes `Status` object a real server answers with,
// so that kubectl and client-node print and classify them exactly as they would against Kubernetes.
import type { ResourceType } from "./resources.js";

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Record<string, unknown> {
    return statusObject("Failure", this.code, this.reason, this.message, this.details);
  }
}

export function statusObject(
  status: "Success" | "Failure",
  code: number,
  reason: string | undefined,
  message: string | undefined,
  details?: StatusDetails,
): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: "Status", apiVersion: "v1", metadata: {}, status };
  if (message) out.message = message;
  if (reason) out.reason = reason;
  if (details) out.details = details;
  out.code = code;
  return out;
}

/** "deployments.apps" / "namespaces": how the server names a resource in messages. */
export function qualifiedName(t: ResourceType): string {
  return t.group ? `${t.plural}.${t.group}` : t.plural;
}

function detailsOf(t: ResourceType, name: string): StatusDetails {
  const d: StatusDetails = { name, kind: t.plural };
  if (t.group) d.group = t.group;
  return d;
}

export function notFound(t: ResourceType, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedName(t)} "${name}" not found`, detailsOf(t, name));
}

export function alreadyExists(t: ResourceType, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedName(t)} "${name}" already exists`, detailsOf(t, name));
}

export function conflict(t: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedName(t)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(t, name),
  );
}

export function invalid(t: ResourceType, name: string, causes: StatusCause[]): ApiError {
  const each = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  // apimachinery's aggregate error: one error bare, several in brackets.
  const list = each.length === 1 ? each[0] : `[${each.join(", ")}]`;
  const d: StatusDetails = { name, kind: t.kind, causes: causes.map((c) => ({ reason: c.reason ?? "FieldValueInvalid", ...c })) };
  if (t.group) d.group = t.group;
  return new ApiError(422, "Invalid", `${t.kind}${t.group ? `.${t.group}` : ""} "${name}" is invalid: ${list}`, d);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

export function pathNotFound(): ApiError {
  return new ApiError(404, "NotFound", "the server could not find the requested resource");
}

export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

/** A watch from a resourceVersion the server has not reached (e.g. after a restart): 504, as the watch cache says. */
export function tooLargeResourceVersion(rv: number, current: number): ApiError {
  return new ApiError(504, "Timeout", `Too large resource version: ${rv}, current: ${current}`, {
    causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
  });
}
