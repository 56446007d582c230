// Row types of the tables created by migrations.ts, as kysely sees them.
// Read types are deliberately loose where drivers disagree: `pg` returns bigint columns as strings,
// PGlite as numbers (or BigInt beyond 2^53); convert.ts turns both into JS numbers.
import type { ColumnType, Generated } from "kysely";

/** bigint / bigserial column: written as a number, read as whatever the driver gives. */
type BigIntColumn = ColumnType<string | number | bigint, number, number>;
type BigSerial = ColumnType<string | number | bigint, never, never>;
/** timestamptz with a default of now(). */
type CreatedAt = ColumnType<Date, Date | undefined, Date>;
/** JSONB: written as JSON text (never a raw object: `pg` would turn arrays into PG arrays), read parsed. */
type Jsonb = ColumnType<unknown, string, string>;

export interface GraphsTable {
  name: string;
  project: string;
  status: string;
  version: string;
  descriptor: Jsonb;
  descriptor_hash: string;
  strategy: string;
  dashboard_url: string | null;
  message: string | null;
  warnings: Jsonb;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface ServicesTable {
  graph: string;
  name: string;
  status: string;
  cluster: string | null;
  desired_replicas: number;
  cpu: number;
  memory_bytes: BigIntColumn;
  storage_bytes: BigIntColumn;
  gpu: number;
  artifact: string;
  event_triggered: boolean;
  min_replicas: number;
  max_replicas: number;
  dashboard_url: string | null;
  spec: Jsonb;
}

export interface ClustersTable {
  name: string;
  ready: boolean;
  cpu_allocatable: number;
  cpu_free: number;
  memory_allocatable_bytes: BigIntColumn;
  memory_free_bytes: BigIntColumn;
  gpus: number;
  gpus_free: number;
  labels: Jsonb;
  energy_cost: ColumnType<number, number | undefined, number>;
  carbon_intensity: ColumnType<number, number | undefined, number>;
  pue: ColumnType<number, number | undefined, number>;
  location: ColumnType<string, string | undefined, string>;
  profile_gpus: ColumnType<number | null, number | null | undefined, number | null>;
  synced_at: Date;
}

export interface PlacementsTable {
  id: Generated<number>;
  graph: string;
  strategy: string;
  status: string;
  placement: Jsonb;
  objective: number;
  reason: string;
  solve_ms: number;
  details: Jsonb;
  created_at: CreatedAt;
}

export interface DecisionsTable {
  id: BigSerial;
  graph: string;
  service: string;
  cluster: string;
  previous_replicas: number;
  replicas: number;
  requests_per_second: number;
  status: string;
  reason: string;
  trigger: string;
  observed_at: Date;
  received_at: Date;
  decided_at: Date;
  actuated_at: Date | null;
  ready_at: Date | null;
  /** [{ source, requestsPerSecond }] */
  sources: ColumnType<unknown, string | undefined, string>;
  partial: Generated<boolean>;
}

export interface EventsTable {
  id: BigSerial;
  graph: string;
  type: string;
  service: string | null;
  message: string;
  details: Jsonb;
  occurred_at: CreatedAt;
}

export interface OutboxTable {
  id: BigSerial;
  graph: string;
  seq: number;
  action: Jsonb;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: CreatedAt;
}

/** timestamptz the database fills in (clock_timestamp()) unless given. */
type DbClock = ColumnType<Date, Date | undefined, Date>;

export interface MembersTable {
  id: string;
  address: string;
  started_at: DbClock;
  heartbeat_at: DbClock;
}

export interface LeasesTable {
  project: string;
  holder: string;
  token: BigIntColumn;
  renewed_at: Date;
  expires_at: Date;
}

export interface Database {
  graphs: GraphsTable;
  services: ServicesTable;
  clusters: ClustersTable;
  placements: PlacementsTable;
  decisions: DecisionsTable;
  events: EventsTable;
  outbox: OutboxTable;
  members: MembersTable;
  leases: LeasesTable;
}
