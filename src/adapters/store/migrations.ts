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

/** Tables whose committed writes are announced with NOTIFY (the change feed, change-feed.ts). */
export const NOTIFYING_TABLES = ["graphs", "services", "placements", "decisions", "outbox"] as const;

// Several processes on one database (docs/ha.md): members, per-project leases with a fencing token, and a
// NOTIFY on every graph-affecting write. The trigger sends inside the writing transaction, so listeners hear of
// a change only once it committed (and not at all on rollback); identical payloads are merged per transaction.
// The channel is named after the table's schema (as change-feed.ts channelName does), so tests and tenants in
// other schemas of one database do not hear each other.
const migration0002: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable("members")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("address", "text", (c) => c.notNull())
      .addColumn("started_at", "timestamptz", (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
      .addColumn("heartbeat_at", "timestamptz", (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
      .execute();
    await db.schema
      .createTable("leases")
      .addColumn("project", "text", (c) => c.primaryKey())
      .addColumn("holder", "text", (c) => c.notNull())
      .addColumn("token", "bigint", (c) => c.notNull())
      .addColumn("renewed_at", "timestamptz", (c) => c.notNull())
      .addColumn("expires_at", "timestamptz", (c) => c.notNull())
      .execute();
    await sql`
      create function smo_notify_change() returns trigger language plpgsql as $fn$
      declare
        rec record;
        graph_id text;
        graph_project text;
        channel text;
      begin
        if TG_OP = 'DELETE' then rec := OLD; else rec := NEW; end if;
        if TG_TABLE_NAME = 'graphs' then
          graph_id := rec.name;
          graph_project := rec.project;
        else
          graph_id := rec.graph;
          execute format('select project from %I.graphs where name = $1', TG_TABLE_SCHEMA) into graph_project using graph_id;
        end if;
        channel := 'smo_changes_' || TG_TABLE_SCHEMA;
        if octet_length(channel) > 63 then channel := 'smo_changes_' || md5(TG_TABLE_SCHEMA); end if;
        perform pg_notify(channel, json_build_object(
          'graphId', graph_id, 'project', coalesce(graph_project, ''), 'what', TG_TABLE_NAME, 'op', lower(TG_OP))::text);
        return null;
      end
      $fn$`.execute(db);
    for (const table of NOTIFYING_TABLES) {
      await sql`create trigger ${sql.raw(`${table}_notify_change`)} after insert or update or delete on ${sql.table(table)}
        for each row execute function smo_notify_change()`.execute(db);
    }
  },

  async down(db: Kysely<any>) {
    for (const table of NOTIFYING_TABLES) await sql`drop trigger if exists ${sql.raw(`${table}_notify_change`)} on ${sql.table(table)}`.execute(db);
    await sql`drop function if exists smo_notify_change()`.execute(db);
    await db.schema.dropTable("leases").ifExists().execute();
    await db.schema.dropTable("members").ifExists().execute();
  },
};

// Decisions say which load sources made up their rate, and whether the cluster held only part of what the
// rate needed (docs/elasticity.md). Old rows read as unnamed-source, non-partial decisions.
const migration0003: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable("decisions")
      .addColumn("sources", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn("partial", "boolean", (c) => c.notNull().defaultTo(false))
      .execute();
  },

  async down(db: Kysely<any>) {
    await db.schema.alterTable("decisions").dropColumn("sources").dropColumn("partial").execute();
  },
};

const migrations: Record<string, Migration> = {
  "0001_initial": migration0001,
  "0002_members_leases_notify": migration0002,
  "0003_decision_sources": migration0003,
};

/** Kysely MigrationProvider over the compiled-in migrations. */
export class InCodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...migrations };
  }
}
