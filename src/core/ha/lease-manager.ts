// The lease manager (docs/ha.md): heartbeats this process as a member, renews the leases it holds about every
// second, takes the projects rendezvous hashing gives it and hands over the others. It is the ProjectOwnership
// of a multi-process deployment. Ownership is believed only while the last successful renewal is younger than
// the lease duration minus one renewal period on this process's monotonic clock, which never jumps and keeps
// counting while the process is stopped: a process that stalled (SIGSTOP) or whose wall clock jumped wakes up
// not owning anything it did not renew, and fence() checks the token on the database before every action.
// Rounds run every renewal period, and also right after the earliest expiry seen among the other members'
// heartbeats and leases: a dead owner's projects are taken as soon as the database lets them go.
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { NotOwnerError, type ProjectOwnership } from "../ports/ownership.js";
import type { LeaseRecord, LeaseRepository, MemberRecord } from "../ports/store.js";
import { planLeases } from "./rendezvous.js";

export interface LeaseListener {
  /** The project's lease was taken (fresh token): re-read its state and resume acting. */
  acquired(project: string, token: number): void;
  /** The lease was lost (refused renewal, lapsed, fencing refused) or handed over: stop acting. */
  lost(project: string, reason: string): void;
  /** After every round: the other live members (forwarding keeps a connection ready to each). */
  members?(others: { id: string; address: string }[]): void;
}

export interface LeaseManagerOptions {
  leases: LeaseRepository;
  self: { id: string; address: string };
  /** A lease not renewed for this long expires (database clock). */
  durationMs: number;
  /** Renewal period; also the margin by which this process stops believing in a lease before it expires. */
  renewMs: number;
  logger: Logger;
  listener?: LeaseListener;
  /** Monotonic milliseconds (tests inject one). */
  monotonic?: () => number;
  /** A member row whose heartbeat is older than this belongs to a process that is gone: deleted (default 10 leases). */
  memberGraceMs?: number;
}

/**
 * A round meant to see an expiry runs this long after it, on this process's clock: the expiry time is the
 * database's, read one query earlier, so the margin covers that query's latency and timer granularity.
 */
const EXPIRY_MARGIN_MS = 30;
/** Default grace before a silent member's row is deleted, in lease durations. */
const MEMBER_GRACE_LEASES = 10;

interface Held {
  token: number;
  /** Monotonic time after which this process no longer acts on the lease. */
  validUntil: number;
}

export interface MemberView {
  id: string;
  address: string;
  startedAt: Date;
  heartbeatAt: Date;
  /** Unexpired leases the member holds. */
  projects: number;
  self: boolean;
}

export class LeaseManager implements ProjectOwnership {
  readonly id: string;
  readonly #held = new Map<string, Held>();
  readonly #now: () => number;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  #storeDown = false;
  /** Monotonic time of the earliest expiry of another member's heartbeat or lease seen in the last round. */
  #nextExpiry: number | undefined;
  /** Monotonic time of the last deletion of gone members' rows. */
  #prunedAt = -Infinity;
  /** Holder address of every unexpired lease, as of the last round (for forwarding). */
  #owners = new Map<string, { holder: string; address: string }>();

  constructor(private readonly options: LeaseManagerOptions) {
    this.id = options.self.id;
    this.#now = options.monotonic ?? (() => performance.now());
    this.#log = options.logger.child({ component: "leases", member: options.self.id });
    if (options.renewMs * 2 > options.durationMs) throw new Error("the lease duration must be at least twice the renewal period");
  }

  owns(project: string): boolean {
    const h = this.#held.get(project);
    return h !== undefined && this.#now() < h.validUntil;
  }

