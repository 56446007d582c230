// The one place that decides status codes: typed core errors → ConnectError (with google.rpc details),
// and ConnectError → the gRPC status grpc-js sends (google.rpc.Status in `grpc-status-details-bin`).
import { Code, ConnectError } from "@connectrpc/connect";
import { Metadata, status as GrpcStatus, type StatusObject } from "@grpc/grpc-js";
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema, anyPack, type Any } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema } from "../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../gen/google/rpc/status_pb.js";
import {
  AlreadyExistsError,
  ConflictError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  TimeoutError,
  UnavailableError,
} from "../core/errors.js";
import type { Logger } from "../observability/logger.js";

export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** What a client sees for an error we did not anticipate; the stack goes to the log only. */
export const INTERNAL_MESSAGE = "internal error; the server log has the details";

const CODE_OF: [new (...args: never[]) => Error, Code][] = [
  [NotFoundError, Code.NotFound],
  [AlreadyExistsError, Code.AlreadyExists],
  [FailedPreconditionError, Code.FailedPrecondition],
  [UnavailableError, Code.Unavailable],
  [ConflictError, Code.Aborted],
  [TimeoutError, Code.DeadlineExceeded],
];

/** Maps anything a handler throws to a ConnectError; unknown errors are logged with their stack. */
export function toConnectError(err: unknown, logger: Logger, where: string): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof InvalidArgumentError) {
    const badRequest = { fieldViolations: err.violations.map((v) => ({ field: v.field, description: v.description })) };
    return new ConnectError(err.message, Code.InvalidArgument, undefined, [{ desc: BadRequestSchema, value: badRequest }], err);
  }
  for (const [type, code] of CODE_OF) {
    if (err instanceof type) return new ConnectError(err.message, code, undefined, undefined, err);
  }
  logger.error({ err, rpc: where }, "unexpected error in RPC handler");
  return new ConnectError(INTERNAL_MESSAGE, Code.Internal, undefined, undefined, err);
}

/** SCREAMING_SNAKE gRPC name of a code (NOT_FOUND), as printed by the CLI and used as a metric label. */
export function grpcCodeName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string>)[code] ?? `CODE_${code}`;
}

/** ConnectError details as google.protobuf.Any, whichever form (outgoing desc+value or received bytes) they are in. */
function detailsAsAny(err: ConnectError): Any[] {
  return err.details.map((d) =>
    "desc" in d
      ? anyPack(d.desc, create(d.desc, d.value))
      : create(AnySchema, { typeUrl: `type.googleapis.com/${d.type}`, value: d.value }),
  );
}

/** The status grpc-js sends for a ConnectError: code, message, and a google.rpc.Status trailer when there are details. */
export function toGrpcStatus(err: ConnectError): Pick<StatusObject, "code" | "details" | "metadata"> {
  const metadata = new Metadata();
  err.metadata.forEach((value, key) => {
    if (!key.endsWith("-bin") && !key.startsWith("grpc-")) metadata.set(key, value);
  });
  if (err.details.length > 0) {
    const statusProto = create(StatusSchema, { code: err.code, message: err.rawMessage, details: detailsAsAny(err) });
    metadata.set(STATUS_DETAILS_KEY, Buffer.from(toBinary(StatusSchema, statusProto)));
  }
  return { code: err.code as number as GrpcStatus, details: err.rawMessage, metadata };
}
