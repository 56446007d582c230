// The RPC a piece of work runs for, carried through async calls (AsyncLocalStorage), so that the store can
// cancel a running statement when that call's deadline passes or its client cancels, without every port
// taking a signal. The signal is asked for only when a statement starts (gRPC contexts build it lazily), and
// a call that has answered cancels nothing: work it started in the background (outbox, read-model refresh)
// inherits this context and must run to its end.
import { AsyncLocalStorage } from "node:async_hooks";

export interface CallScope {
  /** The call's signal: aborted on its deadline, on a client cancel, and (by Connect) once it answered. */
  signal(): AbortSignal;
  /** True once the handler returned or threw: an abort after that is not a cancel. */
  readonly done: boolean;
}

const storage = new AsyncLocalStorage<CallScope>();

/** Runs `fn` as the work of a call; `scope.done` must turn true when the handler settles. */
export function runInCall<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The call the current work runs for, while it has not answered yet. */
export function currentCall(): CallScope | undefined {
  const scope = storage.getStore();
  return scope && !scope.done ? scope : undefined;
}