  /** Projects this process acts for now. */
  owned(): string[] {
    return [...this.#held.keys()].filter((p) => this.owns(p)).sort();
  }

  async fence(project: string, leases: LeaseRepository = this.options.leases): Promise<void> {
    const h = this.#held.get(project);
    if (!h) throw new NotOwnerError(project, "no lease held");
    if (this.#now() >= h.validUntil) {
      this.#lose(project, "lease not renewed in time (stalled process or unreachable database)");
      throw new NotOwnerError(project, "lease lapsed");
    }
    if (!(await leases.check(project, this.id, h.token))) {
      this.#lose(project, `fencing token ${h.token} refused by the database`);
      throw new NotOwnerError(project, `fencing token ${h.token} refused`);
    }
  }

  /**
   * Runs the first round (so a process that can take projects holds them when start resolves), then every
   * renewMs. `address`: where the others forward to, when only known now (an ephemeral --listen port).
   */
  async start(address?: string): Promise<void> {
    if (address !== undefined) this.options.self.address = address;
    this.#stopped = false;
    await this.tick();
  }

  /** Runs a round soon (e.g. a change names a project nobody holds yet). */
  poke(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.tick();
  }

  /** One round: heartbeat, renew, then take and hand over per the rendezvous plan. Never throws. */
  tick(): Promise<void> {
    if (this.#ticking) return this.#ticking;
    clearTimeout(this.#timer);
    this.#ticking = this.#round()
      .catch((err: unknown) => {
        if (!this.#storeDown) this.#log.error({ err: (err as Error).message }, "cannot renew leases; acting stops when they lapse");
        this.#storeDown = true;
      })
      .finally(() => {
        this.#ticking = undefined;
        this.#expire();
        if (this.#stopped) return;
        const delay = this.#again ? 0 : this.#nextRoundIn();
        this.#again = false;
        this.#timer = setTimeout(() => void this.tick(), delay);
        this.#timer.unref?.();
      });
    return this.#ticking;
  }

  /**
   * The renewal period, or less when another member's heartbeat or lease expires sooner: the round right after
   * that expiry takes the projects of a member that died instead of finding them up to a period later.
   */
  #nextRoundIn(): number {
    const { renewMs } = this.options;
    if (this.#nextExpiry === undefined) return renewMs;
    return Math.max(0, Math.min(renewMs, this.#nextExpiry + EXPIRY_MARGIN_MS - this.#now()));
  }

  async #round(): Promise<void> {
    const { leases, self, durationMs, renewMs } = this.options;
    const started = this.#now();
    const validUntil = started + durationMs - renewMs;
    this.#nextExpiry = undefined;
    const me = await leases.heartbeat(self);
    // The database's clock and ours, read at about the same instant: converts its expiry times to ours.
    const clocks = { db: me.heartbeatAt.getTime(), local: this.#now() };
    const held = [...this.#held].map(([project, h]) => ({ project, token: h.token }));
    const renewed = new Set((await leases.renew(self.id, held, durationMs)).map((l) => l.project));
    if (this.#storeDown) this.#log.info("database reachable again; leases renewed");
    this.#storeDown = false;
    for (const { project } of held) {
      const h = this.#held.get(project);
      if (!h) continue;
      if (renewed.has(project)) h.validUntil = validUntil;
      else this.#lose(project, "renewal refused: the lease expired or another member took it");
    }
    if (this.#stopped) return;
    const [members, projects, all] = await Promise.all([leases.members(durationMs), leases.projects(), leases.list(), this.#prune()]);
    this.#owners = ownersOf(members, all);
    this.#nextExpiry = earliestExpiry(self.id, members, all, durationMs, clocks);
    this.options.listener?.members?.(members.filter((m) => m.id !== self.id).map((m) => ({ id: m.id, address: m.address })));
    const plan = planLeases(self.id, members.map((m) => m.id), projects, new Set(this.#held.keys()));
    if (plan.release.length > 0) {
      for (const p of plan.release) this.#drop(p, "handed over to the member rendezvous hashing now prefers");
      await leases.release(self.id, plan.release);
    }
    for (const project of plan.acquire) {
      if (this.#stopped) return;
      const lease = await leases.acquire(project, self.id, durationMs);
      if (!lease) continue; // another member still holds it; retried next round
      this.#held.set(project, { token: lease.token, validUntil });
      this.#log.info({ project, token: lease.token }, "lease acquired");
      this.options.listener?.acquired(project, lease.token);
    }
  }

  /** Deletes the rows of members silent for the grace period (at most once per lease duration). */
  async #prune(): Promise<void> {
    const { leases, durationMs } = this.options;
    if (this.#now() - this.#prunedAt < durationMs) return;
    this.#prunedAt = this.#now();
    const gone = await leases.pruneMembers(this.options.memberGraceMs ?? MEMBER_GRACE_LEASES * durationMs);
    if (gone > 0) this.#log.info({ members: gone }, "deleted the rows of members gone silent");
  }

  /** Leases whose validity passed without a renewal: stop acting and say so. */
  #expire(): void {
    const now = this.#now();
    for (const [project, h] of this.#held) if (now >= h.validUntil) this.#lose(project, "lease not renewed in time");
  }

  #lose(project: string, reason: string): void {
    if (!this.#held.delete(project)) return;
    this.#log.warn({ project, reason }, "lost the lease; no longer acting for the project");
    this.options.listener?.lost(project, reason);
  }

  #drop(project: string, reason: string): void {
    if (!this.#held.delete(project)) return;
    this.#log.info({ project, reason }, "lease released");
    this.options.listener?.lost(project, reason);
  }

  /** The live member holding the project's lease as of the last round, and its address; undefined when none. */
  ownerOf(project: string): { holder: string; address: string } | undefined {
    if (this.owns(project)) return { holder: this.id, address: this.options.self.address };
    const owner = this.#owners.get(project);
    return owner?.holder === this.id ? undefined : owner;
  }

  /** The live members with the number of unexpired leases each holds. */
  async members(): Promise<MemberView[]> {
    const { leases, durationMs } = this.options;
    const [members, all] = await Promise.all([leases.members(durationMs), leases.list()]);
    const counts = new Map<string, number>();
    for (const { holder } of ownersOf(members, all).values()) counts.set(holder, (counts.get(holder) ?? 0) + 1);
    return members.map((m) => ({ ...m, projects: counts.get(m.id) ?? 0, self: m.id === this.id }));
  }

  /**
   * Graceful stop (SIGTERM): no more rounds, every lease released and the member row removed, so the others
   * take the projects at their next round instead of waiting for expiry.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking;
    const projects = [...this.#held.keys()];
    for (const p of projects) this.#drop(p, "shutting down");
    try {
      await this.options.leases.release(this.id, projects);
      await this.options.leases.removeMember(this.id);
      if (projects.length) this.#log.info({ projects: projects.length }, "leases handed over");
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, "could not release the leases; they expire on their own");
    }
  }
}

/**
 * When, on this process's monotonic clock, the next other member's heartbeat or lease expires (undefined when
 * none will): a heartbeat is stale `durationMs` after it was written. Only future expiries count, so a round
 * that ran late never schedules itself in a loop.
 */
export function earliestExpiry(
  self: string,
  members: MemberRecord[],
  leases: LeaseRecord[],
  durationMs: number,
  clocks: { db: number; local: number },
): number | undefined {
  let earliest = Infinity;
  for (const m of members) if (m.id !== self) earliest = Math.min(earliest, m.heartbeatAt.getTime() + durationMs);
  for (const l of leases) if (l.holder !== self && l.expiresAt.getTime() > clocks.db) earliest = Math.min(earliest, l.expiresAt.getTime());
  return earliest === Infinity ? undefined : clocks.local + (earliest - clocks.db);
}

/** Unexpired leases of live members → holder and address ("now" on the database clock: the newest heartbeat). */
function ownersOf(members: MemberRecord[], leases: LeaseRecord[]): Map<string, { holder: string; address: string }> {
  const dbNow = Math.max(0, ...members.map((m) => m.heartbeatAt.getTime()));
  const address = new Map(members.map((m) => [m.id, m.address]));
  const out = new Map<string, { holder: string; address: string }>();
  for (const l of leases) {
    const a = address.get(l.holder);
    if (a !== undefined && l.expiresAt.getTime() > dbNow) out.set(l.project, { holder: l.holder, address: a });
  }
  return out;
}
