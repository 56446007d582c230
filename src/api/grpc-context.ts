// The connect HandlerContext of a call served by grpc-js, built lazily: most calls (GetGraph, ReportLoad) never
// look at the signal or the headers, and connect's createHandlerContext pays per call for an AbortController
// linked to the shutdown signal, a deadline timer and four Headers objects. Here the signal exists only once a
// handler reads it, the request headers only once read, and the end of the call costs nothing when neither was.
import * as grpc from "@grpc/grpc-js";
import { ConnectError, Code, createContextValues, type ContextValues, type HandlerContext } from "@connectrpc/connect";
import type { DescMethod, DescService } from "@bufbuild/protobuf";

/** Lets instrument.ts read why a call ended without forcing a signal into existence. */
export interface AbortPeek {
  peekAbortReason(): unknown;
}

/** Every value of every key (getMap would keep only the first of a repeated key); binary ones in base64. */
function metadataToHeaders(metadata: grpc.Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.toJSON())) {
    for (const value of values) headers.append(key, Buffer.isBuffer(value) ? value.toString("base64") : String(value));
  }
  return headers;
}

/** How early a cancel may arrive and still be the client's deadline (see cancelReason). */
const DEADLINE_GRACE_MS = 50;

type Call = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

function cancelledError(): ConnectError {
  return new ConnectError("the client cancelled the call", Code.Canceled);
}

function deadlineError(): ConnectError {
  return new ConnectError("the call's deadline was exceeded", Code.DeadlineExceeded);
}

export class GrpcHandlerContext implements HandlerContext, AbortPeek {
  readonly protocolName = "grpc";
  readonly requestMethod = "POST";
  private controller: AbortController | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private detach: (() => void) | undefined;
  private headers: Headers | undefined;
  private responseHeaders: Headers | undefined;
  private responseTrailers: Headers | undefined;
  private contextValues: ContextValues | undefined;
  private ended = false;
  /** Epoch ms of the client's deadline, if it sent one. */
  private readonly deadlineAt: number | undefined;

  constructor(
    readonly service: DescService,
    readonly method: DescMethod,
    private readonly call: Call,
    private readonly shutdownSignal: AbortSignal,
  ) {
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    this.deadlineAt = Number.isFinite(at) ? at : undefined;
  }

  get url(): string {
    return `/${this.service.typeName}/${this.method.name}`;
  }

  readonly timeoutMs = (): number | undefined => (this.deadlineAt === undefined ? undefined : Math.max(0, this.deadlineAt - Date.now()));

  get requestHeader(): Headers {
    return (this.headers ??= metadataToHeaders(this.call.metadata));
  }

  get responseHeader(): Headers {
    return (this.responseHeaders ??= new Headers());
  }

  get responseTrailer(): Headers {
    return (this.responseTrailers ??= new Headers());
  }

  get values(): ContextValues {
    return (this.contextValues ??= createContextValues());
  }

  /** Aborted when the client cancels, the deadline passes, the server is forced down, or the call has ended. */
  get signal(): AbortSignal {
    return (this.controller ??= this.link()).signal;
  }

  peekAbortReason(): unknown {
    if (this.controller) return this.controller.signal.aborted ? this.controller.signal.reason : undefined;
    if (this.call.cancelled) return this.cancelReason();
    if (this.pastDeadline()) return deadlineError();
    if (this.shutdownSignal.aborted) return this.shutdownSignal.reason;
    return undefined;
  }

  /** The call is over (answered or failed): a signal handed out is aborted, listeners and timer released. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    if (this.controller && !this.controller.signal.aborted) this.controller.abort(new ConnectError("the call has ended", Code.Canceled));
  }

  private link(): AbortController {
    const controller = new AbortController();
    const early = this.ended ? new ConnectError("the call has ended", Code.Canceled) : this.peekAbortReason();
    if (early !== undefined) {
      controller.abort(early);
      return controller;
    }
    const abort = (reason: unknown): void => {
      this.release();
      if (!controller.signal.aborted) controller.abort(reason);
    };
    const onCancelled = () => abort(this.cancelReason());
    const onShutdown = () => abort(this.shutdownSignal.reason);
    this.call.once("cancelled", onCancelled);
    this.shutdownSignal.addEventListener("abort", onShutdown, { once: true });
    if (this.deadlineAt !== undefined) this.deadlineTimer = setTimeout(() => abort(deadlineError()), this.deadlineAt - Date.now());
    this.detach = () => {
      this.call.removeListener("cancelled", onCancelled);
      this.shutdownSignal.removeEventListener("abort", onShutdown);
    };
    return controller;
  }

  private pastDeadline(): boolean {
    return this.deadlineAt !== undefined && Date.now() >= this.deadlineAt;
  }

  /**
   * grpc-js cancels a call whose deadline passed as well, and a client whose own deadline timer fired first
   * resets the stream a moment before ours is due (its deadline and ours differ by the request's transit time):
   * a cancel that close to the deadline is the deadline.
   */
  private cancelReason(): ConnectError {
    const dueSoon = this.deadlineAt !== undefined && Date.now() >= this.deadlineAt - DEADLINE_GRACE_MS;
    return dueSoon ? deadlineError() : cancelledError();
  }

  private release(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.detach?.();
    this.detach = undefined;
  }
}
