// Health while `smo serve` finishes its start-up steps after serving (docs/operations.md#start-up): the
// start-up entry is NOT_SERVING and /healthz lists the steps left, the smo services are SERVING meanwhile.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/api/server.js";
import { createServices } from "../../src/api/handlers/index.js";
import type { Store } from "../../src/core/ports/store.js";
import { silentLogger } from "../../src/observability/logger.js";
import { createRegistry } from "../../src/observability/metrics.js";
import { createSolver } from "../../src/solver/solver.js";
import { healthStatus, openMemoryStore } from "./helpers.js";

let store: Store;
let server: RunningServer | undefined;

beforeAll(async () => {
  store = await openMemoryStore();
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await store?.close();
});

async function start(pending: string[]): Promise<RunningServer> {
  const logger = silentLogger();
  server = await startServer({
    services: createServices({ store, logger, solver: createSolver({ workers: 0 }) }),
    listen: "127.0.0.1:0",
    httpListen: "127.0.0.1:0",
    logger,
    registry: createRegistry({ processMetrics: false }),
    drainTimeoutMs: 1_000,
    startup: { service: "smo.startup", pending: () => pending },
  });
  return server;
}

describe("start-up health", () => {
  it("reports the start-up steps left while the services already serve, then SERVING once they are done", async () => {
    const pending = ["repair", "demo"];
    const s = await start(pending);
    expect(await healthStatus(s.grpcAddress!, "smo.startup")).toBe("NOT_SERVING");
    expect(await healthStatus(s.grpcAddress!, "smo.v1.GraphService")).toBe("SERVING");
    expect(await healthStatus(s.grpcAddress!, "")).toBe("SERVING");
    let res = await fetch(`http://${s.httpAddress}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING", starting: ["repair", "demo"] });

    pending.splice(0);
    s.setServing("smo.startup", true);
    expect(await healthStatus(s.grpcAddress!, "smo.startup")).toBe("SERVING");
    res = await fetch(`http://${s.httpAddress}/healthz`);
    expect(await res.json()).toEqual({ status: "SERVING" });
  });

  it("starts SERVING when nothing is left to do", async () => {
    const s = await start([]);
    expect(await healthStatus(s.grpcAddress!, "smo.startup")).toBe("SERVING");
  });
});
