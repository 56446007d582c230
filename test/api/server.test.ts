// The servers of `smo serve` in-process on ephemeral ports with the real store on `memory`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stat } from "node:fs/promises";
import * as grpc from "@grpc/grpc-js";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { Store } from "../../src/core/ports/store.js";
import { SmoClient } from "../../src/cli/client.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { ClusterService } from "../../src/gen/smo/v1/cluster_pb.js";
import { ElasticityService } from "../../src/gen/smo/v1/elasticity_pb.js";
import { OptimizerService } from "../../src/gen/smo/v1/optimizer_pb.js";
import { GraphStatus, ServiceStatus, SolverStatus } from "../../src/gen/smo/v1/types_pb.js";
import { healthStatus, openMemoryStore, reflectionRequest, reflectionServices, seedGraph, startTestServer, type TestServer } from "./helpers.js";

let store: Store;
let t: TestServer;
let tcp: SmoClient;

beforeAll(async () => {
  store = await openMemoryStore();
  t = await startTestServer({ store });
  tcp = new SmoClient({ address: t.server.grpcAddress!, deadlineMs: 5_000 });
});

afterAll(async () => {
  tcp?.close();
  await t?.close();
  await store?.close();
});

const SMO_NAMES = ["smo.v1.GraphService", "smo.v1.ClusterService", "smo.v1.OptimizerService", "smo.v1.ElasticityService"];

describe("listeners", () => {
  it("binds ephemeral ports and reports them", () => {
    expect(t.server.grpcAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(t.server.httpAddress).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(t.server.socketPath).toBe(t.socketPath);
  });

  it("creates the Unix socket with mode 0600", async () => {
    const s = await stat(t.socketPath);
    expect(s.isSocket()).toBe(true);
    expect(s.mode & 0o777).toBe(0o600);
  });
});

describe("health", () => {
  for (const where of ["tcp", "socket"] as const) {
    it(`answers SERVING overall and per service over ${where}`, async () => {
      const address = where === "tcp" ? t.server.grpcAddress! : `unix://${t.socketPath}`;
      expect(await healthStatus(address, "")).toBe("SERVING");
      for (const name of SMO_NAMES) expect(await healthStatus(address, name)).toBe("SERVING");
    });
  }

  it("answers NOT_FOUND for a service it does not serve", async () => {
    await expect(healthStatus(t.server.grpcAddress!, "smo.v1.NoSuchService")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it("serves GET /healthz on the HTTP port", async () => {
    const res = await fetch(`http://${t.server.httpAddress}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
  });
});

describe("reflection", () => {
  for (const version of ["v1", "v1alpha"] as const) {
    it(`lists the smo.v1 services, health and reflection (${version})`, async () => {
      const names = await reflectionServices(t.server.grpcAddress!, version);
      expect(names).toEqual(
        expect.arrayContaining([
          ...SMO_NAMES,
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection",
        ]),
      );
    });
  }

  it("returns the file of a service with its dependencies, google/protobuf included", async () => {
    const response = await reflectionRequest(`unix://${t.socketPath}`, "v1", {
      messageRequest: { case: "fileContainingSymbol", value: "smo.v1.GraphService" },
    });
    expect(response.messageResponse.case).toBe("fileDescriptorResponse");
    const files =
      response.messageResponse.case === "fileDescriptorResponse"
        ? response.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b))
        : [];
    const names = files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(["smo/v1/graph.proto", "smo/v1/types.proto", "google/protobuf/timestamp.proto"]));
    const graph = files.find((f) => f.name === "smo/v1/graph.proto")!;
    expect(graph.service[0]!.method.map((m) => m.name)).toContain("ListGraphs");
  });
});

