// Several `smo serve` processes on one PostgreSQL (docs/ha.md): the lease manager that decides who acts for
// each project, the change-feed wiring that makes the owner apply another process's commits at once, and the
// router that forwards load samples to the owner. PGlite and the in-memory store stay single-process: there
// the process owns everything and none of this runs.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { ElasticityController } from "../core/elasticity/controller.js";
import type { GraphLifecycle } from "../core/graphs/lifecycle.js";
import { LeaseManager, type MemberView } from "../core/ha/lease-manager.js";
import { LoadRouter } from "../core/ha/load-router.js";
import type { ChangeSignal, Store } from "../core/ports/store.js";
import type { Logger } from "../observability/logger.js";
import { GrpcLoadForwarder } from "./forwarder.js";
import type { ServeConfig } from "./serve-config.js";

export interface Ha {
  manager: LeaseManager;
  /** Set once start() ran with an elasticity loop. */
  router?: LoadRouter;
  /** `grpcAddress`: the bound gRPC listener, advertised when --advertise-address is not given. */
  start(parts: { lifecycle: GraphLifecycle; elasticity: ElasticityController } | undefined, grpcAddress: string | null): Promise<void>;
  members(): Promise<MemberView[]>;
  /** Graceful: the leases are released first, so the other processes take the projects at their next round. */
  close(): Promise<void>;
}

/** Renewals every second, or more often when the lease is short (at least three per lease). */
export function renewPeriod(leaseMs: number): number {
  return Math.min(1_000, Math.floor(leaseMs / 3));
}

export function createHa(config: ServeConfig, deps: { store: Store; logger: Logger }): Ha {
  const { store } = deps;
  const logger = deps.logger.child({ component: "ha" });
  let parts: { lifecycle: GraphLifecycle; elasticity: ElasticityController } | undefined;
  // One take-over at a time per project, in the order the leases came.
  const takeovers = new Map<string, Promise<void>>();
  const takeOver = async (project: string, token: number, reloaded: Promise<void>) => {
    if (!parts) return;
    const started = performance.now();
    const resumed = await parts.lifecycle.resume(project);
    const repaired = await parts.lifecycle.repairAll(project);
    await reloaded;
    logger.info(
      { project, token, pending: resumed.graphs.length, repaired: repaired.length, ms: Math.round(performance.now() - started) },
      "acting for the project",
    );
  };
  const forwarder = new GrpcLoadForwarder(config.token);
  const manager = new LeaseManager({
    leases: store.leases,
    self: { id: `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`, address: config.advertiseAddress ?? "" },
    durationMs: config.leaseDurationMs,
    renewMs: renewPeriod(config.leaseDurationMs),
    logger,
    listener: {
      acquired(project, token) {
        // The loop reloads the project's counts at once (a few reads), so its decisions resume without
        // waiting for the outbox and drift repair below, which run on Karmada.
        const reloaded = parts?.elasticity.takeOver(project) ?? Promise.resolve();
        reloaded.catch(() => undefined); // awaited (and its failure logged) by the take-over below
        const next = (takeovers.get(project) ?? Promise.resolve())
          .then(() => (manager.owns(project) ? takeOver(project, token, reloaded) : reloaded))
          .catch((err: unknown) => logger.error({ project, err: (err as Error).message }, "take-over failed; the next renewal retries drift repair"));
        takeovers.set(project, next);
        void next.finally(() => takeovers.get(project) === next && takeovers.delete(project));
      },
      lost() {
        // Nothing to undo: every action checks owns()/fence() first.
      },
      members(others) {
        forwarder.members(others.map((m) => m.address));
      },
    },
  });
  let unsubscribe: (() => void) | undefined;

  const onChange = (signal: ChangeSignal) => {
    if (!parts) return;
    const { lifecycle, elasticity } = parts;
    if (signal.kind === "resync") {
      // Notifications may have been missed: apply whatever is pending in the projects held.
      for (const project of manager.owned()) void lifecycle.resume(project).catch(() => undefined);
      return;
    }
    if (signal.what === "graphs" && signal.op === "delete") ha.router?.forget(signal.graphId);
    if (!signal.project) return;
    if (!manager.owns(signal.project)) {
      // A project nobody holds yet (first graph of a new project): take it now rather than at the next round.
      if (!manager.ownerOf(signal.project)) manager.poke();
      return;
    }
    if (signal.what === "outbox" && signal.op === "insert") void lifecycle.applyPending(signal.graphId);
    // Another process changed the graph (e.g. a start committed elsewhere): reload it for the loop.
    if (signal.what === "graphs") elasticity.refreshGraph(signal.graphId).catch(() => undefined);
  };

  const ha: Ha = {
    manager,
    async start(given, grpcAddress) {
      parts = given;
      if (parts) ha.router = new LoadRouter({ local: parts.elasticity, ownership: manager, graphs: store.graphs, forwarder });
      unsubscribe = store.changes.subscribe(onChange);
      // An explicit --advertise-address wins; else the bound listener (its real port when --listen asked for :0).
      const address = config.advertiseAddress && !config.advertiseAddress.endsWith(":0") ? config.advertiseAddress : (grpcAddress ?? "");
      if (!address) logger.warn("no --listen or --advertise-address: other processes cannot forward load to this one");
      await manager.start(address);
      // As a single process resumes before it serves: the projects taken in the first round are caught up first.
      await Promise.allSettled([...takeovers.values()]);
      logger.info({ member: manager.id, address, leaseMs: config.leaseDurationMs, owned: manager.owned().length }, "member of the cluster");
    },
    members: () => manager.members(),
    async close() {
      unsubscribe?.();
      await manager.stop();
      await Promise.allSettled([...takeovers.values()]);
      forwarder.close();
    },
  };
  return ha;
}
