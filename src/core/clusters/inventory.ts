// The member clusters as placement sees them: Karmada's live capacity merged with the operator's profile
// (energy cost, GPU override) kept in the store. Also tells the lifecycle when a member is lost, so the
// services placed there can move.
import { InvalidArgumentError, NotFoundError, UnavailableError, type FieldViolation } from "../errors.js";
import type { KarmadaClient, MemberCluster, Subscription } from "../ports/karmada.js";
import type { Dashboard, DashboardPublisher } from "../ports/observability.js";
import type { ClusterProfileRecord, ClusterRecord, Store } from "../ports/store.js";
import type { Logger } from "../../observability/logger.js";

/** One cluster in the form the placement solver takes (free capacity, ready members only). */
export interface SolverCluster {
  name: string;
  cpu: number;
  memoryBytes: number;
  gpu: number;
  energyCost: number;
}

/** Capacity a graph already holds on a cluster; added back when that graph is re-placed. */
export interface HeldCapacity {
  cpu: number;
  memoryBytes: number;
  gpu: number;
}

export interface ClusterSnapshot {
  clusters: ClusterRecord[];
  /** False when Karmada could not be reached and the stored inventory was used instead. */
  live: boolean;
}

export type ClusterLossReason = "not-ready" | "removed";

export interface ClusterInventoryOptions {
  karmada: KarmadaClient;
  store: Store;
  logger: Logger;
  now?: () => Date;
  /** Publishes one dashboard per member the first time it is seen (best effort); absent = none. */
  dashboards?: { publisher: DashboardPublisher; build(cluster: string): Dashboard };
}

export class ClusterInventory {
  private readonly karmada: KarmadaClient;
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly dashboards: ClusterInventoryOptions["dashboards"];
  /** Members whose dashboard this instance has published. */
  private readonly published = new Set<string>();
  /** The inventory as last synced or stored, by name: what reads answer from without I/O. */
  private cache: Map<string, ClusterRecord> | undefined;

  constructor(options: ClusterInventoryOptions) {
    this.dashboards = options.dashboards;
    this.karmada = options.karmada;
    this.store = options.store;
    this.logger = options.logger.child({ component: "cluster-inventory" });
    this.now = options.now ?? (() => new Date());
  }

  /** Reads the members from Karmada and stores them (profiles kept). Throws UnavailableError when Karmada is down. */
  async sync(): Promise<ClusterRecord[]> {
    const members = await this.karmada.listClusters();
    const stored = this.remember(await this.store.clusters.sync(members.map(toCapacity), this.now()));
    this.publishDashboards(members);
    return stored;
  }

  /** Replaces the in-memory inventory with what the store just answered (after commit, never before). */
  private remember(records: ClusterRecord[]): ClusterRecord[] {
    this.cache = new Map(records.map((r) => [r.name, r]));
    return records;
  }

  /** Members as Karmada reported them, merged with the profiles held in memory (when the store write failed). */
  private rememberMembers(members: MemberCluster[]): void {
    const at = this.now();
    const previous = this.cache ?? new Map<string, ClusterRecord>();
    const next = new Map<string, ClusterRecord>();
    for (const m of members) next.set(m.name, { ...toCapacity(m), profile: previous.get(m.name)?.profile ?? defaultProfile(), syncedAt: at });
    for (const [name, old] of previous) if (!next.has(name)) next.set(name, { ...old, ready: false });
    this.cache = next;
  }

  /** Fire and forget: a Grafana outage must not fail a sync; the next sync tries again. */
  private publishDashboards(members: MemberCluster[]): void {
    const dashboards = this.dashboards;
    if (!dashboards) return;
    for (const m of members) {
      if (this.published.has(m.name)) continue;
      this.published.add(m.name);
      dashboards.publisher.publish(dashboards.build(m.name)).catch((err: Error) => {
        this.published.delete(m.name);
        this.logger.warn({ cluster: m.name, err: err.message }, "cluster dashboard not published");
      });
    }
  }

