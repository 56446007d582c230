// The sidecar as Hop3 meets it (issue 10): a real `smo serve` with a PostgreSQL store (a schema of its own) and the
// simulated federation, a deployed one-service graph, and each read next to grpc.health.v1.Health/Check on the SAME
// channel, from grpc-js and from Python grpcio (Hop3's language), with 1 and then 100 graphs stored. The reference
// is a REST read of the same graph row by Flask + SQLAlchemy under gunicorn, next to a /healthz of its own.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SmoClient } from "../../src/cli/client.js";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.js";
import { ElasticityService } from "../../src/gen/smo/v1/elasticity_pb.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GraphStatus } from "../../src/gen/smo/v1/types_pb.js";
import { measureInTurns, type Budget } from "./measure.js";
import { freshSchema, generateStubs, pythonMissing, restMissing, runPythonClient, spawnGunicorn, spawnServe, type PythonRow } from "./processes.js";

export const PG_URL = process.env.SMO_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PROJECT = "bench";
const GRAPH = "bench-graph-0";
const SERVICE = "web-0";
const MANY = 100;

export interface ServedRow {
  channel: string;
  call: string;
  graphs: number;
  calls: number;
  p50Us: number;
  p99Us: number;
  /** p50 over the p50 of the transport floor measured on the same channel (Health/Check, or /healthz for REST). */
  ratioToFloor: number;
}

export interface ServedResult {
  rows: ServedRow[];
  skipped: string[];
  /** GetGraph p50 (Python grpcio over TCP and over the Unix socket, 1 graph) over the REST GET p50 of each gunicorn worker class. */
  getGraphVsRest: { grpc: string; rest: string; ratio: number }[];
  setupMs: { serve: number; deployFirst: number; deployMore: number };
}

export interface ServedBudget {
  /** Per channel and phase: warm-up rounds (at most warmupSeconds) and seconds of measured rounds. */
  warmupRounds: number;
  warmupSeconds: number;
  /** Calls to the server before any channel is measured, per phase. */
  serverWarmupSeconds: number;
  seconds: number;
  minRounds: number;
}

const CALL = {
  health: "grpc.health.v1.Health/Check",
  get: "GraphService/GetGraph",
  list: "GraphService/ListGraphs",
  report: "ElasticityService/ReportLoad",
  "rest-health": "REST GET /healthz (no database)",
  "rest-get": "REST GET /graphs/NAME (Flask + SQLAlchemy)",
} as const;
type CallKey = keyof typeof CALL;
/** The REST reference under gunicorn's default worker class and under the keep-alive one. */
const REST_CHANNELS: Record<string, { channel: string; workerArgs: string[] }> = {
  sync: { channel: "Python http.client → gunicorn sync, 2 workers (a connection per request)", workerArgs: ["--workers", "2"] },
  gthread: {
    channel: "Python http.client → gunicorn gthread, 2 workers × 4 threads (keep-alive)",
    workerArgs: ["--workers", "2", "--worker-class", "gthread", "--threads", "4"],
  },
};
const FLOOR: Partial<Record<CallKey, CallKey>> = { "rest-health": "rest-health", "rest-get": "rest-health" };

/** Graph i: one service web-i (service ids name Kubernetes objects: unique in a project), no GPU, 1 request/s = 1 replica. */
function descriptor(i: number): string {
  const id = `bench-graph-${i}`;
  return `hdaGraph:
  imVersion: 0.4.0
  id: ${id}
  version: 1.0.0
  description: bench:latency graph.
  hdaGraphIntent:
    security: { enabled: false }
    highAvailability: { enabled: false }
    highPerformance: { enabled: false }
    energyEfficiency: { enabled: false }
  services:
    - id: web-${i}
      deployment:
        trigger: { auto: { dependencies: [] } }
        intent:
          compute: { cpu: light, ram: light, storage: small, gpu: { enabled: false } }
          scaling: { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 4 }
      artifact:
        ociImage: oci://registry.example.org/bench/web
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}
`;
}

