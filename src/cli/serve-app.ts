// The composition root of `smo serve`: opens the store, starts the solver pool and (with --karmada) the
// federation side, builds the handler deps, starts the servers, and closes everything in reverse order.
import { hostname } from "node:os";
import { resolve } from "node:path";
import type { Registry } from "prom-client";
import { openStore, parseStoreUrl } from "../adapters/store/index.js";
import type { MemberView } from "../core/ha/lease-manager.js";
import type { Store } from "../core/ports/store.js";
import type { RunningServer } from "../api/server.js";
import type { ApiDeps } from "../api/handlers/index.js";
import type { Logger } from "../observability/logger.js";
import type { ServeConfig } from "./serve-config.js";
import type { FederationRuntime } from "./federation.js";
import { StartupProgress } from "./startup-progress.js";

/** gRPC health entry that is SERVING once the start-up steps finished (Kubernetes startup probes, tests). */
export const STARTUP_HEALTH_SERVICE = "smo.startup";

export interface App {
  server: RunningServer;
  federation?: FederationRuntime;
  /** Resolves once the start-up steps that run after serving have finished (at once without --karmada). */
  started: Promise<void>;
  /** Graceful: servers drain first, then the loops stop, then the solver and the store close. */
  close(): Promise<void>;
}

/**
 * The modules beyond the store's, loaded while the store opens (start-up time, docs/operations.md#start-up):
 * evaluating them (the Karmada client alone takes a second) overlaps PGlite compiling its WebAssembly and a
 * new data directory being initialised in a child process.
 */
async function loadModules(config: ServeConfig) {
  const [ha, solver, server, handlers, federation] = await Promise.all([
    import("./ha.js"),
    import("../solver/solver.js"),
    import("../api/server.js"),
    import("../api/handlers/index.js"),
    config.karmada ? import("./federation.js") : undefined,
  ]);
  return { ...ha, ...solver, ...server, ...handlers, federation };
}

