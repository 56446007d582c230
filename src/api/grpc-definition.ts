// grpc-js service definitions built from protobuf-es service descriptors: the codecs are protobuf-es
// toBinary/fromBinary, so no proto-loader and no second code generator; plain small messages go through codecs
// compiled from the same descriptors first (compiled-codec.ts). Used by the server and the CLI client.
import type { ServiceDefinition, MethodDefinition } from "@grpc/grpc-js";
import { UndecodableRequest } from "./request-strings.js";
import { encodeMessage } from "./wire-cache.js";
import { compileDecoder, compileEncoder } from "./compiled-codec.js";
import { create, fromBinary, isMessage, type DescMessage, type DescService, type MessageShape } from "@bufbuild/protobuf";

/** Handlers may return a message init shape (plain object); complete it before encoding (parts already encoded are spliced in: wire-cache.ts). */
export function encoder(schema: DescMessage): (value: unknown) => Buffer {
  const compiled = compileEncoder(schema);
  return (value) => {
    const plain = compiled?.(value);
    if (plain) return plain as Buffer;
    const message = isMessage(value, schema) ? value : create(schema, value as never);
    const bytes = encodeMessage(schema, message as MessageShape<DescMessage>);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

export function decoder(schema: DescMessage): (bytes: Buffer) => unknown {
  const compiled = compileDecoder(schema);
  return (bytes) => compiled?.(bytes) ?? fromBinary(schema, bytes);
}

/**
 * The server side: bytes that do not decode (invalid UTF-8 in a string, truncated fields) become an
 * UndecodableRequest that the handler wrapper answers with INVALID_ARGUMENT; thrown here, grpc-js would
 * answer INTERNAL.
 */
export function requestDecoder(schema: DescMessage): (bytes: Buffer) => unknown {
  const compiled = compileDecoder(schema);
  return (bytes) => {
    const plain = compiled?.(bytes);
    if (plain) return plain;
    try {
      return fromBinary(schema, bytes);
    } catch (err) {
      return new UndecodableRequest(err instanceof Error ? err.message : String(err));
    }
  };
}

/** Keys are the methods' local names (listGraphs), which become the client's method names. */
export function grpcServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: encoder(method.input),
      requestDeserialize: requestDecoder(method.input),
      responseSerialize: encoder(method.output),
      responseDeserialize: decoder(method.output),
      originalName: method.name,
    };
  }
  return definition as ServiceDefinition;
}
