// Cancels a call's running PostgreSQL statement when the call's deadline passes or its client cancels, so a
// statement waiting on a lock does not hold a pooled connection (and the pool) after nobody waits for its
// answer; the session timeouts (index.ts) remain the bound for work no call waits on. The cancel is
// pg_cancel_backend on a connection of its own: the pool may be the very thing that is full. The statement
// then fails with 57014 and its transaction rolls back; instrument.ts answers the call's own code.
import pg from "pg";
import type { Logger } from "pino";
import { currentCall } from "../../kernel/call-context.js";

type Query = (...args: unknown[]) => unknown;
const WRAPPED = Symbol("smo.statementCancel");

/** Makes every client the pool hands out cancel its statement when the current call ends early. */
export function cancelStatementsWithCalls(pool: pg.Pool, connectionString: string, logger: Logger): void {
  // `stillRunning` is asked again just before the cancel is sent: pg_cancel_backend stops whatever the backend
  // runs at that moment, and the pooled connection may have moved on to another caller's statement.
  const cancel = (pid: number, stillRunning: () => boolean): void => {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
    client.on("error", () => undefined);
    client
      .connect()
      .then(async () => {
        if (!stillRunning()) return;
        await client.query("select pg_cancel_backend($1)", [pid]);
        logger.info({ pid }, "cancelled the statement of a call that ended early (deadline or client cancel)");
      })
      .catch((err: unknown) => logger.warn({ err, pid }, "could not cancel the statement of a call that ended early"))
      .finally(() => void client.end().catch(() => undefined));
  };
  pool.on("connect", (client) => {
    const tagged = client as pg.PoolClient & { [WRAPPED]?: true };
    if (tagged[WRAPPED]) return;
    tagged[WRAPPED] = true;
    const query = client.query.bind(client) as Query;
    const pid = (): number => (client as unknown as { processID: number }).processID;
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const call = currentCall();
      // Callback forms and work outside a call go straight through.
      if (!call || typeof args[args.length - 1] === "function") return query(...args);
      const signal = call.signal();
      if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error("the call ended"));
      let running = true;
      const onAbort = (): void => {
        if (!call.done) cancel(pid(), () => running);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      return (query(...args) as Promise<unknown>).finally(() => {
        running = false;
        signal.removeEventListener("abort", onAbort);
      });
    };
  });
}
