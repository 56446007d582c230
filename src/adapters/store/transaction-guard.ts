// Catches a repository call made through the store's own repositories (not the `tx` ones) from inside
// `store.transaction(fn)`. On PGlite such a call waits for the session mutex that the transaction holds
// and so never returns; on PostgreSQL it runs outside the transaction and can block on the transaction's
// own row locks. Either way it is a bug in the caller, so it fails at once with a message saying so.
import { AsyncLocalStorage } from "node:async_hooks";
import type {
  CompiledQuery,
  DatabaseConnection,
  DatabaseIntrospector,
  Dialect,
  DialectAdapter,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";
import { mapConnectionFailure } from "./connection-errors.js";

interface Flow {
  /** True while this async flow's transaction holds a connection. */
  holding: boolean;
}

export class TransactionMisuseError extends Error {
  override name = "TransactionMisuseError";
}

export class TransactionGuard {
  readonly #flows = new AsyncLocalStorage<Flow>();

  /** Runs fn as a transaction flow: connections acquired inside it are tracked. */
  runTransaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#flows.getStore()?.holding) {
      throw new TransactionMisuseError(
        "store.transaction() called inside another store.transaction(): transactions do not nest; use the tx repositories",
      );
    }
    return this.#flows.run({ holding: false }, fn);
  }

  beforeAcquire(): void {
    if (this.#flows.getStore()?.holding) {
      throw new TransactionMisuseError(
        "a store repository was used inside store.transaction(): use the `tx` repositories passed to the callback " +
          "(on PGlite this call would wait forever for the transaction's own session)",
      );
    }
  }

  afterAcquire(): void {
    const flow = this.#flows.getStore();
    if (flow) flow.holding = true;
  }

  afterRelease(): void {
    const flow = this.#flows.getStore();
    if (flow) flow.holding = false;
  }
}

/** Wraps any dialect so its driver reports to the guard and connection failures become UnavailableError. */
export class GuardedDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly guard: TransactionGuard,
  ) {}
  createAdapter(): DialectAdapter {
    return this.inner.createAdapter();
  }
  createDriver(): Driver {
    return new GuardedDriver(this.inner.createDriver(), this.guard);
  }
  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return this.inner.createIntrospector(db);
  }
}

class GuardedDriver implements Driver {
  /** Our wrapper → the inner driver's connection, which the inner driver's methods expect back. */
  readonly #inner = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly guard: TransactionGuard,
  ) {
    if (inner.savepoint) this.savepoint = (c, name, compile) => inner.savepoint!(this.#unwrap(c), name, compile).catch(mapConnectionFailure);
    if (inner.rollbackToSavepoint) {
      this.rollbackToSavepoint = (c, name, compile) => inner.rollbackToSavepoint!(this.#unwrap(c), name, compile).catch(mapConnectionFailure);
    }
    if (inner.releaseSavepoint) {
      this.releaseSavepoint = (c, name, compile) => inner.releaseSavepoint!(this.#unwrap(c), name, compile).catch(mapConnectionFailure);
    }
  }
  savepoint?: Driver["savepoint"];
  rollbackToSavepoint?: Driver["rollbackToSavepoint"];
  releaseSavepoint?: Driver["releaseSavepoint"];

  init(): Promise<void> {
    return this.inner.init().catch(mapConnectionFailure);
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    this.guard.beforeAcquire();
    const connection = await this.inner.acquireConnection().catch(mapConnectionFailure);
    this.guard.afterAcquire();
    const wrapped = new MappedConnection(connection);
    this.#inner.set(wrapped, connection);
    return wrapped;
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.releaseConnection(this.#unwrap(connection));
    } finally {
      this.guard.afterRelease();
    }
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(this.#unwrap(connection), settings).catch(mapConnectionFailure);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(this.#unwrap(connection)).catch(mapConnectionFailure);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(this.#unwrap(connection)).catch(mapConnectionFailure);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }

  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return this.#inner.get(connection) ?? connection;
  }
}

/** Statement errors pass through (their SQLSTATE decides, e.g. unique violations); lost connections are mapped. */
class MappedConnection implements DatabaseConnection {
  constructor(private readonly inner: DatabaseConnection) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.inner.executeQuery<R>(compiledQuery).catch(mapConnectionFailure);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      mapConnectionFailure(error);
    }
  }
}
