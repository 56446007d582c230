// `smo serve`: runs the sidecar until SIGTERM/SIGINT, then shuts down gracefully and resolves 0.
// A second signal during shutdown exits at once.
import type { CommandIO } from "../main.js";
import { ConfigError, parseServeConfig, serveUsage } from "../serve-config.js";
import { startApp } from "../serve-app.js";
import { createLogger } from "../../observability/logger.js";
import { createRegistry } from "../../observability/metrics.js";
import { packageInfo } from "../package-info.js";

export async function run(args: string[], io: CommandIO): Promise<number> {
  let config;
  try {
    config = parseServeConfig(args, io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.stderr.write(`smo serve: ${err.message}\n`);
    return 1;
  }
  if (config === "help") {
    io.stdout.write(serveUsage());
    return 0;
  }
  const logger = createLogger({ level: config.logLevel });
  const registry = createRegistry();

  let app;
  try {
    app = await startApp(config, logger, registry);
  } catch (err) {
    logger.error({ err }, "start-up failed");
    io.stderr.write(`smo serve: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const { server } = app;
  // Listen for the signals before announcing readiness: whoever reads the ready line may signal at once.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  logger.info(
    {
      grpc: server.grpcAddress,
      socket: server.socketPath,
      http: server.httpAddress,
      db: config.db.startsWith("postgres") ? "postgres" : config.db,
      auth: config.token ? "bearer" : "none",
      version: packageInfo().version,
    },
    "smo serving",
  );

  const signal = await stopSignal;
  logger.info({ signal }, "shutting down: draining calls in flight");
  const again = (): void => {
    logger.warn("second signal: exiting without waiting");
    process.exit(1);
  };
  process.once("SIGTERM", again);
  process.once("SIGINT", again);
  try {
    await app.close();
  } catch (err) {
    logger.error({ err }, "shutdown failed");
    return 1;
  } finally {
    process.off("SIGTERM", again);
    process.off("SIGINT", again);
  }
  logger.info("stopped");
  return 0;
}
