import { sql, type Kysely, type Selectable } from "kysely";
import { NotFoundError } from "../../../core/errors.js";
import type { EventRecord, EventRepository } from "../../../core/ports/store.js";
import { FOREIGN_KEY_VIOLATION, json, mapSqlState, toDate, toNumber } from "../convert.js";
import type { Database, EventsTable } from "../schema.js";

function toEventRecord(row: Selectable<EventsTable>): EventRecord {
  return {
    id: toNumber(row.id),
    graph: row.graph,
    // Written only from GraphEventType values (the column is text, so rows of a newer version may hold others).
    type: row.type as EventRecord["type"],
    service: row.service,
    message: row.message,
    details: row.details,
    occurredAt: toDate(row.occurred_at),
  };
}

export function eventRepository(db: Kysely<Database>): EventRepository {
  return {
    async appendMany(events) {
      if (events.length === 0) return [];
      const insert = db
        .insertInto("events")
        .values(
          events.map((event) => ({
            graph: event.graph,
            type: event.type,
            service: event.service,
            message: event.message,
            details: json(event.details),
            occurred_at: event.occurredAt ?? sql<Date>`clock_timestamp()`,
          })),
        )
        .returningAll()
        .execute();
      const rows = await mapSqlState(insert, FOREIGN_KEY_VIOLATION, (cause) => new NotFoundError(`a graph of the batch is gone`, { cause }));
      // Serial ids follow the VALUES order within one statement.
      return rows.map(toEventRecord).sort((a, b) => a.id - b.id);
    },

    async append(event) {
      const insert = db
        .insertInto("events")
        .values({
          graph: event.graph,
          type: event.type,
          service: event.service,
          message: event.message,
          details: json(event.details),
          // clock_timestamp, not now(): events of one transaction keep their own times.
          occurred_at: event.occurredAt ?? sql<Date>`clock_timestamp()`,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const row = await mapSqlState(
        insert,
        FOREIGN_KEY_VIOLATION,
        (cause) => new NotFoundError(`graph "${event.graph}" not found`, { cause }),
      );
      return toEventRecord(row);
    },

    async listAfter(graph, afterId, limit) {
      let query = db.selectFrom("events").selectAll().where("graph", "=", graph).where("id", ">", afterId).orderBy("id");
      if (limit !== undefined) query = query.limit(limit);
      return (await query.execute()).map(toEventRecord);
    },

    async latest(graph, limit) {
      const rows = await db.selectFrom("events").selectAll().where("graph", "=", graph).orderBy("id", "desc").limit(limit).execute();
      return rows.reverse().map(toEventRecord);
    },

    async latestAll(limit, graphs) {
      if (graphs?.length === 0) return [];
      // One scan of the (graph, id) index: each graph's rows numbered newest first, the first `limit` kept.
      let inner = db
        .selectFrom("events")
        .selectAll()
        .select((eb) => eb.fn.agg<number>("row_number").over((over) => over.partitionBy("graph").orderBy("id", "desc")).as("newest"));
      if (graphs) inner = inner.where("graph", "in", graphs);
      const numbered = inner.as("numbered");
      const rows = await db
        .selectFrom(numbered)
        .select(["id", "graph", "type", "service", "message", "details", "occurred_at"])
        .where("newest", "<=", limit)
        .orderBy("graph")
        .orderBy("id")
        .execute();
      return rows.map(toEventRecord);
    },

    async pruneBeyond(keep, limit) {
      // Rank within each graph, newest first; the rows past `keep` go, oldest first, `limit` per statement.
      const ranked = db
        .selectFrom("events")
        .select((eb) => ["id", sql<number>`row_number() over (partition by ${eb.ref("graph")} order by ${eb.ref("id")} desc)`.as("rank")])
        .as("ranked");
      const beyond = db.selectFrom(ranked).select("ranked.id").where("ranked.rank", ">", keep).orderBy("ranked.id").limit(limit);
      const result = await db.deleteFrom("events").where("id", "in", beyond).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async pruneBefore(before, limit) {
      // Ids grow with time, so the scan from the lowest id stops after `limit` old rows without an index.
      const old = db.selectFrom("events").select("id").where("occurred_at", "<", before).orderBy("id").limit(limit);
      const result = await db.deleteFrom("events").where("id", "in", old).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
