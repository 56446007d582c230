import { sql, type Insertable, type Kysely, type Selectable } from "kysely";
import { NotFoundError } from "../../../core/errors.js";
import type { DecisionRecord, DecisionRepository } from "../../../core/ports/store.js";
import { FOREIGN_KEY_VIOLATION, mapSqlState, toDate, toNumber } from "../convert.js";
import type { Database, DecisionsTable } from "../schema.js";

function toDecisionRecord(row: Selectable<DecisionsTable>): DecisionRecord {
  return {
    id: toNumber(row.id),
    graph: row.graph,
    service: row.service,
    cluster: row.cluster,
    previousReplicas: row.previous_replicas,
    replicas: row.replicas,
    requestsPerSecond: row.requests_per_second,
    status: row.status as DecisionRecord["status"],
    reason: row.reason,
    trigger: row.trigger,
    observedAt: toDate(row.observed_at),
    receivedAt: toDate(row.received_at),
    decidedAt: toDate(row.decided_at),
    actuatedAt: row.actuated_at && toDate(row.actuated_at),
    readyAt: row.ready_at && toDate(row.ready_at),
    sources: Array.isArray(row.sources) ? (row.sources as DecisionRecord["sources"]) : [],
    partial: row.partial,
  };
}

const STAGE_COLUMNS = { actuatedAt: "actuated_at", readyAt: "ready_at" } as const;

function toRow(decision: Omit<DecisionRecord, "id">): Insertable<DecisionsTable> {
  return {
    graph: decision.graph,
    service: decision.service,
    cluster: decision.cluster,
    previous_replicas: decision.previousReplicas,
    replicas: decision.replicas,
    requests_per_second: decision.requestsPerSecond,
    status: decision.status,
    reason: decision.reason,
    trigger: decision.trigger,
    observed_at: decision.observedAt,
    received_at: decision.receivedAt,
    decided_at: decision.decidedAt,
    actuated_at: decision.actuatedAt,
    ready_at: decision.readyAt,
    sources: JSON.stringify(decision.sources ?? []),
    partial: decision.partial ?? false,
  };
}

export function decisionRepository(db: Kysely<Database>): DecisionRepository {
  return {
    async addMany(decisions) {
      if (decisions.length === 0) return [];
      const insert = db.insertInto("decisions").values(decisions.map(toRow)).returningAll().execute();
      const rows = await mapSqlState(insert, FOREIGN_KEY_VIOLATION, (cause) => new NotFoundError(`a graph of the batch is gone`, { cause }));
      // Serial ids follow the VALUES order within one statement.
      return rows.map(toDecisionRecord).sort((a, b) => a.id - b.id);
    },

    async markStageMany(stage, marks) {
      const column = STAGE_COLUMNS[stage];
      if (!column) throw new Error(`unknown decision stage ${String(stage)}`);
      if (marks.length === 0) return;
      const values = sql.join(marks.map((m) => sql`(${m.id}::bigint, ${m.at}::timestamptz)`));
      await sql`update decisions set ${sql.ref(column)} = v.at from (values ${values}) as v(id, at) where decisions.id = v.id`.execute(db);
    },

    async add(decision) {
      const insert = db
        .insertInto("decisions")
        .values({
          graph: decision.graph,
          service: decision.service,
          cluster: decision.cluster,
          previous_replicas: decision.previousReplicas,
          replicas: decision.replicas,
          requests_per_second: decision.requestsPerSecond,
          status: decision.status,
          reason: decision.reason,
          trigger: decision.trigger,
          observed_at: decision.observedAt,
          received_at: decision.receivedAt,
          decided_at: decision.decidedAt,
          actuated_at: decision.actuatedAt,
          ready_at: decision.readyAt,
          sources: JSON.stringify(decision.sources ?? []),
          partial: decision.partial ?? false,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const row = await mapSqlState(
        insert,
        FOREIGN_KEY_VIOLATION,
        (cause) => new NotFoundError(`graph "${decision.graph}" not found`, { cause }),
      );
      return toDecisionRecord(row);
    },

    /** Unknown id (e.g. its graph was removed meanwhile) is a no-op. */
    async markStage(id, stage, at) {
      const column = STAGE_COLUMNS[stage];
      if (!column) throw new Error(`unknown decision stage ${String(stage)}`);
      await db.updateTable("decisions").set({ [column]: at }).where("id", "=", id).execute();
    },

    async listAfter(afterId, filter) {
      let query = db.selectFrom("decisions").selectAll().where("id", ">", afterId).orderBy("id");
      if (filter?.graph) query = query.where("graph", "=", filter.graph);
      if (filter?.service) query = query.where("service", "=", filter.service);
      if (filter?.limit !== undefined) query = query.limit(filter.limit);
      return (await query.execute()).map(toDecisionRecord);
    },

    async latestId() {
      const row = await db
        .selectFrom("decisions")
        .select((eb) => eb.fn.max("id").as("id"))
        .executeTakeFirst();
      return toNumber(row?.id as string | number | bigint | null | undefined);
    },

    async pruneBeyond(keep, limit) {
      // Rank within each graph, newest first; the rows past `keep` go, oldest first, `limit` per statement.
      const ranked = db
        .selectFrom("decisions")
        .select((eb) => ["id", sql<number>`row_number() over (partition by ${eb.ref("graph")} order by ${eb.ref("id")} desc)`.as("rank")])
        .as("ranked");
      const beyond = db.selectFrom(ranked).select("ranked.id").where("ranked.rank", ">", keep).orderBy("ranked.id").limit(limit);
      const result = await db.deleteFrom("decisions").where("id", "in", beyond).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async pruneBefore(before, limit) {
      const old = db.selectFrom("decisions").select("id").where("decided_at", "<", before).orderBy("id").limit(limit);
      const result = await db.deleteFrom("decisions").where("id", "in", old).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
