// Shared by test/api, test/cli and test/interop: a server on ephemeral ports with a real `memory` store,
// gRPC helpers for health and reflection, a seeded graph, and the spawned `smo serve` binary.
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Registry } from "prom-client";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { openStore } from "../../src/adapters/store/index.js";
import { createSolver } from "../../src/solver/solver.js";
import type { Store } from "../../src/core/ports/store.js";
import { startServer, type RunningServer } from "../../src/api/server.js";
import { createServices } from "../../src/api/handlers/index.js";
import type { ServiceRegistration } from "../../src/api/registration.js";
import { decoder, encoder } from "../../src/api/grpc-definition.js";
import { silentLogger, type Logger } from "../../src/observability/logger.js";
import { createRegistry } from "../../src/observability/metrics.js";
import { SmoClient } from "../../src/cli/client.js";
import { Health, HealthCheckResponse_ServingStatus } from "../../src/gen/grpc/health/v1/health_pb.js";
import {
  ServerReflection as ReflectionV1,
  ServerReflectionRequestSchema as V1Request,
  type ServerReflectionResponse,
} from "../../src/gen/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflection as ReflectionV1Alpha,
  ServerReflectionRequestSchema as V1AlphaRequest,
} from "../../src/gen/grpc/reflection/v1alpha/reflection_pb.js";

export const REPO_ROOT = new URL("../..", import.meta.url).pathname;
export const BIN = join(REPO_ROOT, "dist/src/cli/bin.js");

export function openMemoryStore(): Promise<Store> {
  return openStore("memory", { logger: silentLogger() });
}

export interface TestServer {
  server: RunningServer;
  registry: Registry;
  /** Temp dir holding the socket; removed by close(). */
  dir: string;
  socketPath: string;
  close(): Promise<void>;
}

export async function startTestServer(options: {
  store?: Store;
  services?: ServiceRegistration[];
  token?: string;
  drainTimeoutMs?: number;
  logger?: Logger;
}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), "smo-api-"));
  const socketPath = join(dir, "smo.sock");
  const registry = createRegistry({ processMetrics: false });
  const logger = options.logger ?? silentLogger();
  const services = options.services ?? createServices({ store: options.store!, logger, solver: createSolver({ workers: 0 }) });
  const server = await startServer({
    services,
    listen: "127.0.0.1:0",
    socketPath,
    httpListen: "127.0.0.1:0",
    token: options.token,
    logger,
    registry,
    drainTimeoutMs: options.drainTimeoutMs ?? 2_000,
  });
  return {
    server,
    registry,
    dir,
    socketPath,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function healthStatus(address: string, service: string, token?: string): Promise<string> {
  const client = new SmoClient({ address, token, deadlineMs: 5_000 });
  try {
    const response = await client.unary(Health.method.check, { service });
    return HealthCheckResponse_ServingStatus[response.status]!;
  } finally {
    client.close();
  }
}

/** ListServices through the bidi ServerReflectionInfo stream of reflection v1 or v1alpha. */
export function reflectionServices(address: string, version: "v1" | "v1alpha"): Promise<string[]> {
  return reflectionRequest(address, version, { messageRequest: { case: "listServices", value: "*" } }).then((r) =>
    r.messageResponse.case === "listServicesResponse" ? r.messageResponse.value.service.map((s) => s.name) : [],
  );
}

type ReflectionResponse = ServerReflectionResponse;

function reflectionV1Once(client: grpc.Client, request: MessageInitShape<typeof V1Request>) {
  const method = ReflectionV1.method.serverReflectionInfo;
  return bidiOnce<ReflectionResponse>(client, `/${ReflectionV1.typeName}/${method.name}`, method, create(V1Request, request));
}

/** One request on the reflection stream of the given version; v1alpha messages have the same shape. */
export async function reflectionRequest(
  address: string,
  version: "v1" | "v1alpha",
  request: MessageInitShape<typeof V1Request>,
): Promise<ReflectionResponse> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    if (version === "v1") return await reflectionV1Once(client, request);
    const method = ReflectionV1Alpha.method.serverReflectionInfo;
    return (await bidiOnce<unknown>(
      client,
      `/${ReflectionV1Alpha.typeName}/${method.name}`,
      method,
      create(V1AlphaRequest, request as MessageInitShape<typeof V1AlphaRequest>),
    )) as unknown as ReflectionResponse;
  } finally {
    client.close();
  }
}

function bidiOnce<T>(
  client: grpc.Client,
  path: string,
  method: { input: Parameters<typeof encoder>[0]; output: Parameters<typeof decoder>[0] },
  request: unknown,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(path, encoder(method.input), decoder(method.output) as (b: Buffer) => T, new grpc.Metadata(), {
      deadline: Date.now() + 5_000,
    });
    const responses: T[] = [];
    call.on("data", (r: T) => responses.push(r));
    call.on("error", reject);
    call.on("end", () => (responses[0] ? resolve(responses[0]) : reject(new Error("no reflection response"))));
    call.write(request);
    call.end();
  });
}

/** A graph with two services and a placement decision, written through the store port. */
export async function seedGraph(store: Store, name: string, project = "demo"): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.graphs.create({
      name,
      project,
      status: "running",
      version: "1.0.0",
      descriptor: { hdaGraph: { id: name, version: "1.0.0" } },
      descriptorHash: `hash-${name}`,
      strategy: "optimal",
      dashboardUrl: null,
      message: null,
      warnings: ["legacy field kept"],
    });
    for (const [svc, cluster] of [["frontend", "member1"], ["backend", "member2"]] as const) {
      await tx.services.upsert({
        graph: name,
        name: svc,
        status: "deployed",
        cluster,
        desiredReplicas: 2,
        cpu: 0.5,
        memoryBytes: 512 * 1024 * 1024,
        storageBytes: 0,
        gpu: 0,
        artifact: `registry.example/${svc}:1`,
        eventTriggered: false,
        minReplicas: 1,
        maxReplicas: 4,
        dashboardUrl: null,
        spec: { id: svc, connectionPoints: svc === "frontend" ? ["backend"] : [] },
      });
    }
    await tx.placements.add({
      graph: name,
      strategy: "optimal",
      status: "optimal",
      placement: { frontend: "member1", backend: "member2" },
      objective: 1.5,
      reason: "cheapest energy",
      solveMs: 3.2,
      details: { backend: "glpk", gap: 0, cost: { moves: 0, energy: 1.5, traffic: 0 }, moved: [] },
    });
  });
}

export interface ServeProcess {
  child: ChildProcess;
  grpcAddress: string;
  httpAddress: string;
  socketPath: string | null;
  /** Every stdout line so far (pino JSON). */
  lines: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Spawns `node dist/src/cli/bin.js serve --db memory` on ephemeral ports and waits for its ready line. */
export async function spawnServe(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` (npm test does) first`);
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--db", "memory", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", ...extraArgs],
    { env: { ...process.env, SMO_TOKEN: "", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: string[] = [];
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on("line", (line) => {
      lines.push(line);
      try {
        const entry = JSON.parse(line) as Record<string, string>;
        if (entry.msg === "smo serving") resolve(entry);
      } catch {
        // not JSON: keep it in lines for the failure message
      }
    });
    void exited.then((code) => reject(new Error(`smo serve exited with ${code} before it was ready:\n${stderr}${lines.join("\n")}`)));
  });
  return {
    child,
    grpcAddress: ready.grpc!,
    httpAddress: ready.http!,
    socketPath: ready.socket ?? null,
    lines,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
