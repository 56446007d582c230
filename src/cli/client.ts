// The gRPC client the CLI commands (and the Hop3-side examples, benches and tests) use: grpc-js with the
// protobuf-es codecs, typed by the generated method descriptors. One channel per client.
import * as grpc from "@grpc/grpc-js";
import { fromBinary, type DescMessage, type DescMethodClientStreaming, type DescMethodServerStreaming, type DescMethodUnary, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema } from "../gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../gen/google/rpc/status_pb.js";
import { decoder, encoder } from "../api/grpc-definition.js";

export const DEFAULT_ADDRESS = "127.0.0.1:50051";

export interface ClientOptions {
  /** host:port or unix:///absolute/path. */
  address: string;
  /** Sent as `authorization: Bearer <token>` when set. */
  token?: string;
  /** Deadline of unary and client-stream calls (default 30 s). */
  deadlineMs?: number;
  /** Extra metadata sent with every call. */
  metadata?: Record<string, string>;
}

/**
 * --address flag, else SMO_ADDRESS, else 127.0.0.1:50051; --token flag, else SMO_TOKEN. The flag exists because
 * kubectl, helm and grpcurl have one; the variable stays the advice since argv is visible to other users' ps.
 */
export function clientOptionsFrom(flags: { address?: string; token?: string }, env: NodeJS.ProcessEnv): ClientOptions {
  return {
    address: flags.address || env.SMO_ADDRESS || DEFAULT_ADDRESS,
    token: flags.token || env.SMO_TOKEN || undefined,
  };
}

type Method<I extends DescMessage, O extends DescMessage> =
  | DescMethodUnary<I, O>
  | DescMethodServerStreaming<I, O>
  | DescMethodClientStreaming<I, O>;

function pathOf(method: Method<DescMessage, DescMessage>): string {
  return `/${method.parent.typeName}/${method.name}`;
}

export class SmoClient {
  private readonly client: grpc.Client;
  private readonly metadata: grpc.Metadata;
  private readonly deadlineMs: number;

  constructor(options: ClientOptions) {
    this.client = new grpc.Client(options.address, grpc.credentials.createInsecure());
    this.metadata = new grpc.Metadata();
    if (options.token) this.metadata.set("authorization", `Bearer ${options.token}`);
    for (const [k, v] of Object.entries(options.metadata ?? {})) this.metadata.set(k, v);
    this.deadlineMs = options.deadlineMs ?? 30_000;
  }

  unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    request: MessageInitShape<I>,
  ): Promise<MessageShape<O>> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        pathOf(method),
        encoder(method.input),
        decoder(method.output) as (b: Buffer) => MessageShape<O>,
        request,
        this.metadata.clone(),
        { deadline: Date.now() + this.deadlineMs },
        (err, response) => (err ? reject(err) : resolve(response!)),
      );
    });
  }

  /** Messages until the server ends the stream; abort `signal` to cancel. */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodServerStreaming<I, O>,
    request: MessageInitShape<I>,
    signal?: AbortSignal,
  ): AsyncIterable<MessageShape<O>> {
    const call = this.client.makeServerStreamRequest(
      pathOf(method),
      encoder(method.input),
      decoder(method.output) as (b: Buffer) => MessageShape<O>,
      request,
      this.metadata.clone(),
    );
    const cancel = () => call.cancel();
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      for await (const message of call as AsyncIterable<MessageShape<O>>) yield message;
    } finally {
      signal?.removeEventListener("abort", cancel);
      call.cancel();
    }
  }

  clientStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethodClientStreaming<I, O>,
    requests: Iterable<MessageInitShape<I>> | AsyncIterable<MessageInitShape<I>>,
  ): Promise<MessageShape<O>> {
    return new Promise((resolve, reject) => {
      const call = this.client.makeClientStreamRequest(
        pathOf(method),
        encoder(method.input),
        decoder(method.output) as (b: Buffer) => MessageShape<O>,
        this.metadata.clone(),
        { deadline: Date.now() + this.deadlineMs },
        (err, response) => (err ? reject(err) : resolve(response!)),
      );
      void (async () => {
        try {
          for await (const request of requests) {
            if (!call.write(request)) await new Promise((r) => call.once("drain", r));
          }
          call.end();
        } catch (err) {
          call.cancel();
          reject(err);
        }
      })();
    });
  }

  /** Starts connecting now (or again, after the channel went idle), so the next call does not pay the handshake. */
  connect(): void {
    this.client.getChannel().getConnectivityState(true);
  }

  close(): void {
    this.client.close();
  }
}

export interface FieldViolation {
  field: string;
  description: string;
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as grpc.ServiceError).code === "number" && "metadata" in err;
}

/** google.rpc.BadRequest field violations from the `grpc-status-details-bin` trailer, if any. */
export function badRequestViolations(err: unknown): FieldViolation[] {
  if (!isServiceError(err)) return [];
  const raw = err.metadata?.get("grpc-status-details-bin")[0];
  if (!Buffer.isBuffer(raw)) return [];
  const status = fromBinary(StatusSchema, raw);
  return status.details.flatMap((any) => anyUnpack(any, BadRequestSchema)?.fieldViolations ?? []).map((v) => ({
    field: v.field,
    description: v.description,
  }));
}

/** `gRPC status NOT_FOUND: graph "x" not found`, plus one line per field violation. */
export function describeError(err: unknown): string {
  if (!isServiceError(err)) return err instanceof Error ? err.message : String(err);
  const name = (grpc.status as unknown as Record<number, string>)[err.code] ?? String(err.code);
  const lines = [`gRPC status ${name}: ${err.details}`];
  for (const v of badRequestViolations(err)) lines.push(`  ${v.field}: ${v.description}`);
  return lines.join("\n");
}
