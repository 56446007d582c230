import type { Kysely, Selectable } from "kysely";
import { NotFoundError } from "../../../core/errors.js";
import type { PlacementRecord, PlacementRepository } from "../../../core/ports/store.js";
import { FOREIGN_KEY_VIOLATION, json, mapSqlState, toDate, toNumber } from "../convert.js";
import type { Database, PlacementsTable } from "../schema.js";

function toPlacementRecord(row: Selectable<PlacementsTable>): PlacementRecord {
  return {
    id: toNumber(row.id),
    graph: row.graph,
    strategy: row.strategy,
    status: row.status as PlacementRecord["status"],
    placement: (row.placement as Record<string, string> | null) ?? {},
    objective: row.objective,
    reason: row.reason,
    solveMs: row.solve_ms,
    details: row.details,
    createdAt: toDate(row.created_at),
  };
}

export function placementRepository(db: Kysely<Database>): PlacementRepository {
  return {
    async add(placement) {
      const insert = db
        .insertInto("placements")
        .values({
          graph: placement.graph,
          strategy: placement.strategy,
          status: placement.status,
          placement: json(placement.placement),
          objective: placement.objective,
          reason: placement.reason,
          solve_ms: placement.solveMs,
          details: json(placement.details),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const row = await mapSqlState(
        insert,
        FOREIGN_KEY_VIOLATION,
        (cause) => new NotFoundError(`graph "${placement.graph}" not found`, { cause }),
      );
      return toPlacementRecord(row);
    },

    async latest(graph) {
      const row = await db
        .selectFrom("placements")
        .selectAll()
        .where("graph", "=", graph)
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirst();
      return row && toPlacementRecord(row);
    },

    async latestAll(graphs) {
      if (graphs?.length === 0) return [];
      // DISTINCT ON keeps the first row of each graph in id-descending order: the latest, in one scan.
      let query = db.selectFrom("placements").selectAll().distinctOn("graph").orderBy("graph").orderBy("id", "desc");
      if (graphs) query = query.where("graph", "in", graphs);
      const rows = await query.execute();
      return rows.map(toPlacementRecord);
    },

    /** Newest first. */
    async history(graph, limit) {
      let query = db.selectFrom("placements").selectAll().where("graph", "=", graph).orderBy("id", "desc");
      if (limit !== undefined) query = query.limit(limit);
      return (await query.execute()).map(toPlacementRecord);
    },
  };
}
