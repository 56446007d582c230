// The Store over a Kysely instance, whatever its dialect. Inside `transaction(fn)` core code must use the
// `tx` repositories passed to fn; the store's own repositories throw TransactionMisuseError there
// (see transaction-guard.ts) instead of deadlocking the PGlite session.
import type { Kysely } from "kysely";
import type { Repositories, Store } from "../../core/ports/store.js";
import { createRepositories } from "./repositories/index.js";
import type { Database } from "./schema.js";
import type { TransactionGuard } from "./transaction-guard.js";

export function createKyselyStore(db: Kysely<Database>, guard: TransactionGuard, afterClose?: () => Promise<void>): Store {
  let closing: Promise<void> | undefined;
  return {
    ...createRepositories(db),
    transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T> {
      return guard.runTransaction(() => db.transaction().execute((trx) => fn(createRepositories(trx))));
    },
    close() {
      closing ??= db.destroy().finally(() => afterClose?.());
      return closing;
    },
  };
}
