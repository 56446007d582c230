// Schema migrations, compiled in (no migration files are read at run time). Append new migrations with a
// name that sorts after the previous one; never edit one that has shipped.
import { sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

const migration0001: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("graphs")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("project", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("version", "text", (c) => c.notNull())
      .addColumn("descriptor", "jsonb", (c) => c.notNull())
      .addColumn("descriptor_hash", "text", (c) => c.notNull())
      .addColumn("strategy", "text", (c) => c.notNull())
      .addColumn("dashboard_url", "text")
      .addColumn("message", "text")
      .addColumn("warnings", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema.createIndex("graphs_project_idx").on("graphs").columns(["project", "name"]).execute();

    // Services are unique per graph, not globally: two graphs may both have a "frontend".
    await db.schema
      .createTable("services")
      .addColumn("graph", "text", (c) => c.notNull().references("graphs.name").onDelete("cascade"))
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("cluster", "text")
      .addColumn("desired_replicas", "integer", (c) => c.notNull())
      .addColumn("cpu", "double precision", (c) => c.notNull())
      .addColumn("memory_bytes", "bigint", (c) => c.notNull())
      .addColumn("storage_bytes", "bigint", (c) => c.notNull())
      .addColumn("gpu", "integer", (c) => c.notNull())
      .addColumn("artifact", "text", (c) => c.notNull())
      .addColumn("event_triggered", "boolean", (c) => c.notNull())
      .addColumn("min_replicas", "integer", (c) => c.notNull())
      .addColumn("max_replicas", "integer", (c) => c.notNull())
      .addColumn("dashboard_url", "text")
      .addColumn("spec", "jsonb", (c) => c.notNull())
      .addPrimaryKeyConstraint("services_pkey", ["graph", "name"])
      .execute();
    await db.schema.createIndex("services_status_idx").on("services").column("status").execute();

    await db.schema
      .createTable("clusters")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("ready", "boolean", (c) => c.notNull())
      .addColumn("cpu_allocatable", "double precision", (c) => c.notNull())
      .addColumn("cpu_free", "double precision", (c) => c.notNull())
      .addColumn("memory_allocatable_bytes", "bigint", (c) => c.notNull())
      .addColumn("memory_free_bytes", "bigint", (c) => c.notNull())
      .addColumn("gpus", "integer", (c) => c.notNull())
      .addColumn("gpus_free", "integer", (c) => c.notNull())
      .addColumn("labels", "jsonb", (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      // Operator profile (SetClusterProfile); sync never touches these columns.
      .addColumn("energy_cost", "double precision", (c) => c.notNull().defaultTo(1))
      .addColumn("carbon_intensity", "double precision", (c) => c.notNull().defaultTo(0))
      .addColumn("pue", "double precision", (c) => c.notNull().defaultTo(1))
      .addColumn("location", "text", (c) => c.notNull().defaultTo(""))
      .addColumn("profile_gpus", "integer")
      .addColumn("synced_at", "timestamptz", (c) => c.notNull())
      .execute();

    await db.schema
      .createTable("placements")
      .addColumn("id", "serial", (c) => c.primaryKey())
      .addColumn("graph", "text", (c) => c.notNull().references("graphs.name").onDelete("cascade"))
      .addColumn("strategy", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("placement", "jsonb", (c) => c.notNull())
      .addColumn("objective", "double precision", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("solve_ms", "double precision", (c) => c.notNull())
      .addColumn("details", "jsonb", (c) => c.notNull())
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema.createIndex("placements_graph_id_idx").on("placements").columns(["graph", "id"]).execute();

    await db.schema
      .createTable("decisions")
      .addColumn("id", "bigserial", (c) => c.primaryKey())
      .addColumn("graph", "text", (c) => c.notNull().references("graphs.name").onDelete("cascade"))
      .addColumn("service", "text", (c) => c.notNull())
      .addColumn("cluster", "text", (c) => c.notNull())
      .addColumn("previous_replicas", "integer", (c) => c.notNull())
      .addColumn("replicas", "integer", (c) => c.notNull())
      .addColumn("requests_per_second", "double precision", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("reason", "text", (c) => c.notNull())
      .addColumn("trigger", "text", (c) => c.notNull())
      .addColumn("observed_at", "timestamptz", (c) => c.notNull())
      .addColumn("received_at", "timestamptz", (c) => c.notNull())
      .addColumn("decided_at", "timestamptz", (c) => c.notNull())
      .addColumn("actuated_at", "timestamptz")
      .addColumn("ready_at", "timestamptz")
      .execute();
    await db.schema
      .createIndex("decisions_graph_service_id_idx")
      .on("decisions")
      .columns(["graph", "service", "id"])
      .execute();

    // Events cascade with their graph, as the port says; WatchGraph streams them by (graph, id).
    await db.schema
      .createTable("events")
      .addColumn("id", "bigserial", (c) => c.primaryKey())
      .addColumn("graph", "text", (c) => c.notNull().references("graphs.name").onDelete("cascade"))
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("service", "text")
      .addColumn("message", "text", (c) => c.notNull())
      .addColumn("details", "jsonb", (c) => c.notNull())
      .addColumn("occurred_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema.createIndex("events_graph_id_idx").on("events").columns(["graph", "id"]).execute();

    await db.schema
      .createTable("outbox")
      .addColumn("id", "bigserial", (c) => c.primaryKey())
      .addColumn("graph", "text", (c) => c.notNull().references("graphs.name").onDelete("cascade"))
      .addColumn("seq", "integer", (c) => c.notNull())
      .addColumn("action", "jsonb", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema.createIndex("outbox_graph_seq_idx").on("outbox").columns(["graph", "seq", "id"]).execute();
  },

  async down(db: Kysely<any>) {
    for (const table of ["outbox", "events", "decisions", "placements", "clusters", "services", "graphs"]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};

const migrations: Record<string, Migration> = {
  "0001_initial": migration0001,
};

/** Kysely MigrationProvider over the compiled-in migrations. */
export class InCodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations };
  }
}
