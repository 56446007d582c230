// The composition root of `smo serve`: opens the store, builds the handler deps, starts the servers, and
// closes everything in reverse order. Later parts (Karmada client or simulator, graph lifecycle,
// elasticity loops, alert webhook) are constructed here and handed to the handlers through ApiDeps.
import { resolve } from "node:path";
import type { Registry } from "prom-client";
import { openStore } from "../adapters/store/index.js";
import { createSolver } from "../solver/solver.js";
import { startServer, type RunningServer } from "../api/server.js";
import { createServices, type ApiDeps } from "../api/handlers/index.js";
import type { Logger } from "../observability/logger.js";
import type { ServeConfig } from "./serve-config.js";

export interface App {
  server: RunningServer;
  /** Graceful: servers drain first, then the store closes. */
  close(): Promise<void>;
}

export async function startApp(config: ServeConfig, logger: Logger, registry: Registry): Promise<App> {
  const store = await openStore(config.db, { logger });
  const solver = createSolver();
  let server: RunningServer;
  try {
    const deps: ApiDeps = { store, logger, solver };
    server = await startServer({
      services: createServices(deps),
      listen: config.listen,
      socketPath: config.socket ? resolve(config.socket) : null,
      httpListen: config.httpListen,
      token: config.token,
      logger,
      registry,
      drainTimeoutMs: config.shutdownTimeoutMs,
    });
  } catch (err) {
    await solver.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  return {
    server,
    async close() {
      await server.close();
      await solver.close();
      await store.close();
    },
  };
}
