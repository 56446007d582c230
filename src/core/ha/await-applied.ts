// A mutation committed on a process that does not own the graph's project: its owner applies the outbox (it
// hears the commit through the change feed). The caller still gets the answer it would get from the owner:
// this waits, on the same change feed, until the graph's pending actions are gone, the owner notes a retry
// (UNAVAILABLE, as the owner would answer) or the time is up (the view then shows the pending actions).
import { UnavailableError } from "../errors.js";
import type { Store } from "../ports/store.js";

/** The owner's note on a graph whose action is being retried (runner.ts RETRY_PREFIX). */
const RETRY_PREFIX = "retrying: ";
/** Fallback re-check in case a notification is missed (the LISTEN connection dropped). */
const RECHECK_MS = 500;
/** In-memory test of whether this process took the project meanwhile. */
const OWNERSHIP_POLL_MS = 20;

/**
 * Resolves "applied" (or at the deadline), or "mine" as soon as `mine()` turns true: this process took the
 * project meanwhile (e.g. the first graph of a new project), and the caller, which holds the graph's mutex,
 * must apply the rows itself (the take-over's own drain waits for that mutex).
 */
export function awaitApplied(
  store: Pick<Store, "changes" | "outbox" | "graphs">,
  graph: string,
  timeoutMs: number,
  mine: () => boolean,
): Promise<"applied" | "mine"> {
  return new Promise((resolve, reject) => {
    let finished = false;
    let checking = false;
    let again = false;
    const finish = (err?: Error, outcome: "applied" | "mine" = "applied") => {
      if (finished) return;
      finished = true;
      off();
      clearTimeout(deadline);
      clearInterval(recheck);
      clearInterval(ownership);
      if (err) reject(err);
      else resolve(outcome);
    };
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          if ((await store.outbox.pending(graph)).length === 0) return finish();
          const record = await store.graphs.get(graph);
          if (!record) return finish();
          if (record.message?.startsWith(RETRY_PREFIX)) {
            return finish(new UnavailableError(`${record.message.slice(RETRY_PREFIX.length)} (the graph is saved; smo retries until it succeeds)`));
          }
        } while (again && !finished);
      } catch (err) {
        finish(err as Error);
      } finally {
        checking = false;
      }
    };
    const off = store.changes.subscribe((signal) => {
      if (signal.kind === "resync" || signal.graphId === graph) void check();
    });
    const deadline = setTimeout(() => finish(), timeoutMs);
    const recheck = setInterval(() => void check(), RECHECK_MS);
    const ownership = setInterval(() => mine() && finish(undefined, "mine"), OWNERSHIP_POLL_MS);
    deadline.unref?.();
    recheck.unref?.();
    ownership.unref?.();
    void check();
  });
}