describe("GraphService on the store", () => {
  it("lists no graphs on an empty store over gRPC, the socket and Connect JSON", async () => {
    expect((await tcp.unary(GraphService.method.listGraphs, {})).graphs).toEqual([]);
    const uds = new SmoClient({ address: `unix://${t.socketPath}` });
    try {
      expect((await uds.unary(GraphService.method.listGraphs, { project: "nope" })).graphs).toEqual([]);
    } finally {
      uds.close();
    }
    const res = await fetch(`http://${t.server.httpAddress}/smo.v1.GraphService/ListGraphs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it("returns a stored graph with services, placement and last decision", async () => {
    await seedGraph(store, "shop", "retail");
    const { graph } = await tcp.unary(GraphService.method.getGraph, { name: "shop" });
    expect(graph).toMatchObject({
      name: "shop",
      project: "retail",
      status: GraphStatus.RUNNING,
      version: "1.0.0",
      strategy: "optimal",
      placement: { frontend: "member1", backend: "member2" },
      warnings: ["legacy field kept"],
      // Without a federation the counts are the stored desired ones, and the answer says so.
      replicasLive: false,
    });
    expect(JSON.parse(graph!.descriptorJson)).toEqual({ hdaGraph: { id: "shop", version: "1.0.0" } });
    const frontend = graph!.services.find((s) => s.name === "frontend")!;
    expect(frontend).toMatchObject({
      status: ServiceStatus.DEPLOYED,
      cluster: "member1",
      desiredReplicas: 2,
      cpu: 0.5,
      memoryBytes: 536870912n,
      connectionPoints: ["backend"],
      minReplicas: 1,
      maxReplicas: 4,
    });
    expect(graph!.lastDecision).toMatchObject({ status: SolverStatus.OPTIMAL, objective: 1.5, backend: "glpk", reason: "cheapest energy" });
    expect(graph!.createdAt).toBeDefined();

    const listed = await tcp.unary(GraphService.method.listGraphs, { project: "retail" });
    expect(listed.graphs.map((g) => g.name)).toEqual(["shop"]);
    expect((await tcp.unary(GraphService.method.listGraphs, { project: "other" })).graphs).toEqual([]);

    // The Connect client over HTTP/1.1 decodes the same message.
    const connect = createClient(GraphService, createConnectTransport({ baseUrl: `http://${t.server.httpAddress}`, httpVersion: "1.1" }));
    const viaConnect = await connect.getGraph({ name: "shop" });
    expect(viaConnect.graph?.services.length).toBe(2);
  });

  it("answers NOT_FOUND with the name for an unknown graph, on gRPC and Connect", async () => {
    await expect(tcp.unary(GraphService.method.getGraph, { name: "ghost" })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: 'graph "ghost" not found',
    });
    const res = await fetch(`http://${t.server.httpAddress}/smo.v1.GraphService/GetGraph`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "ghost" }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: "not_found", message: 'graph "ghost" not found' });
  });

  it("refuses an oversized Connect request before buffering it (the gRPC listeners' 4 MiB limit)", async () => {
    const res = await fetch(`http://${t.server.httpAddress}/smo.v1.GraphService/DeployGraph`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project: "demo", descriptor: "x".repeat(5 * 1024 * 1024) }),
    });
    expect(((await res.json()) as { code: string }).code).toBe("resource_exhausted");
  });
});

describe("OptimizerService", () => {
  it("is mounted with the solver: DecidePlacement answers a decision over gRPC", async () => {
    const { decision } = await tcp.unary(OptimizerService.method.decidePlacement, {
      clusters: [{ name: "member1", cpu: 4, memory: "8Gi" }],
      services: [{ name: "web", cpu: 1, memory: "1Gi", replicas: 1 }],
    });
    expect(decision?.status).toBe(SolverStatus.OPTIMAL);
    expect(decision?.placement).toEqual({ web: "member1" });
  });
});