/** Deploys graphs from..to-1, then waits until all `to` graphs are running. */
async function deploy(client: SmoClient, from: number, to: number, concurrency: number): Promise<void> {
  let next = from;
  const worker = async () => {
    // Ten projects: a project's mutations are serialised (one lease, one namespace), so one project would make
    // the 99 deploys sequential.
    while (next < to) {
      const i = next++;
      await client.unary(GraphService.method.deployGraph, { project: `${PROJECT}-${i % 10}`, descriptor: descriptor(i) });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Measure converged graphs: every one RUNNING (the simulator's pods ready), nothing left to apply.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { graphs } = await client.unary(GraphService.method.listGraphs, {});
    const settled = graphs.filter((g) => g.status === GraphStatus.RUNNING && g.pendingActions === 0).length;
    if (settled >= to) return;
    if (Date.now() > deadline) throw new Error(`graphs not running after 120 s: ${settled}/${graphs.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function rowsOf(channel: string, graphs: number, measured: Map<CallKey, PythonRow>): ServedRow[] {
  const rows: ServedRow[] = [];
  for (const [key, r] of measured) {
    const floor = measured.get(FLOOR[key] ?? "health")!;
    const call = key === "list" ? `${CALL.list} (${graphs} graph${graphs === 1 ? "" : "s"})` : CALL[key];
    rows.push({ channel, call, graphs, calls: r.calls, p50Us: r.p50Us, p99Us: r.p99Us, ratioToFloor: floor.p50Us > 0 ? r.p50Us / floor.p50Us : NaN });
  }
  return rows;
}

export async function runServed(budget: ServedBudget, log: (line: string) => void): Promise<ServedResult> {
  const skipped: string[] = [];
  const pythonReason = await pythonMissing();
  if (pythonReason) skipped.push(`Python grpcio rows: ${pythonReason}`);
  const restReason = pythonReason ?? (await restMissing());
  if (restReason) skipped.push(`REST reference: ${restReason}`);

  const schemaName = `bench_latency_${process.pid}`;
  const schema = await freshSchema(PG_URL, schemaName);
  const dir = await mkdtemp(join(tmpdir(), "smo-bench-latency-"));
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true }), () => schema.drop()];
  try {
    let t0 = performance.now();
    const serve = await spawnServe(schema.url, join(dir, "smo.sock"));
    cleanups.unshift(() => serve.stop());
    const serveMs = performance.now() - t0;
    const tcp = new SmoClient({ address: serve.grpcAddress, deadlineMs: 30_000 });
    cleanups.unshift(async () => tcp.close());
    t0 = performance.now();
    await deploy(tcp, 0, 1, 1);
    const deployFirst = performance.now() - t0;
    log(`served: smo serve up in ${serveMs.toFixed(0)} ms, ${GRAPH} running after ${deployFirst.toFixed(0)} ms`);

    const stubs = join(dir, "stubs");
    if (!pythonReason) await generateStubs(stubs);
    const nodeBudget: Budget = { warmupCalls: budget.warmupRounds, warmupMaxMs: budget.warmupSeconds * 1000, minCalls: budget.minRounds, maxCalls: 1_000_000, maxMs: budget.seconds * 1000 };
    const channels = async (graphs: number, keys: CallKey[], rest: Record<string, string> = {}): Promise<ServedRow[]> => {
      const rows: ServedRow[] = [];
      // A fresh grpc-js channel per phase, like the Python side: each phase's rows share one channel.
      const client = new SmoClient({ address: serve.grpcAddress, deadlineMs: 10_000 });
      const load = { samples: [{ graph: GRAPH, service: SERVICE, requestsPerSecond: 1 }] };
      const calls: Record<string, () => Promise<unknown>> = {
        health: () => client.unary(Health.method.check, { service: "" }),
        get: () => client.unary(GraphService.method.getGraph, { name: GRAPH }),
        list: () => client.unary(GraphService.method.listGraphs, {}),
        report: () => client.unary(ElasticityService.method.reportLoad, load),
      };
      // The server first: a JIT-cold process (right after start-up, or after 99 deploys) would penalise whichever
      // channel is measured first. Its own rounds, not counted.
      await measureInTurns(keys.map((k) => [k, calls[k]!]), { warmupCalls: 0, maxCalls: 1_000_000, maxMs: budget.serverWarmupSeconds * 1000 });
      const measured = await measureInTurns(keys.map((k) => [k, calls[k]!]), nodeBudget);
      client.close();
      rows.push(...rowsOf("grpc-js, TCP loopback", graphs, measured as Map<CallKey, PythonRow>));
      log(`measured: served, ${graphs} graph(s), grpc-js`);
      if (pythonReason) return rows;
      // The REST servers take turns with the TCP channel's calls in the same Python rounds: GetGraph and the REST
      // GET are then compared under the same load, whatever the rest of the box is doing.
      for (const [channel, target, withRest] of [
        ["Python grpcio, TCP loopback", serve.grpcAddress, rest],
        ["Python grpcio, Unix socket (Hop3's default)", `unix:${serve.socketPath}`, {}],
      ] as const) {
        const config = { target, rest: withRest, graph: GRAPH, service: SERVICE, rows: keys, warmup: budget.warmupRounds, warmupSeconds: budget.warmupSeconds, seconds: budget.seconds, minRounds: budget.minRounds };
        const measuredPy = await runPythonClient(stubs, config);
        rows.push(...rowsOf(channel, graphs, new Map(keys.map((k) => [k, measuredPy[k]!]))));
        for (const label of Object.keys(withRest)) {
          const restKeys: CallKey[] = ["rest-health", "rest-get"];
          rows.push(...rowsOf(REST_CHANNELS[label]!.channel, graphs, new Map(restKeys.map((k) => [k, measuredPy[`${k}:${label}`]!]))));
        }
        log(`measured: served, ${graphs} graph(s), ${channel}${Object.keys(withRest).length ? " and REST" : ""}`);
      }
      return rows;
    };

    const rest: Record<string, string> = {};
    if (!restReason) {
      for (const [label, { workerArgs }] of Object.entries(REST_CHANNELS)) {
        const gunicorn = await spawnGunicorn(PG_URL, schemaName, workerArgs);
        cleanups.unshift(() => gunicorn.stop());
        rest[label] = gunicorn.baseUrl;
      }
    }
    const rows = await channels(1, ["health", "get", "list", "report"], rest);
    const getGraphVsRest: ServedResult["getGraphVsRest"] = [];
    for (const [grpc, prefix] of [["TCP", "Python grpcio, TCP"], ["Unix socket", "Python grpcio, Unix socket"]] as const) {
      const pyGet = rows.find((r) => r.channel.startsWith(prefix) && r.call === CALL.get);
      for (const { channel } of Object.values(REST_CHANNELS)) {
        const restGet = rows.find((r) => r.channel === channel && r.call === CALL["rest-get"]);
        if (pyGet && restGet) getGraphVsRest.push({ grpc, rest: channel, ratio: pyGet.p50Us / restGet.p50Us });
      }
    }

    t0 = performance.now();
    await deploy(tcp, 1, MANY, 8);
    const deployMore = performance.now() - t0;
    log(`served: ${MANY} graphs running after ${deployMore.toFixed(0)} ms more`);
    rows.push(...(await channels(MANY, ["health", "get", "list"])));
    return { rows, skipped, getGraphVsRest, setupMs: { serve: serveMs, deployFirst, deployMore } };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err: unknown) => log(`cleanup failed: ${String(err)}`));
  }
}