export async function startApp(config: ServeConfig, logger: Logger, registry: Registry, env: NodeJS.ProcessEnv = process.env): Promise<App> {
  const [opened, loaded] = await Promise.allSettled([openStore(config.db, { logger }), loadModules(config)]);
  if (opened.status === "rejected") throw opened.reason;
  const store = opened.value;
  if (loaded.status === "rejected") {
    await store.close().catch(() => undefined);
    throw loaded.reason;
  }
  const { createHa, createSolver, startServer, createServices, federation: federationModule } = loaded.value;
  const solver = createSolver();
  // PostgreSQL: several processes may share the database; each project is acted on by its lease holder.
  const ha = parseStoreUrl(config.db).kind === "postgres" ? createHa(config, { store, logger }) : undefined;
  let federation: FederationRuntime | undefined;
  let server: RunningServer;
  let started: Promise<void> = Promise.resolve();
  // Set once the server exists; the steps only start after it does.
  let onStarted = (): void => undefined;
  const progress = new StartupProgress(federationModule?.STARTUP_STEPS ?? [], logger, () => onStarted());
  try {
    if (federationModule) federation = await federationModule.startFederationRuntime(config, { store, solver, logger, registry, env, ownership: ha?.manager });
    const elasticity = federation?.elasticity;
    const deps: ApiDeps = {
      store,
      logger,
      solver,
      lifecycle: federation?.lifecycle,
      elasticity: federation?.elasticity,
      // Until the leases start (after the listener is bound: its port is the advertised address), local.
      load: ha && elasticity ? { report: (samples, trigger, options) => (ha.router ?? elasticity).report(samples, trigger, options) } : undefined,
      members: ha ? () => ha.members() : soleMember(config, store),
      optimizerLimits: config.optimizerLimits,
    };
    server = await startServer({
      services: createServices(deps),
      listen: config.listen,
      socketPath: config.socket ? resolve(config.socket) : null,
      socketMode: config.socketMode,
      httpListen: config.httpListen,
      httpRoutes: federation?.httpRoutes ?? [],
      token: config.token,
      allowedHosts: config.allowedHosts,
      logger,
      registry,
      drainTimeoutMs: config.shutdownTimeoutMs,
      startup: { service: STARTUP_HEALTH_SERVICE, pending: () => progress.pending() },
    });
    const running = server;
    onStarted = () => running.setServing(STARTUP_HEALTH_SERVICE, true);
    // Reads answer from the read model meanwhile (replica counts marked live once the informers synced).
    if (federation) started = federation.finishStartup(progress);
    if (ha) {
      try {
        await ha.start(federation, server.grpcAddress);
        if (federationModule && federation && config.demo) await federationModule.deployDemo(federation.lifecycle, logger);
      } catch (err) {
        await server.close().catch(() => undefined);
        throw err;
      }
    }
  } catch (err) {
    await ha?.close().catch(() => undefined);
    await federation?.close().catch(() => undefined);
    await solver.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  const stopPruning = pruneHistory(store, config.retentionMs, logger, config.retentionPerGraph);
  return {
    server,
    federation,
    started,
    async close() {
      stopPruning();
      // Leases first: the other processes take this one's projects while its calls in flight drain.
      await ha?.close();
      await server.close();
      await federation?.close();
      await solver.close();
      await store.close();
    },
  };
}

/** A single process (PGlite, memory): itself, owning every project. */
function soleMember(config: ServeConfig, store: Store): () => Promise<MemberView[]> {
  const startedAt = new Date();
  return async () => [
    {
      id: `${hostname()}-${process.pid}`,
      address: config.advertiseAddress ?? "",
      startedAt,
      heartbeatAt: new Date(),
      projects: (await store.leases.projects()).length,
      self: true,
    },
  ];
}

/** The services that cannot answer without the database (OptimizerService is pure and stays SERVING). */
const DB_SERVICES = ["smo.v1.GraphService", "smo.v1.ClusterService", "smo.v1.ElasticityService"];
const DB_PROBE_MS = 5_000;

/**
 * Health follows the database: while a cheap read fails (or takes longer than the probe period), the services
 * that need it report NOT_SERVING, so probes and load balancers see what callers would get.
 */
function watchDatabaseHealth(store: Store, server: RunningServer, logger: Logger): () => void {
  let healthy = true;
  let running = false;
  let stopped = false;
  const probe = async (): Promise<void> => {
    if (running) return;
    running = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("database probe timed out")), DB_PROBE_MS)));
    try {
      await Promise.race([store.clusters.list(), timeout]);
      if (!healthy) logger.info("database reachable again: services SERVING");
      healthy = true;
    } catch (err) {
      if (healthy) logger.warn({ err }, "database unreachable: services that need it are NOT_SERVING");
      healthy = false;
    } finally {
      clearTimeout(timer);
      running = false;
      // After close() began, health belongs to the shutdown (NOT_SERVING everywhere).
      if (!stopped) for (const name of DB_SERVICES) server.setServing(name, healthy);
    }
  };
  const interval = setInterval(() => void probe(), DB_PROBE_MS);
  interval.unref();
  return () => {
    stopped = true;
    clearInterval(interval);
  };
}

const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 1_000;

/**
 * Events and decisions older than the retention, and those of a graph beyond its newest `perGraph` (0: no
 * bound), are deleted in batches of 1,000 (each its own statement, with
 * a turn of the event loop between), hourly and once shortly after start. Rows otherwise went only with their graph.
 */
export function pruneHistory(store: Store, retentionMs: number, logger: Logger, perGraph = 0): () => void {
  let stopped = false;
  const run = async (): Promise<void> => {
    const before = new Date(Date.now() - retentionMs);
    let total = 0;
    try {
      for (const repo of [store.events, store.decisions]) {
        const prunes = [(limit: number) => repo.pruneBefore(before, limit)];
        // By count too: a graph that scales every few seconds wrote ~100,000 decisions a week.
        if (perGraph > 0) prunes.push((limit) => repo.pruneBeyond(perGraph, limit));
        for (const prune of prunes) {
          for (;;) {
            if (stopped) return;
            const n = await prune(PRUNE_BATCH);
            total += n;
            if (n < PRUNE_BATCH) break;
            await new Promise((r) => setImmediate(r));
          }
        }
      }
      if (total > 0) logger.info({ deleted: total, before, perGraph }, "pruned events and decisions past the retention");
    } catch (err) {
      logger.warn({ err }, "pruning events and decisions failed; retried at the next period");
    }
  };
  const first = setTimeout(() => void run(), 60_000);
  const interval = setInterval(() => void run(), PRUNE_EVERY_MS);
  first.unref();
  interval.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(interval);
  };
}
