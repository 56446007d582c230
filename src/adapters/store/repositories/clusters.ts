import type { Kysely, Selectable } from "kysely";
import { NotFoundError } from "../../../core/errors.js";
import type { ClusterRecord, ClusterRepository } from "../../../core/ports/store.js";
import { json, toDate, toNumber } from "../convert.js";
import type { ClustersTable, Database } from "../schema.js";

function toClusterRecord(row: Selectable<ClustersTable>): ClusterRecord {
  return {
    name: row.name,
    ready: row.ready,
    cpuAllocatable: row.cpu_allocatable,
    cpuFree: row.cpu_free,
    memoryAllocatableBytes: toNumber(row.memory_allocatable_bytes),
    memoryFreeBytes: toNumber(row.memory_free_bytes),
    gpus: row.gpus,
    gpusFree: row.gpus_free,
    labels: (row.labels as Record<string, string> | null) ?? {},
    profile: {
      energyCost: row.energy_cost,
      carbonIntensity: row.carbon_intensity,
      pue: row.pue,
      location: row.location,
      gpus: row.profile_gpus,
    },
    syncedAt: toDate(row.synced_at),
  };
}

type SyncedCluster = Omit<ClusterRecord, "profile" | "syncedAt">;

async function syncIn(db: Kysely<Database>, clusters: SyncedCluster[], at: Date): Promise<void> {
  // Last entry wins for a name given twice (ON CONFLICT cannot touch one row twice in a statement).
  const byName = new Map(clusters.map((cluster) => [cluster.name, cluster]));
  if (byName.size > 0) {
    const rows = [...byName.values()].map((c) => ({
      name: c.name,
      ready: c.ready,
      cpu_allocatable: c.cpuAllocatable,
      cpu_free: c.cpuFree,
      memory_allocatable_bytes: c.memoryAllocatableBytes,
      memory_free_bytes: c.memoryFreeBytes,
      gpus: c.gpus,
      gpus_free: c.gpusFree,
      labels: json(c.labels ?? {}),
      synced_at: at,
    }));
    await db
      .insertInto("clusters")
      .values(rows)
      // Capacity columns only: the operator profile columns are kept.
      .onConflict((conflict) =>
        conflict.column("name").doUpdateSet((eb) => ({
          ready: eb.ref("excluded.ready"),
          cpu_allocatable: eb.ref("excluded.cpu_allocatable"),
          cpu_free: eb.ref("excluded.cpu_free"),
          memory_allocatable_bytes: eb.ref("excluded.memory_allocatable_bytes"),
          memory_free_bytes: eb.ref("excluded.memory_free_bytes"),
          gpus: eb.ref("excluded.gpus"),
          gpus_free: eb.ref("excluded.gpus_free"),
          labels: eb.ref("excluded.labels"),
          synced_at: eb.ref("excluded.synced_at"),
        })),
      )
      .execute();
  }
  let absent = db.updateTable("clusters").set({ ready: false });
  if (byName.size > 0) absent = absent.where("name", "not in", [...byName.keys()]);
  await absent.execute();
}

export function clusterRepository(db: Kysely<Database>): ClusterRepository {
  const list = async () => (await db.selectFrom("clusters").selectAll().orderBy("name").execute()).map(toClusterRecord);
  return {
    list,

    async get(name) {
      const row = await db.selectFrom("clusters").selectAll().where("name", "=", name).executeTakeFirst();
      return row && toClusterRecord(row);
    },

    /** Returns every known cluster after the sync (absent ones with ready = false), ordered by name. */
    async sync(clusters, at) {
      if (db.isTransaction) {
        await syncIn(db, clusters, at);
        return list();
      }
      return db.transaction().execute(async (trx) => {
        await syncIn(trx, clusters, at);
        return (await trx.selectFrom("clusters").selectAll().orderBy("name").execute()).map(toClusterRecord);
      });
    },

    async setProfile(name, profile) {
      const row = await db
        .updateTable("clusters")
        .set({
          energy_cost: profile.energyCost,
          carbon_intensity: profile.carbonIntensity,
          pue: profile.pue,
          location: profile.location,
          profile_gpus: profile.gpus,
        })
        .where("name", "=", name)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`cluster "${name}" not found`);
      return toClusterRecord(row);
    },
  };
}
