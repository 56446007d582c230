// Every string of a request is checked before a handler sees it: NUL cannot be stored in PostgreSQL text
// (it surfaced as INTERNAL with the database's message), and a request whose bytes were not UTF-8 must not be
// stored with replacement characters in place of what the client sent. Both are INVALID_ARGUMENT naming the
// field, on every transport:
//   - gRPC (binary): protobuf-es refuses invalid UTF-8 while decoding; requestDecoder turns that into an
//     UndecodableRequest, reported here instead of grpc-js's INTERNAL "error deserializing";
//   - Connect JSON: the body is decoded leniently before JSON parsing, so invalid bytes arrive as U+FFFD.
//     A string holding U+FFFD is refused: no name or descriptor of ours has a reason to contain it.
import { InvalidArgumentError, type FieldViolation } from "../core/errors.js";

/** What the gRPC decoder hands on when the request bytes are not a valid message. */
export class UndecodableRequest {
  constructor(readonly reason: string) {}
}

const MAX_REPORTED = 10;

/** Throws InvalidArgumentError when the request was undecodable or a string in it holds NUL or U+FFFD. */
export function checkRequestStrings(input: unknown): void {
  if (input instanceof UndecodableRequest) {
    const utf8 = /utf-?8/i.test(input.reason);
    const description = utf8 ? "a string field is not valid UTF-8" : `not a valid message: ${input.reason.slice(0, 200)}`;
    throw new InvalidArgumentError(`invalid request: ${description}`, [{ field: "", description }]);
  }
  if (!input || typeof input !== "object" || Symbol.asyncIterator in input) return;
  // Every request passes through here: a field's path is spelled out only for a bad string, not for every field.
  const violations: FieldViolation[] = [];
  const stack: Visit[] = [{ value: input }];
  while (stack.length > 0 && violations.length < MAX_REPORTED) {
    const visit = stack.pop()!;
    const { value } = visit;
    if (typeof value === "string") {
      if (value.includes("\u0000")) violations.push({ field: pathOf(visit), description: "must not contain NUL characters" });
      else if (value.includes("\uFFFD")) violations.push({ field: pathOf(visit), description: "must be valid UTF-8 (found U+FFFD, the replacement character)" });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, parent: visit, key: i }));
    } else if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
      for (const [key, v] of Object.entries(value)) {
        if (key === "$typeName" || key === "$unknown") continue;
        // Map keys (labels, current placements) are strings too.
        if (key.includes("\u0000") || key.includes("\uFFFD")) violations.push({ field: `${pathOf(visit)} (a key)`, description: "keys must be valid UTF-8 without NUL" });
        stack.push({ value: v, parent: visit, key });
      }
    }
  }
  if (violations.length > 0) {
    throw new InvalidArgumentError(`invalid request: ${violations[0]!.field} ${violations[0]!.description}`, violations);
  }
}

/** A value met on the walk, with how it was reached (its path is built only when reported). */
interface Visit {
  value: unknown;
  parent?: Visit;
  /** Field name, map key or list index within the parent. */
  key?: string | number;
}

/** `a.b[2].c`, or "" for the request itself. */
function pathOf(visit: Visit): string {
  if (!visit.parent) return "";
  const parent = pathOf(visit.parent);
  if (typeof visit.key === "number") return `${parent}[${visit.key}]`;
  return parent ? `${parent}.${visit.key}` : String(visit.key);
}
