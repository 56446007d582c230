import { sql, type Kysely, type Selectable, type Updateable } from "kysely";
import { AlreadyExistsError, NotFoundError } from "../../../core/errors.js";
import type { GraphRecord, GraphRepository, GraphStatus, NewGraph } from "../../../core/ports/store.js";
import { json, mapSqlState, toDate, UNIQUE_VIOLATION } from "../convert.js";
import type { Database, GraphsTable } from "../schema.js";

function toGraphRecord(row: Selectable<GraphsTable>): GraphRecord {
  return {
    name: row.name,
    project: row.project,
    status: row.status as GraphStatus,
    version: row.version,
    descriptor: row.descriptor,
    descriptorHash: row.descriptor_hash,
    strategy: row.strategy,
    dashboardUrl: row.dashboard_url,
    message: row.message,
    warnings: (row.warnings as string[] | null) ?? [],
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

function toColumns(patch: Partial<Omit<NewGraph, "name">>): Updateable<GraphsTable> {
  const set: Updateable<GraphsTable> = {};
  if (patch.project !== undefined) set.project = patch.project;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.version !== undefined) set.version = patch.version;
  if (patch.descriptor !== undefined) set.descriptor = json(patch.descriptor);
  if (patch.descriptorHash !== undefined) set.descriptor_hash = patch.descriptorHash;
  if (patch.strategy !== undefined) set.strategy = patch.strategy;
  if (patch.dashboardUrl !== undefined) set.dashboard_url = patch.dashboardUrl;
  if (patch.message !== undefined) set.message = patch.message;
  if (patch.warnings !== undefined) set.warnings = json(patch.warnings);
  return set;
}

export function graphRepository(db: Kysely<Database>): GraphRepository {
  return {
    async list(filter) {
      let query = db.selectFrom("graphs").selectAll().orderBy("name");
      if (filter?.project) query = query.where("project", "=", filter.project);
      if (filter?.after !== undefined) query = query.where("name", ">", filter.after);
      if (filter?.limit !== undefined) query = query.limit(filter.limit);
      return (await query.execute()).map(toGraphRecord);
    },

    async get(name) {
      const row = await db.selectFrom("graphs").selectAll().where("name", "=", name).executeTakeFirst();
      return row && toGraphRecord(row);
    },

    async lock(name) {
      const row = await db.selectFrom("graphs").selectAll().where("name", "=", name).forUpdate().executeTakeFirst();
      return row && toGraphRecord(row);
    },

    async create(graph) {
      const insert = db
        .insertInto("graphs")
        .values({
          name: graph.name,
          project: graph.project,
          status: graph.status,
          version: graph.version,
          descriptor: json(graph.descriptor),
          descriptor_hash: graph.descriptorHash,
          strategy: graph.strategy,
          dashboard_url: graph.dashboardUrl,
          message: graph.message,
          warnings: json(graph.warnings),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const row = await mapSqlState(
        insert,
        UNIQUE_VIOLATION,
        (cause) => new AlreadyExistsError(`graph "${graph.name}" already exists`, { cause }),
      );
      return toGraphRecord(row);
    },

    async update(name, patch) {
      const row = await db
        .updateTable("graphs")
        // clock_timestamp, not now(): several updates in one transaction still move updated_at forward.
        .set({ ...toColumns(patch), updated_at: sql<Date>`clock_timestamp()` })
        .where("name", "=", name)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`graph "${name}" not found`);
      return toGraphRecord(row);
    },

    async delete(name) {
      await db.deleteFrom("graphs").where("name", "=", name).execute();
    },
  };
}
