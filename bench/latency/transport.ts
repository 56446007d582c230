// The transport rows of the latency bench (docs/latency-bench.md): what a loopback call to the sidecar costs next to an
// in-process call of the same handler. Unary GraphService/ListGraphs through each path, sequential and with 32
// calls in flight, in two scenarios: the real handler on a `memory` store (an empty list: one SQL query in embedded
// PGlite), and a no-op handler that isolates the transport.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer as createH2cServer } from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { createClient, createHandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport } from "@connectrpc/connect-node";
import { openStore } from "../../src/adapters/store/index.js";
import { createSolver } from "../../src/solver/solver.js";
import { startServer } from "../../src/api/server.js";
import { createServices } from "../../src/api/handlers/index.js";
import { createGraphService } from "../../src/api/handlers/graph.js";
import { InFlightCalls, instrumentService } from "../../src/api/instrument.js";
import { registration } from "../../src/api/registration.js";
import { SmoClient } from "../../src/cli/client.js";
import { GraphService, ListGraphsRequestSchema } from "../../src/gen/smo/v1/graph_pb.js";
import { silentLogger } from "../../src/observability/logger.js";
import { createRegistry, rpcMetrics } from "../../src/observability/metrics.js";
import { measure, type Budget, type ModeResult } from "./measure.js";

export const CONCURRENCY = 32;
const logger = silentLogger();

type GraphImpl = Pick<ServiceImpl<typeof GraphService>, "listGraphs">;

export interface Row {
  path: string;
  sequential: ModeResult;
  concurrent: ModeResult;
}

export interface Scenario {
  name: string;
  rows: Row[];
}

/** Every transport path (docs/latency-bench.md) for one ListGraphs implementation. */
async function runScenario(name: string, impl: GraphImpl, budget: Budget, log: (line: string) => void, services = [registration(GraphService, impl)]): Promise<Scenario> {
  const registry = createRegistry({ processMetrics: false });
  const dir = await mkdtemp(join(tmpdir(), "smo-bench-"));
  const socketPath = join(dir, "smo.sock");
  const server = await startServer({ services, listen: "127.0.0.1:0", socketPath, httpListen: "127.0.0.1:0", logger, registry });

  // For the record: the same impl served by connect-node's gRPC protocol over h2c, called by grpc-js.
  const h2c = createH2cServer(
    connectNodeAdapter({
      routes: (router) => {
        const options = { metrics: rpcMetrics(registry), logger, transport: "connect-grpc", inFlight: new InFlightCalls() };
        router.service(GraphService, instrumentService(GraphService, impl, options));
      },
    }),
  );
  await new Promise<void>((resolve) => h2c.listen(0, "127.0.0.1", resolve));
  const h2cAddress = `127.0.0.1:${(h2c.address() as AddressInfo).port}`;

  const context = createHandlerContext({
    service: GraphService,
    method: GraphService.method.listGraphs,
    protocolName: "in-process",
    requestMethod: "POST",
    url: "/smo.v1.GraphService/ListGraphs",
  });
  const tcp = new SmoClient({ address: server.grpcAddress! });
  const uds = new SmoClient({ address: `unix://${socketPath}` });
  const viaH2c = new SmoClient({ address: h2cAddress });
  const connect = createClient(GraphService, createConnectTransport({ baseUrl: `http://${server.httpAddress}`, httpVersion: "1.1" }));

  const paths: [string, () => Promise<unknown>][] = [
    ["in-process call of the handler", async () => impl.listGraphs(create(ListGraphsRequestSchema), context)],
    ["gRPC, grpc-js server, TCP loopback", () => tcp.unary(GraphService.method.listGraphs, {})],
    ["gRPC, grpc-js server, Unix socket", () => uds.unary(GraphService.method.listGraphs, {})],
    ["Connect JSON, HTTP/1.1 (connect-node)", () => connect.listGraphs({})],
    ["gRPC, connect-node server, h2c TCP (for the record)", () => viaH2c.unary(GraphService.method.listGraphs, {})],
  ];
  const rows: Row[] = [];
  for (const [path, call] of paths) {
    const sequential = await measure(call, 1, budget);
    const concurrent = await measure(call, CONCURRENCY, budget);
    rows.push({ path, sequential, concurrent });
    log(`measured: ${name}: ${path}`);
  }

  tcp.close();
  uds.close();
  viaH2c.close();
  await new Promise<void>((resolve) => h2c.close(() => resolve()));
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return { name, rows };
}

export function markdown(scenario: Scenario): string {
  const base = scenario.rows[0]!.sequential.p50Us;
  const ratio = (p50: number) => (base > 0 ? `${(p50 / base).toFixed(1)}×` : "-");
  const lines = scenario.rows.map((r) =>
    [r.path, r.sequential.p50Us, r.sequential.p99Us, r.sequential.callsPerSecond, r.concurrent.p50Us, r.concurrent.p99Us, r.concurrent.callsPerSecond, ratio(r.sequential.p50Us)].join(" | "),
  );
  return [
    `**${scenario.name}**`,
    "",
    "| path | p50 µs | p99 µs | calls/s | p50 µs, 32 in flight | p99 µs, 32 in flight | calls/s, 32 in flight | p50 vs in-process |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...lines.map((l) => `| ${l} |`),
  ].join("\n");
}


/** Both scenarios: the real handler on a `memory` store, then a no-op handler. */
export async function runTransport(budget: Budget, log: (line: string) => void): Promise<Scenario[]> {
  const store = await openStore("memory", { logger });
  const solver = createSolver({ workers: 0 });
  const deps = { store, logger, solver };
  try {
    return [
      await runScenario("ListGraphs on a memory store (PGlite)", createGraphService(deps), budget, log, createServices(deps)),
      await runScenario("No-op ListGraphs (transport only)", { listGraphs: async () => ({ graphs: [] }) }, budget, log),
    ];
  } finally {
    await solver.close();
    await store.close();
  }
}
