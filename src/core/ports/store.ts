// What core code needs from persistence. Implemented by src/adapters/store (kysely on pg or PGlite).
// Every method of a repository obtained from `transaction(fn)` runs inside that transaction.
import type { GraphEventType } from "../events.js";

export type GraphStatus = "deploying" | "running" | "stopped" | "failed" | "removing";
export type ServiceStatus = "deployed" | "pending" | "not-deployed" | "failed";

export interface GraphRecord {
  name: string;
  project: string;
  status: GraphStatus;
  version: string;
  /** The whole descriptor document as parsed (unknown fields kept). JSONB. */
  descriptor: unknown;
  /** sha256 of the canonical descriptor JSON: same hash = same descriptor (idempotent deploy). */
  descriptorHash: string;
  strategy: string;
  dashboardUrl: string | null;
  message: string | null;
  warnings: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type NewGraph = Omit<GraphRecord, "createdAt" | "updatedAt">;

export interface ServiceRecord {
  graph: string;
  name: string;
  status: ServiceStatus;
  cluster: string | null;
  desiredReplicas: number;
  cpu: number;
  memoryBytes: number;
  storageBytes: number;
  gpu: number;
  artifact: string;
  eventTriggered: boolean;
  minReplicas: number;
  maxReplicas: number;
  dashboardUrl: string | null;
  /** The translated service model (core/hdag/model.ts ServiceModel) as JSON. JSONB. */
  spec: unknown;
}

export interface ClusterProfileRecord {
  energyCost: number;
  carbonIntensity: number;
  pue: number;
  location: string;
  /** Overrides the GPU count read from Karmada when not null. */
  gpus: number | null;
}

export interface ClusterRecord {
  name: string;
  ready: boolean;
  cpuAllocatable: number;
  cpuFree: number;
  memoryAllocatableBytes: number;
  memoryFreeBytes: number;
  gpus: number;
  gpusFree: number;
  labels: Record<string, string>;
  profile: ClusterProfileRecord;
  syncedAt: Date;
}

export interface PlacementRecord {
  id: number;
  graph: string;
  strategy: string;
  status: "optimal" | "feasible" | "infeasible";
  placement: Record<string, string>;
  objective: number;
  reason: string;
  solveMs: number;
  /** Full decision (cost terms, moved services, backend, gap) as JSON. JSONB. */
  details: unknown;
  createdAt: Date;
}

export interface DecisionRecord {
  id: number;
  graph: string;
  service: string;
  cluster: string;
  previousReplicas: number;
  replicas: number;
  requestsPerSecond: number;
  status: "optimal" | "feasible" | "infeasible";
  reason: string;
  /** push | prometheus | forecast | reconcile */
  trigger: string;
  observedAt: Date;
  receivedAt: Date;
  decidedAt: Date;
  actuatedAt: Date | null;
  readyAt: Date | null;
  /** The load sources whose samples made up the rate (source "" = unnamed samples). Stored: always present. */
  sources?: { source: string; requestsPerSecond: number }[];
  /** The cluster held only part of the replicas the rate needed; a re-placement was asked for the rest. */
  partial?: boolean;
}

export interface EventRecord {
  id: number;
  graph: string;
  /** One of GRAPH_EVENT_TYPES (core/events.ts). */
  type: GraphEventType;
  service: string | null;
  message: string;
  details: unknown;
  occurredAt: Date;
}

/** A Karmada action still to apply after its transaction committed (transactional outbox). */
export interface OutboxRecord {
  id: number;
  graph: string;
  /** Order within the graph: lower first. */
  seq: number;
  /** Serializable action description, interpreted by core/graphs. JSONB. */
  action: unknown;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

export interface GraphRepository {
  /**
   * Empty or undefined project lists every project; ordered by name. A page: `limit` graphs named after `after`
   * (keyset paging, for loads that must not hold every row at once).
   */
  list(filter?: { project?: string; after?: string; limit?: number }): Promise<GraphRecord[]>;
  get(name: string): Promise<GraphRecord | undefined>;
  /** SELECT … FOR UPDATE inside a transaction: serialises mutations of one graph. */
  lock(name: string): Promise<GraphRecord | undefined>;
  /** Throws AlreadyExistsError when the name is taken. */
  create(graph: NewGraph): Promise<GraphRecord>;
  update(name: string, patch: Partial<Omit<NewGraph, "name">>): Promise<GraphRecord>;
  /** Deletes the graph and, by cascade, its services, placements, decisions, events and outbox. */
  delete(name: string): Promise<void>;
}

export interface ServiceRepository {
  listByGraph(graph: string): Promise<ServiceRecord[]>;
  get(graph: string, name: string): Promise<ServiceRecord | undefined>;
  /** Insert or replace by (graph, name). */
  upsert(service: ServiceRecord): Promise<void>;
  update(graph: string, name: string, patch: Partial<Omit<ServiceRecord, "graph" | "name">>): Promise<ServiceRecord>;
  /** Sets desiredReplicas of several services in one statement (services gone meanwhile are skipped). */
  setDesiredReplicas(rows: { graph: string; name: string; desiredReplicas: number }[]): Promise<void>;
  /** Every service of every graph with the given status values (elasticity loops at start-up). */
  listByStatus(statuses: ServiceStatus[]): Promise<ServiceRecord[]>;
  /** Every service of every graph, by graph then name (the read model's start-up load). */
  listAll(graphs?: readonly string[]): Promise<ServiceRecord[]>;
}

export interface ClusterRepository {
  list(): Promise<ClusterRecord[]>;
  get(name: string): Promise<ClusterRecord | undefined>;
  /** Replaces capacity fields of the given clusters, keeps profiles; clusters absent from the list are marked not ready. */
  sync(clusters: Omit<ClusterRecord, "profile" | "syncedAt">[], at: Date): Promise<ClusterRecord[]>;
  /** Throws NotFoundError for an unknown cluster. */
  setProfile(name: string, profile: ClusterProfileRecord): Promise<ClusterRecord>;
}

export interface PlacementRepository {
  add(placement: Omit<PlacementRecord, "id" | "createdAt">): Promise<PlacementRecord>;
  latest(graph: string): Promise<PlacementRecord | undefined>;
  /** The latest placement of every graph that has one (the read model's start-up load). */
  latestAll(graphs?: readonly string[]): Promise<PlacementRecord[]>;
  history(graph: string, limit?: number): Promise<PlacementRecord[]>;
}

export interface DecisionRepository {
  add(decision: Omit<DecisionRecord, "id">): Promise<DecisionRecord>;
  /** Several decisions in one statement, answered in the same order; one unknown graph fails them all. */
  addMany(decisions: Omit<DecisionRecord, "id">[]): Promise<DecisionRecord[]>;
  /** Sets actuatedAt / readyAt once known. */
  markStage(id: number, stage: "actuatedAt" | "readyAt", at: Date): Promise<void>;
  /** markStage for several decisions in one statement (unknown ids are skipped). */
  markStageMany(stage: "actuatedAt" | "readyAt", marks: { id: number; at: Date }[]): Promise<void>;
  /** Decisions with id > afterId, oldest first; optional graph/service filter. */
  listAfter(afterId: number, filter?: { graph?: string; service?: string; limit?: number }): Promise<DecisionRecord[]>;
  latestId(): Promise<number>;
  /** Deletes at most `limit` decisions decided before `before`, oldest first; answers how many went. */
  pruneBefore(before: Date, limit: number): Promise<number>;
  /** Deletes at most `limit` decisions of graphs beyond their newest `keep`, oldest first; answers how many went. */
  pruneBeyond(keep: number, limit: number): Promise<number>;
}

export interface EventRepository {
  append(event: Omit<EventRecord, "id" | "occurredAt"> & { occurredAt?: Date }): Promise<EventRecord>;
  /** Several events in one statement, answered in the same order; one unknown graph fails them all. */
  appendMany(events: (Omit<EventRecord, "id" | "occurredAt"> & { occurredAt?: Date })[]): Promise<EventRecord[]>;
  /** Events of a graph with id > afterId, oldest first. */
  listAfter(graph: string, afterId: number, limit?: number): Promise<EventRecord[]>;
  /** The newest `limit` events of a graph, oldest first. */
  latest(graph: string, limit: number): Promise<EventRecord[]>;
  /** The newest `limit` events of every graph, by graph, oldest first within a graph (one query). */
  latestAll(limit: number, graphs?: readonly string[]): Promise<EventRecord[]>;
  /** Deletes at most `limit` events that occurred before `before`, oldest first; answers how many went. */
  pruneBefore(before: Date, limit: number): Promise<number>;
  /** Deletes at most `limit` events of graphs beyond their newest `keep`, oldest first; answers how many went. */
  pruneBeyond(keep: number, limit: number): Promise<number>;
}

export interface OutboxRepository {
  enqueue(graph: string, actions: unknown[]): Promise<OutboxRecord[]>;
  /** Pending actions, ordered by graph then seq; optional graph filter. */
  pending(graph?: string): Promise<OutboxRecord[]>;
  /** Removes an applied action. */
  complete(id: number): Promise<void>;
  recordFailure(id: number, error: string): Promise<void>;
  /**
   * Inside a transaction: locks the pending action (FOR UPDATE SKIP LOCKED) until the transaction ends; false
   * when it is gone (applied meanwhile) or another transaction holds it.
   */
  claim(id: number): Promise<boolean>;
}

/** A running `smo serve` process of a multi-process deployment (docs/ha.md). */
export interface MemberRecord {
  id: string;
  /** host:port other members forward to (--advertise-address, else --listen). */
  address: string;
  startedAt: Date;
  heartbeatAt: Date;
}

/** Who acts for a project: one member at a time, fenced by a token that grows with every change of holder. */
export interface LeaseRecord {
  project: string;
  holder: string;
  /** Monotonic per project: a takeover (or a re-acquire after expiry) gets a higher one. */
  token: number;
  renewedAt: Date;
  /** On the database clock: every member compares against the same clock. */
  expiresAt: Date;
}

/**
 * Members and per-project leases in the database. Times are the database's (clock_timestamp()), so members with
 * skewed clocks still agree on expiry. Lease rows are never deleted: the token stays monotonic.
 */
export interface LeaseRepository {
  /** Inserts or refreshes the member's row (its heartbeat). */
  heartbeat(member: { id: string; address: string }): Promise<MemberRecord>;
  /** Members whose heartbeat is younger than `aliveMs`, by id. */
  members(aliveMs: number): Promise<MemberRecord[]>;
  removeMember(id: string): Promise<void>;
  /** Deletes the rows of members whose heartbeat is older than `goneMs` (processes that died); returns how many. */
  pruneMembers(goneMs: number): Promise<number>;
  /** Every lease row (held, expired or released), by project. */
  list(): Promise<LeaseRecord[]>;
  /** The projects that have graphs (what there is to own), sorted. */
  projects(): Promise<string[]>;
  /**
   * Takes the project's lease for `holder` when it is free, expired or already held by `holder` (then renewed,
   * same token); a change of holder or an expired lease yields token + 1. Undefined when another member holds it.
   */
  acquire(project: string, holder: string, durationMs: number): Promise<LeaseRecord | undefined>;
  /** Extends the unexpired leases `holder` holds with exactly these tokens; returns those renewed. */
  renew(holder: string, held: { project: string; token: number }[], durationMs: number): Promise<LeaseRecord[]>;
  /** Expires the given leases of `holder` now (graceful hand-over); the rows and tokens stay. */
  release(holder: string, projects: string[]): Promise<void>;
  /**
   * True when `holder` still holds `project` with `token` and it has not expired. Inside a transaction it locks
   * the lease row (FOR SHARE): no takeover can commit before the transaction ends, so the writes made in it
   * are fenced.
   */
  check(project: string, holder: string, token: number): Promise<boolean>;
}

/** Tables whose writes the change feed reports. */
export type ChangeTable = "graphs" | "services" | "placements" | "decisions" | "outbox";

/** One committed row change, as NOTIFY carries it (deduplicated per transaction by PostgreSQL). */
export interface StoreChange {
  kind: "change";
  graphId: string;
  /** Empty when the graph row was already gone (cascading delete). */
  project: string;
  what: ChangeTable;
  op: "insert" | "update" | "delete";
}

/** Notifications may have been missed (the listening connection was lost and is back): re-read everything. */
export interface StoreResync {
  kind: "resync";
  reason: string;
}

export type ChangeSignal = StoreChange | StoreResync;

/**
 * Committed writes of every process on the database (LISTEN/NOTIFY on PostgreSQL, in-process on PGlite), this
 * process's own included. Delivery is at most once per connection: after `resync`, re-read.
 */
export interface ChangeFeed {
  /** Returns the unsubscribe function. */
  subscribe(listener: (signal: ChangeSignal) => void): () => void;
}

export interface Repositories {
  graphs: GraphRepository;
  services: ServiceRepository;
  clusters: ClusterRepository;
  placements: PlacementRepository;
  decisions: DecisionRepository;
  events: EventRepository;
  outbox: OutboxRepository;
  leases: LeaseRepository;
}

export interface Store extends Repositories {
  /** Committed changes of graph state by any process on this database. */
  readonly changes: ChangeFeed;
  /** Runs fn in one database transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
