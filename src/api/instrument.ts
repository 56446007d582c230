// Wraps a ServiceImpl once per transport: maps errors (errors.ts), records the per-RPC metrics, and counts
// in-flight calls so that shutdown can drain them. Both servers mount the wrapped impl, so handlers stay
// free of transport concerns.
import { checkRequestStrings } from "./request-strings.js";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { grpcCodeName, toConnectError } from "./errors.js";
import type { Logger } from "../observability/logger.js";
import type { RpcCount, RpcLabelValues, RpcMetrics } from "../observability/metrics.js";
import type { AbortPeek } from "./grpc-context.js";
import { runInCall } from "../kernel/call-context.js";

/** Counts calls in progress; `whenIdle()` resolves once none is left. */
export class InFlightCalls {
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  begin(): void {
    this.count++;
  }

  end(): void {
    this.count--;
    if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
  }

  whenIdle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

export interface InstrumentOptions {
  metrics: RpcMetrics;
  logger: Logger;
  /** Metric label: grpc, grpc-uds, connect, in-process. */
  transport: string;
  inFlight: InFlightCalls;
  /** Aborted when shutdown starts: streaming calls see it on their context signal and end. */
  streamShutdown?: AbortSignal;
}

/**
 * The code of a call whose handler returned normally: CANCELLED or DEADLINE_EXCEEDED when the client went away
 * or ran out of time meanwhile (the transport aborts the signal with a ConnectError saying which), else OK.
 */
function completionCode(context: HandlerContext): number {
  // A lazily built context (grpc-context.ts) answers without creating a signal just to be asked.
  const peek = (context as Partial<AbortPeek>).peekAbortReason;
  const reason: unknown = peek ? peek.call(context) : context.signal.aborted ? context.signal.reason : undefined;
  return reason instanceof ConnectError ? reason.code : 0;
}

function abortReason(context: HandlerContext): unknown {
  const peek = (context as Partial<AbortPeek>).peekAbortReason;
  return peek ? peek.call(context) : context.signal.reason;
}

/** The same context with another signal; every other property still reads from the original. */
function withSignal(context: HandlerContext, signal: AbortSignal): HandlerContext {
  return Object.create(context, { signal: { value: signal, enumerable: true } }) as HandlerContext;
}

// Method implementations are called through this loose signature; their kind decides the shape.
type AnyMethodImpl = (input: unknown, context: HandlerContext) => unknown;

function unimplemented(service: DescService, method: DescMethod): AnyMethodImpl {
  return () => {
    throw new ConnectError(`${service.typeName}/${method.name} is not implemented by this server`, Code.Unimplemented);
  };
}

/** The same impl with error mapping, metrics and in-flight accounting around every method. */
export function instrumentService<S extends DescService>(
  service: S,
  impl: Partial<ServiceImpl<S>>,
  options: InstrumentOptions,
): ServiceImpl<S> {
  const wrapped: Record<string, AnyMethodImpl> = {};
  const methods = impl as Record<string, AnyMethodImpl | undefined>;
  for (const method of service.methods) {
    const inner = methods[method.localName]?.bind(impl) ?? unimplemented(service, method);
    const where = `${service.typeName}/${method.name}`;
    const callLabels = { service: service.typeName, method: method.name, transport: options.transport };
    const inFlight = options.metrics.inFlight(callLabels);
    const begin = (): bigint => {
      options.inFlight.begin();
      inFlight.value++;
      return process.hrtime.bigint();
    };
    // Labels and counts per code seen, so a call allocates none.
    const byCode = new Map<number, { labels: RpcLabelValues; completed: RpcCount }>();
    const finish = (started: bigint, code: number): void => {
      let seen = byCode.get(code);
      if (!seen) {
        const labels = { ...callLabels, code: grpcCodeName(code) };
        byCode.set(code, (seen = { labels, completed: options.metrics.completed(labels) }));
      }
      options.metrics.duration.observe(seen.labels, Number(process.hrtime.bigint() - started) / 1e9);
      seen.completed.value++;
      inFlight.value--;
      options.inFlight.end();
    };
    const fail = (started: bigint, err: unknown): ConnectError => {
      const mapped = toConnectError(err, options.logger, where);
      finish(started, mapped.code);
      return mapped;
    };
    if (method.methodKind === "unary" || method.methodKind === "client_streaming") {
      wrapped[method.localName] = async (input, context) => {
        const started = begin();
        let result: unknown;
        // The store cancels the call's running statement when its deadline passes (kernel/call-context.ts).
        const scope = { signal: () => context.signal, done: false };
        try {
          checkRequestStrings(input);
          result = await runInCall(scope, () => inner(input, context));
        } catch (err) {
          // A statement cancelled for the call's deadline fails as a database error; the call answers why.
          const code = completionCode(context);
          throw fail(started, code === Code.DeadlineExceeded || code === Code.Canceled ? abortReason(context) : err);
        } finally {
          scope.done = true;
        }
        finish(started, completionCode(context));
        return result;
      };
    } else {
      wrapped[method.localName] = async function* (input, context) {
        const started = begin();
        // Stays CANCELLED when the consumer stops iterating (client went away) before the stream ended.
        let code: number = Code.Canceled;
        try {
          const shutdown = options.streamShutdown;
          const streamContext = shutdown ? withSignal(context, AbortSignal.any([context.signal, shutdown])) : context;
          checkRequestStrings(input);
          yield* inner(input, streamContext) as AsyncIterable<unknown>;
          code = completionCode(context);
        } catch (err) {
          const mapped = toConnectError(err, options.logger, where);
          code = mapped.code;
          throw mapped;
        } finally {
          finish(started, code);
        }
      };
    }
  }
  return wrapped as unknown as ServiceImpl<S>;
}
