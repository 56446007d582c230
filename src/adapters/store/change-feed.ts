// The change feed (ChangeFeed port): the NOTIFY that migration 0002's trigger sends on every committed write of
// graphs, services, placements, decisions and outbox rows, delivered to subscribers of this process.
// PostgreSQL: one dedicated connection per process LISTENs (a pooled connection would be handed to queries and
// lose its LISTEN); when it drops, it reconnects with backoff and subscribers get a `resync`, since whatever was
// committed meanwhile was not heard. PGlite: the single in-process session LISTENs; nothing can be missed.
import { AsyncResource } from "node:async_hooks";
import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { Logger } from "pino";
import type { ChangeFeed, ChangeSignal, ChangeTable, StoreChange } from "../../core/ports/store.js";
import { NOTIFYING_TABLES } from "./migrations.js";

/** The channel of a schema, as the trigger names it (a PostgreSQL identifier holds at most 63 bytes). */
export function channelName(schema: string): string {
  const channel = `smo_changes_${schema}`;
  return Buffer.byteLength(channel) > 63 ? `smo_changes_${createHash("md5").update(schema).digest("hex")}` : channel;
}

const OPS = new Set(["insert", "update", "delete"]);
const TABLES = new Set<string>(NOTIFYING_TABLES);

/** The trigger's JSON payload; undefined for anything else (another program on the channel). */
export function parseChange(payload: string | undefined): StoreChange | undefined {
  if (!payload) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (typeof v?.graphId !== "string" || typeof v.project !== "string" || !TABLES.has(v.what as string) || !OPS.has(v.op as string)) {
    return undefined;
  }
  return { kind: "change", graphId: v.graphId, project: v.project, what: v.what as ChangeTable, op: v.op as StoreChange["op"] };
}

/** Subscriber bookkeeping shared by both feeds: a throwing listener never stops the others. */
class Listeners {
  readonly #listeners = new Set<(signal: ChangeSignal) => void>();

  constructor(private readonly logger: Logger) {}

  add(listener: (signal: ChangeSignal) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(signal: ChangeSignal): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(signal);
      } catch (err) {
        this.logger.error({ err }, "change feed listener failed");
      }
    }
  }
}

export interface PgChangeFeedOptions {
  connectionString: string;
  channel: string;
  logger: Logger;
  /** First and largest delay between reconnection attempts (ms). Defaults 100 / 2000. */
  reconnectMs?: { initial: number; max: number };
}

export class PgChangeFeed implements ChangeFeed {
  readonly #listeners: Listeners;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #closed = false;
  #lost = false;

  constructor(private readonly options: PgChangeFeedOptions) {
    this.#listeners = new Listeners(options.logger);
  }

  subscribe(listener: (signal: ChangeSignal) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Connects and LISTENs; rejects when the first attempt fails (the store open fails with it). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true, connectionTimeoutMillis: 5_000 });
    client.on("notification", (message) => {
      if (message.channel !== this.options.channel) return;
      const change = parseChange(message.payload);
      if (change) this.#listeners.emit(change);
    });
    // Both fire when the server goes away; the first one schedules the reconnection.
    client.on("error", (err) => this.#dropped(client, err));
    client.on("end", () => this.#dropped(client, new Error("connection ended")));
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(this.options.channel)}`);
    } catch (err) {
      client.removeAllListeners("end");
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#attempt = 0;
    if (this.#lost) {
      this.#lost = false;
      this.options.logger.info({ channel: this.options.channel }, "change feed listening again; subscribers resync");
      this.#listeners.emit({ kind: "resync", reason: "the LISTEN connection was re-established" });
    }
  }

  #dropped(client: pg.Client, err: Error): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.removeAllListeners("end");
    client.end().catch(() => undefined);
    if (this.#closed) return;
    this.#lost = true;
    this.options.logger.warn({ err: err.message, channel: this.options.channel }, "change feed connection lost; reconnecting");
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    const { initial, max } = this.options.reconnectMs ?? { initial: 100, max: 2_000 };
    const delay = Math.min(max, initial * 2 ** this.#attempt++);
    this.#timer = setTimeout(() => {
      this.#connect().catch((err: unknown) => {
        this.options.logger.debug({ err: (err as Error).message }, "change feed reconnection failed; retrying");
        this.#schedule();
      });
    }, delay);
    this.#timer.unref?.();
  }
}

/** PGlite: the embedded session itself LISTENs (one process; its directory lock refuses a second one). */
export class PgliteChangeFeed implements ChangeFeed {
  readonly #listeners: Listeners;
  readonly #off: () => void;

  constructor(pglite: PGlite, channel: string, logger: Logger) {
    this.#listeners = new Listeners(logger);
    // PGlite delivers a notification inside the async context of the transaction that committed it; listeners
    // run in the feed's own context instead, so that they may use the store (the transaction guard would refuse
    // a store call from the committing flow), and after the committing call has returned.
    const emit = AsyncResource.bind((change: StoreChange) => setImmediate(() => this.#listeners.emit(change)));
    this.#off = pglite.onNotification((ch, payload) => {
      if (ch !== channel) return;
      const change = parseChange(payload);
      if (change) emit(change);
    });
  }

  subscribe(listener: (signal: ChangeSignal) => void): () => void {
    return this.#listeners.add(listener);
  }

  close(): void {
    this.#off();
  }
}
