import type { Kysely, Selectable } from "kysely";
import { NotFoundError } from "../../../core/errors.js";
import type { OutboxRecord, OutboxRepository } from "../../../core/ports/store.js";
import { FOREIGN_KEY_VIOLATION, json, mapSqlState, toDate, toNumber } from "../convert.js";
import type { Database, OutboxTable } from "../schema.js";

function toOutboxRecord(row: Selectable<OutboxTable>): OutboxRecord {
  return {
    id: toNumber(row.id),
    graph: row.graph,
    seq: row.seq,
    action: row.action,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
  };
}

export function outboxRepository(db: Kysely<Database>): OutboxRepository {
  return {
    /**
     * Appends after the graph's pending actions, in the given order (seq continues from the highest pending).
     * Callers hold the graph's row lock, so two enqueues for one graph do not race; if they did, both
     * batches would still be listed in a stable order (seq, then id).
     */
    async enqueue(graph, actions) {
      if (actions.length === 0) return [];
      const last = await db
        .selectFrom("outbox")
        .select((eb) => eb.fn.max("seq").as("seq"))
        .where("graph", "=", graph)
        .executeTakeFirst();
      const base = toNumber(last?.seq);
      const insert = db
        .insertInto("outbox")
        .values(actions.map((action, i) => ({ graph, seq: base + i + 1, action: json(action) })))
        .returningAll()
        .execute();
      const rows = await mapSqlState(
        insert,
        FOREIGN_KEY_VIOLATION,
        (cause) => new NotFoundError(`graph "${graph}" not found`, { cause }),
      );
      return rows.map(toOutboxRecord).sort((a, b) => a.seq - b.seq);
    },

    async pending(graph) {
      let query = db.selectFrom("outbox").selectAll().orderBy("graph").orderBy("seq").orderBy("id");
      if (graph) query = query.where("graph", "=", graph);
      return (await query.execute()).map(toOutboxRecord);
    },

    /** Idempotent: completing an action twice (or after its graph was removed) is a no-op. */
    async complete(id) {
      await db.deleteFrom("outbox").where("id", "=", id).execute();
    },

    async claim(id) {
      const row = await db.selectFrom("outbox").select("id").where("id", "=", id).forUpdate().skipLocked().executeTakeFirst();
      return row !== undefined;
    },

    async recordFailure(id, error) {
      await db
        .updateTable("outbox")
        .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: error }))
        .where("id", "=", id)
        .execute();
    },
  };
}
