import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from "kysely";
import { NotFoundError } from "../../../core/errors.js";
import type { ServiceRecord, ServiceRepository, ServiceStatus } from "../../../core/ports/store.js";
import { FOREIGN_KEY_VIOLATION, json, mapSqlState, toNumber } from "../convert.js";
import type { Database, ServicesTable } from "../schema.js";

function toServiceRecord(row: Selectable<ServicesTable>): ServiceRecord {
  return {
    graph: row.graph,
    name: row.name,
    status: row.status as ServiceStatus,
    cluster: row.cluster,
    desiredReplicas: row.desired_replicas,
    cpu: row.cpu,
    memoryBytes: toNumber(row.memory_bytes),
    storageBytes: toNumber(row.storage_bytes),
    gpu: row.gpu,
    artifact: row.artifact,
    eventTriggered: row.event_triggered,
    minReplicas: row.min_replicas,
    maxReplicas: row.max_replicas,
    dashboardUrl: row.dashboard_url,
    spec: row.spec,
  };
}

type ServicePatch = Partial<Omit<ServiceRecord, "graph" | "name">>;

function toColumns(patch: ServicePatch): Updateable<ServicesTable> {
  const set: Updateable<ServicesTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.cluster !== undefined) set.cluster = patch.cluster;
  if (patch.desiredReplicas !== undefined) set.desired_replicas = patch.desiredReplicas;
  if (patch.cpu !== undefined) set.cpu = patch.cpu;
  if (patch.memoryBytes !== undefined) set.memory_bytes = patch.memoryBytes;
  if (patch.storageBytes !== undefined) set.storage_bytes = patch.storageBytes;
  if (patch.gpu !== undefined) set.gpu = patch.gpu;
  if (patch.artifact !== undefined) set.artifact = patch.artifact;
  if (patch.eventTriggered !== undefined) set.event_triggered = patch.eventTriggered;
  if (patch.minReplicas !== undefined) set.min_replicas = patch.minReplicas;
  if (patch.maxReplicas !== undefined) set.max_replicas = patch.maxReplicas;
  if (patch.dashboardUrl !== undefined) set.dashboard_url = patch.dashboardUrl;
  if (patch.spec !== undefined) set.spec = json(patch.spec);
  return set;
}

export function serviceRepository(db: Kysely<Database>): ServiceRepository {
  return {
    async listByGraph(graph) {
      const rows = await db.selectFrom("services").selectAll().where("graph", "=", graph).orderBy("name").execute();
      return rows.map(toServiceRecord);
    },

    async listAll(graphs) {
      if (graphs?.length === 0) return [];
      let query = db.selectFrom("services").selectAll().orderBy("graph").orderBy("name");
      if (graphs) query = query.where("graph", "in", graphs);
      const rows = await query.execute();
      return rows.map(toServiceRecord);
    },

    async get(graph, name) {
      const row = await db
        .selectFrom("services")
        .selectAll()
        .where("graph", "=", graph)
        .where("name", "=", name)
        .executeTakeFirst();
      return row && toServiceRecord(row);
    },

    async upsert(service) {
      const { graph, name, ...rest } = service;
      const columns = toColumns(rest) as Omit<Insertable<ServicesTable>, "graph" | "name">;
      const upsert = db
        .insertInto("services")
        .values({ graph, name, ...columns })
        .onConflict((conflict) => conflict.columns(["graph", "name"]).doUpdateSet(columns))
        .execute();
      await mapSqlState(
        upsert,
        FOREIGN_KEY_VIOLATION,
        (cause) => new NotFoundError(`graph "${graph}" not found`, { cause }),
      );
    },

    async setDesiredReplicas(rows) {
      if (rows.length === 0) return;
      const values = sql.join(rows.map((r) => sql`(${r.graph}, ${r.name}, ${r.desiredReplicas}::integer)`));
      await sql`update services set desired_replicas = v.n from (values ${values}) as v(graph, name, n) where services.graph = v.graph and services.name = v.name`.execute(db);
    },
    async update(graph, name, patch) {
      const columns = toColumns(patch);
      let row: Selectable<ServicesTable> | undefined;
      if (Object.keys(columns).length === 0) {
        row = await db.selectFrom("services").selectAll().where("graph", "=", graph).where("name", "=", name).executeTakeFirst();
      } else {
        row = await db
          .updateTable("services")
          .set(columns)
          .where("graph", "=", graph)
          .where("name", "=", name)
          .returningAll()
          .executeTakeFirst();
      }
      if (!row) throw new NotFoundError(`service "${name}" of graph "${graph}" not found`);
      return toServiceRecord(row);
    },

    async listByStatus(statuses) {
      if (statuses.length === 0) return [];
      const rows = await db
        .selectFrom("services")
        .selectAll()
        .where("status", "in", statuses)
        .orderBy("graph")
        .orderBy("name")
        .execute();
      return rows.map(toServiceRecord);
    },
  };
}
