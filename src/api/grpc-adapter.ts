// Mounts connect-es ServiceImpl objects on a grpc-js Server, so handlers are written once for both
// servers. Each call gets a connect HandlerContext over the grpc-js call (grpc-context.ts: metadata, deadline,
// cancellation, server shutdown, all built only when a handler reads them).
import * as grpc from "@grpc/grpc-js";
import { ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { once } from "node:events";
import { grpcServiceDefinition } from "./grpc-definition.js";
import { toGrpcStatus } from "./errors.js";
import { GrpcHandlerContext } from "./grpc-context.js";

type AnyMethodImpl = (input: unknown, context: HandlerContext) => unknown;

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> & Partial<grpc.ServerWritableStream<unknown, unknown>>;

function asGrpcError(err: unknown): Partial<grpc.StatusObject> {
  const connectError = ConnectError.from(err);
  return toGrpcStatus(connectError);
}

async function writeAll(
  call: grpc.ServerWritableStream<unknown, unknown>,
  responses: AsyncIterable<unknown>,
  signal: AbortSignal,
): Promise<void> {
  for await (const response of responses) {
    if (call.cancelled) return;
    // Backpressure; the signal (client cancel, forced shutdown) ends the wait.
    if (!call.write(response)) await once(call, "drain", { signal });
  }
}

function methodHandler(service: DescService, method: DescMethod, impl: AnyMethodImpl, shutdownSignal: AbortSignal) {
  const streamsIn = method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming";
  const streamsOut = method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming";
  if (!streamsOut) {
    // The hottest path (ReportLoad, GetGraph): one promise reaction per call, not a chain of three.
    return (call: AnyCall, callback: grpc.sendUnaryData<unknown>) => {
      const context = new GrpcHandlerContext(service, method, call, shutdownSignal);
      const input = streamsIn ? (call as unknown as AsyncIterable<unknown>) : call.request;
      const answer = (response: unknown) => {
        callback(null, response);
        context.end();
      };
      const fail = (err: unknown) => {
        callback(asGrpcError(err));
        context.end();
      };
      let result: unknown;
      try {
        result = impl(input, context);
      } catch (err) {
        fail(err);
        return;
      }
      if (result instanceof Promise) result.then(answer, fail);
      else answer(result);
    };
  }
  return (call: AnyCall) => {
    const stream = call as grpc.ServerWritableStream<unknown, unknown>;
    const context = new GrpcHandlerContext(service, method, call, shutdownSignal);
    const input = streamsIn ? (call as unknown as AsyncIterable<unknown>) : call.request;
    Promise.resolve()
      .then(() => writeAll(stream, impl(input, context) as AsyncIterable<unknown>, context.signal))
      .then(
        () => stream.end(),
        (err: unknown) => stream.emit("error", asGrpcError(err)),
      )
      .finally(() => context.end());
  };
}

/** Adds `impl` (already instrumented) to `server` under the service's gRPC paths. */
export function addServiceImpl<S extends DescService>(
  server: grpc.Server,
  service: S,
  impl: ServiceImpl<S>,
  shutdownSignal: AbortSignal,
): void {
  const methods = impl as unknown as Record<string, AnyMethodImpl>;
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const fn = methods[method.localName];
    if (fn) handlers[method.localName] = methodHandler(service, method, fn.bind(impl), shutdownSignal) as grpc.UntypedHandleCall;
  }
  server.addService(grpcServiceDefinition(service), handlers);
}
