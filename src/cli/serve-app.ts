// The composition root of `smo serve`: opens the store, starts the solver pool and (with --karmada) the
// federation side, builds the handler deps, starts the servers, and closes everything in reverse order.
import { resolve } from "node:path";
import type { Registry } from "prom-client";
import { openStore } from "../adapters/store/index.js";
import { createSolver } from "../solver/solver.js";
import { startServer, type RunningServer } from "../api/server.js";
import { createServices, type ApiDeps } from "../api/handlers/index.js";
import type { Logger } from "../observability/logger.js";
import type { ServeConfig } from "./serve-config.js";
import { startFederationRuntime, type FederationRuntime } from "./federation.js";

export interface App {
  server: RunningServer;
  federation?: FederationRuntime;
  /** Graceful: servers drain first, then the loops stop, then the solver and the store close. */
  close(): Promise<void>;
}

export async function startApp(config: ServeConfig, logger: Logger, registry: Registry, env: NodeJS.ProcessEnv = process.env): Promise<App> {
  const store = await openStore(config.db, { logger });
  const solver = createSolver();
  let federation: FederationRuntime | undefined;
  let server: RunningServer;
  try {
    if (config.karmada) federation = await startFederationRuntime(config, { store, solver, logger, registry, env });
    const deps: ApiDeps = { store, logger, solver, lifecycle: federation?.lifecycle, elasticity: federation?.elasticity };
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
    });
  } catch (err) {
    await federation?.close().catch(() => undefined);
    await solver.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  return {
    server,
    federation,
    async close() {
      await server.close();
      await federation?.close();
      await solver.close();
      await store.close();
    },
  };
}