  /** The inventory as of the last sync, by name: from memory once loaded (one store read the first time). */
  async list(): Promise<ClusterRecord[]> {
    if (!this.cache) this.remember(await this.store.clusters.list());
    return [...this.cache!.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One member from memory; NotFoundError naming the known members. */
  async get(name: string): Promise<ClusterRecord> {
    const all = await this.list();
    const found = this.cache!.get(name);
    if (!found) throw new NotFoundError(`cluster ${name} not found (known: ${all.map((c) => c.name).join(", ") || "none"})`);
    return found;
  }

  /** InvalidArgumentError (fields `profile.energy_cost`, …) for a bad profile; NotFoundError for an unknown member. */
  async setProfile(name: string, profile: ClusterProfileRecord): Promise<ClusterRecord> {
    validateProfile(profile);
    if (!(await this.store.clusters.get(name))) {
      // The member may have joined since the last sync.
      await this.sync().catch((err) => this.logger.warn({ err }, "cluster sync before setProfile failed"));
    }
    const updated = await this.store.clusters.setProfile(name, profile);
    this.cache?.set(updated.name, updated);
    return updated;
  }

  /**
   * The members now. `persist` writes them to the store (a dry run writes nothing). When Karmada cannot be
   * reached and the store holds an earlier inventory, that one is returned with `live: false`, so a deploy can
   * still commit and be completed by the outbox once Karmada is back.
   */
  async snapshot(options: { persist: boolean }): Promise<ClusterSnapshot> {
    let members: MemberCluster[];
    try {
      members = await this.karmada.listClusters();
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      const stored = await this.store.clusters.list();
      if (stored.length === 0) throw err;
      this.logger.warn({ err: err.message }, "Karmada unavailable: using the stored cluster inventory");
      return { clusters: stored, live: false };
    }
    if (options.persist) {
      this.publishDashboards(members);
      return { clusters: this.remember(await this.store.clusters.sync(members.map(toCapacity), this.now())), live: true };
    }
    const profiles = new Map((await this.list()).map((c) => [c.name, c.profile]));
    const at = this.now();
    const clusters = members.map((m) => ({ ...toCapacity(m), profile: profiles.get(m.name) ?? defaultProfile(), syncedAt: at }));
    return { clusters, live: true };
  }

  /**
   * The solver's view: ready members only, free capacity (with the GPU override of the profile), energy cost
   * from the profile. `exclude` drops members (a lost one); `held` adds back what the graph being re-placed
   * already uses, so staying put is not counted twice.
   */
  static solverView(
    clusters: ClusterRecord[],
    options: { exclude?: string[]; held?: Map<string, HeldCapacity> } = {},
  ): SolverCluster[] {
    const exclude = new Set(options.exclude ?? []);
    return clusters
      .filter((c) => c.ready && !exclude.has(c.name))
      .map((c) => {
        const held = options.held?.get(c.name);
        const gpusFree = c.profile.gpus === null ? c.gpusFree : Math.max(0, c.profile.gpus - (c.gpus - c.gpusFree));
        return {
          name: c.name,
          cpu: round(c.cpuFree + (held?.cpu ?? 0)),
          memoryBytes: c.memoryFreeBytes + (held?.memoryBytes ?? 0),
          gpu: gpusFree + (held?.gpu ?? 0),
          energyCost: c.profile.energyCost,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Follows the members and calls `onLost` once when a member that was ready becomes NotReady or disappears.
   * The baseline is the stored inventory, so a member lost while smo was down is reported on the first update.
   * Each update is also written to the store.
   */
  watch(onLost: (cluster: string, reason: ClusterLossReason) => void): Subscription {
    let known: Map<string, boolean> | undefined;
    let chain: Promise<void> = Promise.resolve();
    let stopped = false;
    const handle = async (members: MemberCluster[]) => {
      if (stopped) return;
      if (!known) known = new Map((await this.store.clusters.list()).map((c) => [c.name, c.ready]));
      const now = new Map(members.map((m) => [m.name, m.ready]));
      const lost: [string, ClusterLossReason][] = [];
      for (const [name, wasReady] of known) {
        if (!wasReady) continue;
        if (!now.has(name)) lost.push([name, "removed"]);
        else if (now.get(name) === false) lost.push([name, "not-ready"]);
      }
      known = now;
      this.publishDashboards(members);
      try {
        this.remember(await this.store.clusters.sync(members.map(toCapacity), this.now()));
      } catch (err) {
        this.rememberMembers(members);
        this.logger.warn({ err }, "storing the cluster update failed");
      }
      for (const [name, reason] of lost) {
        this.logger.warn({ cluster: name, reason }, "member cluster lost");
        if (!stopped) onLost(name, reason);
      }
    };
    const sub = this.karmada.watchClusters((members) => {
      chain = chain.then(() => handle(members)).catch((err) => this.logger.error({ err }, "cluster watch update failed"));
    });
    return {
      stop() {
        stopped = true;
        sub.stop();
      },
    };
  }

  /** Throws NotFoundError naming the known members when `name` is not one. */
  require(name: string): Promise<ClusterRecord> {
    return this.get(name);
  }
}

function toCapacity(m: MemberCluster): Omit<ClusterRecord, "profile" | "syncedAt"> {
  return {
    name: m.name,
    ready: m.ready,
    cpuAllocatable: m.cpuAllocatable,
    cpuFree: m.cpuFree,
    memoryAllocatableBytes: m.memoryAllocatableBytes,
    memoryFreeBytes: m.memoryFreeBytes,
    gpus: m.gpus,
    gpusFree: m.gpusFree,
    labels: m.labels,
  };
}

export function defaultProfile(): ClusterProfileRecord {
  return { energyCost: 1, carbonIntensity: 0, pue: 1, location: "", gpus: null };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function validateProfile(p: ClusterProfileRecord): void {
  const v: FieldViolation[] = [];
  const nonNegative = (value: number, field: string) => {
    if (!Number.isFinite(value) || value < 0) v.push({ field, description: "must be a finite number ≥ 0" });
  };
  nonNegative(p.energyCost, "profile.energy_cost");
  nonNegative(p.carbonIntensity, "profile.carbon_intensity");
  if (!Number.isFinite(p.pue) || (p.pue !== 0 && p.pue < 1)) {
    v.push({ field: "profile.pue", description: "power usage effectiveness must be ≥ 1 (0 = unknown)" });
  }
  if (p.gpus !== null && (!Number.isInteger(p.gpus) || p.gpus < 0)) {
    v.push({ field: "profile.gpus", description: "must be a non-negative integer, or unset to use the count Karmada reports" });
  }
  if (typeof p.location !== "string" || p.location.length > 253) v.push({ field: "profile.location", description: "at most 253 characters" });
  if (v.length > 0) throw new InvalidArgumentError(`invalid cluster profile: ${v.map((x) => x.field).join(", ")}`, v);
}
