// Hop3's language: Python stubs generated from proto/ with Debian's protoc + grpc_python_plugin call a live
// `smo serve` (the real binary) over TCP (with the bearer token) and over the Unix socket (without).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { GRPC_PYTHON_PLUGIN, PROTOC, PYTHON, pythonGrpcAvailable } from "../helpers/python.js";
import { REPO_ROOT, spawnServe, type ServeProcess } from "../api/helpers.js";

const run = promisify(execFile);

const TOKEN = "interop-token";

const availability = pythonGrpcAvailable();

/** python3-grpcio and python3-protobuf importable; same skip-or-fail rule as a missing binary. */

const SCRIPT = String.raw`
import json, sys
sys.path.insert(0, sys.argv[1])
import grpc
import health_pb2, health_pb2_grpc
import reflection_pb2, reflection_pb2_grpc
from smo.v1 import graph_pb2, graph_pb2_grpc

def reflect(target, metadata):
    # Server reflection v1, as grpcurl uses it: list the services, then fetch one file by symbol.
    with grpc.insecure_channel(target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        requests = [
            reflection_pb2.ServerReflectionRequest(list_services=""),
            reflection_pb2.ServerReflectionRequest(file_containing_symbol="smo.v1.GraphService"),
        ]
        answers = list(stub.ServerReflectionInfo(iter(requests), timeout=5, metadata=metadata))
        services = sorted(s.name for s in answers[0].list_services_response.service)
        files = len(answers[1].file_descriptor_response.file_descriptor_proto)
        return {"services": services, "files_for_graph_service": files}

def probe(target, metadata):
    out = {}
    with grpc.insecure_channel(target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        out["overall"] = health_pb2.HealthCheckResponse.ServingStatus.Name(health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status)
        out["graph"] = health_pb2.HealthCheckResponse.ServingStatus.Name(health.Check(health_pb2.HealthCheckRequest(service="smo.v1.GraphService"), timeout=5).status)
        graphs = graph_pb2_grpc.GraphServiceStub(channel)
        out["graphs"] = len(graphs.ListGraphs(graph_pb2.ListGraphsRequest(), timeout=5, metadata=metadata).graphs)
        try:
            graphs.GetGraph(graph_pb2.GetGraphRequest(name="ghost"), timeout=5, metadata=metadata)
            out["get"] = "OK"
        except grpc.RpcError as e:
            out["get"] = [e.code().name, e.details()]
        try:
            graphs.ListGraphs(graph_pb2.ListGraphsRequest(), timeout=5)
            out["no_token"] = "OK"
        except grpc.RpcError as e:
            out["no_token"] = e.code().name
    return out

if len(sys.argv) > 5 and sys.argv[5] == "hold":
    # One call, then keep the channel (and its HTTP/2 connection) open without calling again.
    channel = grpc.insecure_channel("unix:" + sys.argv[3])
    graph_pb2_grpc.GraphServiceStub(channel).ListGraphs(graph_pb2.ListGraphsRequest(), timeout=5)
    print("holding", flush=True)
    import time
    time.sleep(120)
    sys.exit(0)

print(json.dumps({
    "tcp": probe(sys.argv[2], [("authorization", "Bearer " + sys.argv[4])]),
    "unix": probe("unix:" + sys.argv[3], []),
    "reflection": reflect(sys.argv[2], [("authorization", "Bearer " + sys.argv[4])]),
}))
`;

describe(`Python grpcio client${availability.reason}`, () => {
  let dir: string;
  let serve: ServeProcess | undefined;

  beforeAll(async () => {
    if (availability.skip) return;
    dir = await mkdtemp(join(tmpdir(), "smo-py-"));
    const proto = join(REPO_ROOT, "proto");
    const common = [`--python_out=${dir}`, `--grpc_python_out=${dir}`, `--plugin=protoc-gen-grpc_python=${GRPC_PYTHON_PLUGIN}`];
    await run(PROTOC, [`-I${proto}`, ...common, "smo/v1/types.proto", "smo/v1/graph.proto", "smo/v1/cluster.proto", "smo/v1/optimizer.proto", "smo/v1/elasticity.proto"]);
    // health at the top level: a `grpc` Python package of our own would shadow grpcio's.
    await run(PROTOC, [`-I${join(proto, "grpc/health/v1")}`, ...common, "health.proto"]);
    await run(PROTOC, [`-I${join(proto, "grpc/reflection/v1")}`, ...common, "reflection.proto"]);
    await writeFile(join(dir, "probe.py"), SCRIPT);
    serve = await spawnServe(["--socket", join(dir, "smo.sock")], { SMO_TOKEN: TOKEN });
  });

  afterAll(async () => {
    await serve?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(availability.skip)("checks health and calls GraphService over TCP and the Unix socket", async () => {
    const { stdout } = await run(PYTHON, [join(dir, "probe.py"), dir, serve!.grpcAddress, serve!.socketPath!, TOKEN], { timeout: 60_000 });
    const result = JSON.parse(stdout) as Record<"tcp" | "unix" | "reflection", Record<string, unknown>>;
    const notFound = ["NOT_FOUND", 'graph "ghost" not found'];
    expect(result.tcp).toEqual({ overall: "SERVING", graph: "SERVING", graphs: 0, get: notFound, no_token: "UNAUTHENTICATED" });
    expect(result.unix).toEqual({ overall: "SERVING", graph: "SERVING", graphs: 0, get: notFound, no_token: "OK" });
    expect(result.reflection.services).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "smo.v1.ClusterService",
      "smo.v1.ElasticityService",
      "smo.v1.GraphService",
      "smo.v1.OptimizerService",
    ]);
    // graph.proto and the files it imports (types.proto, timestamp.proto).
    expect(result.reflection.files_for_graph_service).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(availability.skip)("smo serve exits 0 on SIGTERM while a grpcio channel stays open and idle", async () => {
    const holder = spawn(PYTHON, [join(dir, "probe.py"), dir, serve!.grpcAddress, serve!.socketPath!, TOKEN, "hold"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      await once(holder.stdout!, "data"); // "holding": the call is done, the connection stays
      // grpcio keeps the connection half-open for seconds after GOAWAY; the server must not wait for it.
      expect(await serve!.stop()).toBe(0);
      expect(holder.exitCode).toBeNull(); // the client was still there when the server had exited
    } finally {
      holder.kill();
    }
  });
});
