// The Store over a Kysely instance, whatever its dialect. Inside `transaction(fn)` core code must use the
// `tx` repositories passed to fn; the store's own repositories throw TransactionMisuseError there
// (see transaction-guard.ts) instead of deadlocking the PGlite session.
import type { Kysely } from "kysely";
import type { ChangeFeed, Repositories, Store } from "../../core/ports/store.js";
import { createRepositories } from "./repositories/index.js";
import type { Database } from "./schema.js";
import type { TransactionGuard } from "./transaction-guard.js";

export function createKyselyStore(
  db: Kysely<Database>,
  guard: TransactionGuard,
  changes: ChangeFeed & { close(): Promise<void> | void },
  afterClose?: () => Promise<void>,
): Store {
  let closing: Promise<void> | undefined;
  return {
    ...createRepositories(db),
    changes,
    transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
      return guard.runTransaction(() => db.transaction().execute((trx) => fn(createRepositories(trx))));
    },
    close() {
      closing ??= Promise.resolve(changes.close())
        .catch(() => undefined)
        .then(() => db.destroy())
        .finally(() => afterClose?.());
      return closing;
    },
  };
}
