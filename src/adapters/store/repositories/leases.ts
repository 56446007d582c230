// Members and per-project leases (docs/ha.md). Every comparison of times runs on the database clock
// (clock_timestamp(), not now(): now() is frozen at the start of the transaction), so members whose own clocks
// jump or drift still agree on who holds what. Each acquire and renew is one statement: two members racing for
// a project serialise on its row and exactly one wins.
import { sql, type Kysely, type Selectable } from "kysely";
import type { LeaseRecord, LeaseRepository, MemberRecord } from "../../../core/ports/store.js";
import { toDate, toNumber } from "../convert.js";
import type { Database, LeasesTable, MembersTable } from "../schema.js";

function toMemberRecord(row: Selectable<MembersTable>): MemberRecord {
  return { id: row.id, address: row.address, startedAt: toDate(row.started_at), heartbeatAt: toDate(row.heartbeat_at) };
}

function toLeaseRecord(row: Selectable<LeasesTable>): LeaseRecord {
  return {
    project: row.project,
    holder: row.holder,
    token: toNumber(row.token),
    renewedAt: toDate(row.renewed_at),
    expiresAt: toDate(row.expires_at),
  };
}

/** `ms` milliseconds after the database's current time. */
const later = (ms: number) => sql<Date>`clock_timestamp() + make_interval(secs => ${ms / 1000})`;

export function leaseRepository(db: Kysely<Database>): LeaseRepository {
  return {
    async heartbeat(member) {
      const row = await db
        .insertInto("members")
        .values({ id: member.id, address: member.address })
        .onConflict((oc) => oc.column("id").doUpdateSet({ address: member.address, heartbeat_at: sql`clock_timestamp()` }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return toMemberRecord(row);
    },

    async members(aliveMs) {
      const rows = await db
        .selectFrom("members")
        .selectAll()
        .where("heartbeat_at", ">", sql<Date>`clock_timestamp() - make_interval(secs => ${aliveMs / 1000})`)
        .orderBy("id")
        .execute();
      return rows.map(toMemberRecord);
    },

    async removeMember(id) {
      await db.deleteFrom("members").where("id", "=", id).execute();
    },

    async pruneMembers(goneMs) {
      const result = await db
        .deleteFrom("members")
        .where("heartbeat_at", "<", sql<Date>`clock_timestamp() - make_interval(secs => ${goneMs / 1000})`)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async list() {
      return (await db.selectFrom("leases").selectAll().orderBy("project").execute()).map(toLeaseRecord);
    },

    async projects() {
      const rows = await db.selectFrom("graphs").select("project").distinct().orderBy("project").execute();
      return rows.map((r) => r.project);
    },

    async acquire(project, holder, durationMs) {
      // Same holder and unexpired: a renewal (same token). Otherwise the lease passes (or returns) to `holder`
      // with the next token, so anything the previous term started is refused by check().
      const row = await db
        .insertInto("leases")
        .values({ project, holder, token: 1, renewed_at: sql`clock_timestamp()`, expires_at: later(durationMs) })
        .onConflict((oc) =>
          oc
            .column("project")
            .doUpdateSet({
              holder,
              token: sql`case when leases.holder = excluded.holder and leases.expires_at > clock_timestamp()
                then leases.token else leases.token + 1 end`,
              renewed_at: sql`clock_timestamp()`,
              expires_at: later(durationMs),
            })
            .where((eb) => eb.or([eb("leases.holder", "=", holder), eb("leases.expires_at", "<=", sql<Date>`clock_timestamp()`)])),
        )
        .returningAll()
        .executeTakeFirst();
      return row && toLeaseRecord(row);
    },

    async renew(holder, held, durationMs) {
      if (held.length === 0) return [];
      // One statement for every lease of the member: (project, token) pairs as a JSON record set.
      const { rows } = await sql<Selectable<LeasesTable>>`
        update leases as l set renewed_at = clock_timestamp(), expires_at = ${later(durationMs)}
        from jsonb_to_recordset(${JSON.stringify(held)}::jsonb) as h(project text, token bigint)
        where l.project = h.project and l.token = h.token and l.holder = ${holder} and l.expires_at > clock_timestamp()
        returning l.*`.execute(db);
      return rows.map(toLeaseRecord);
    },

    async release(holder, projects) {
      if (projects.length === 0) return;
      await db
        .updateTable("leases")
        .set({ expires_at: sql`clock_timestamp()` })
        .where("holder", "=", holder)
        .where("project", "in", projects)
        .where("expires_at", ">", sql<Date>`clock_timestamp()`)
        .execute();
    },

    async check(project, holder, token) {
      const row = await db
        .selectFrom("leases")
        .select("project")
        .where("project", "=", project)
        .where("holder", "=", holder)
        .where("token", "=", token)
        .where("expires_at", ">", sql<Date>`clock_timestamp()`)
        .forShare()
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
