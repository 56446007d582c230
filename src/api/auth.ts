// Bearer-token check for the TCP listeners (gRPC and HTTP). The Unix socket relies on its file mode
// (0600) instead. Tokens are compared through their SHA-256 digests with timingSafeEqual, so neither the
// content nor the length of the expected token leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { Health } from "../gen/grpc/health/v1/health_pb.js";

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

export const UNAUTHENTICATED_MESSAGE = "missing or wrong bearer token (send the header `authorization: Bearer <SMO_TOKEN>`)";

/** Checks an `authorization` header value against the expected token. */
export function createTokenCheck(token: string): (authorization: string | undefined | null) => boolean {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
    return match !== null && timingSafeEqual(digest(match[1]!), expected);
  };
}

/** Health stays open: kubelet/systemd probes cannot send a token, and serving status reveals nothing. */
const OPEN_GRPC_PREFIX = `/${Health.typeName}/`;

/** grpc-js server interceptor answering UNAUTHENTICATED before any handler runs. */
export function grpcAuthInterceptor(token: string): grpc.ServerInterceptor {
  const isValid = createTokenCheck(token);
  return (methodDescriptor, call) => {
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        const value = metadata.get("authorization")[0];
        if (methodDescriptor.path.startsWith(OPEN_GRPC_PREFIX) || isValid(typeof value === "string" ? value : undefined)) {
          next(metadata);
        } else {
          call.sendStatus({ code: grpc.status.UNAUTHENTICATED, details: UNAUTHENTICATED_MESSAGE, metadata: new grpc.Metadata() });
        }
      })
      .build();
    const responder = new grpc.ResponderBuilder().withStart((next) => next(listener)).build();
    return new grpc.ServerInterceptingCall(call, responder);
  };
}

/** connect-node interceptor for the HTTP port's RPC routes. */
export function connectAuthInterceptor(token: string): Interceptor {
  const isValid = createTokenCheck(token);
  return (next) => async (req) => {
    if (!isValid(req.header.get("authorization"))) throw new ConnectError(UNAUTHENTICATED_MESSAGE, Code.Unauthenticated);
    return next(req);
  };
}