describe("ElasticityService without a Karmada federation", () => {
  const consume = async (stream: AsyncIterable<unknown>) => {
    for await (const _ of stream) void _;
  };
  const unavailable = { code: grpc.status.UNAVAILABLE, details: expect.stringContaining("no Karmada federation configured") };
  const samples = [{ graph: "shop", service: "frontend", requestsPerSecond: 10 }];

  it("ReportLoad, StreamLoad and WatchDecisions answer UNAVAILABLE saying how to start smo", async () => {
    await expect(tcp.unary(ElasticityService.method.reportLoad, { samples })).rejects.toMatchObject(unavailable);
    await expect(tcp.clientStream(ElasticityService.method.streamLoad, [{ samples }, { samples: [] }])).rejects.toMatchObject(unavailable);
    await expect(consume(tcp.serverStream(ElasticityService.method.watchDecisions, {}))).rejects.toMatchObject(unavailable);
  });

  it("the same answer over Connect JSON", async () => {
    const res = await fetch(`http://${t.server.httpAddress}/smo.v1.ElasticityService/ReportLoad`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toMatch(/^no Karmada federation configured/);
  });
});

describe("without a Karmada federation", () => {
  const NO_FEDERATION = "no Karmada federation configured: start smo serve with --karmada sim or --karmada KUBECONFIG";
  const unavailable = [
    ["DeployGraph", () => tcp.unary(GraphService.method.deployGraph, { project: "p", descriptor: "hdaGraph: {}" })],
    ["StartGraph", () => tcp.unary(GraphService.method.startGraph, { name: "shop" })],
    ["StopGraph", () => tcp.unary(GraphService.method.stopGraph, { name: "shop" })],
    ["RemoveGraph", () => tcp.unary(GraphService.method.removeGraph, { name: "shop" })],
    ["ReplaceGraph", () => tcp.unary(GraphService.method.replaceGraph, { name: "shop" })],
    ["SyncClusters", () => tcp.unary(ClusterService.method.syncClusters, {})],
    ["SetClusterProfile", () => tcp.unary(ClusterService.method.setClusterProfile, { name: "member1", profile: { energyCost: 1 } })],
  ] as const;

  for (const [name, call] of unavailable) {
    it(`${name} answers UNAVAILABLE saying how to configure Karmada`, async () => {
      await expect(call()).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE, details: NO_FEDERATION });
    });
  }

  it("WatchGraph answers UNAVAILABLE too; ListClusters answers from the store", async () => {
    const consume = async (stream: AsyncIterable<unknown>) => {
      for await (const _ of stream) void _;
    };
    await expect(consume(tcp.serverStream(GraphService.method.watchGraph, { name: "shop" }))).rejects.toMatchObject({
      code: grpc.status.UNAVAILABLE,
      details: NO_FEDERATION,
    });
    expect((await tcp.unary(ClusterService.method.listClusters, {})).clusters).toEqual([]);
    const res = await fetch(`http://${t.server.httpAddress}/smo.v1.ClusterService/SyncClusters`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toBe(NO_FEDERATION);
  });
});

describe("metrics", () => {
  it("exports per-RPC latency and counts with service, method, code and transport", async () => {
    await tcp.unary(GraphService.method.listGraphs, {});
    const res = await fetch(`http://${t.server.httpAddress}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(sample(text, "smo_rpc_duration_seconds_count", { service: "smo.v1.GraphService", method: "ListGraphs", code: "OK", transport: "grpc" })).toBeGreaterThan(0);
    expect(sample(text, "smo_rpc_total", { method: "GetGraph", code: "NOT_FOUND", transport: "connect" })).toBeGreaterThan(0);
    expect(sample(text, "smo_rpc_total", { method: "GetGraph", code: "NOT_FOUND", transport: "grpc" })).toBeGreaterThan(0);
    expect(sample(text, "smo_rpc_in_flight", { method: "ListGraphs", transport: "grpc" })).toBe(0);
    expect(text).toMatch(/smo_rpc_total\{[^}]*code="UNAVAILABLE"[^}]*\} [1-9]/);
  });
});

/** Sum of the samples of `name` whose labels include all of `labels` (label order does not matter). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  let found = false;
  for (const line of text.split("\n")) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      total += Number(match[3]);
      found = true;
    }
  }
  return found ? total : NaN;
}
