// `smo graph list|get` and `smo version` against a live server (real store on `memory`), run in-process
// through the CLI dispatcher, plus the real binary's exit codes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { PassThrough } from "node:stream";
import { main, type CommandIO } from "../../src/cli/main.js";
import type { Store } from "../../src/core/ports/store.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { registration } from "../../src/api/registration.js";
import { BIN, openMemoryStore, seedGraph, startTestServer, type TestServer } from "../api/helpers.js";

const execFileAsync = promisify(execFile);

let store: Store;
let t: TestServer;

beforeAll(async () => {
  store = await openMemoryStore();
  await seedGraph(store, "shop", "retail");
  await seedGraph(store, "blog", "media");
  t = await startTestServer({ store });
});

afterAll(async () => {
  await t?.close();
  await store?.close();
});

async function smo(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const io: CommandIO = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, stdout: out, stderr: err };
}

describe("smo graph list", () => {
  it("prints a table of every graph, ordered by name", async () => {
    const r = await smo(["graph", "list", "--address", t.server.grpcAddress!]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+PROJECT\s+STATUS\s+VERSION\s+SERVICES\s+STRATEGY$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/))).toEqual([
      ["blog", "media", "running", "1.0.0", "2", "optimal"],
      ["shop", "retail", "running", "1.0.0", "2", "optimal"],
    ]);
  });

  it("filters by project and prints JSON with -o json", async () => {
    const r = await smo(["graph", "list", "--project", "retail", "-o", "json", "--address", t.server.grpcAddress!]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { graphs: { name: string; status: string; services: unknown[] }[] };
    expect(body.graphs.map((g) => g.name)).toEqual(["shop"]);
    expect(body.graphs[0]!.status).toBe("GRAPH_STATUS_RUNNING");
    expect(body.graphs[0]!.services).toHaveLength(2);
  });

  it("says so when there is nothing, and takes the address from SMO_ADDRESS (unix socket)", async () => {
    const r = await smo(["graph", "list", "--project", "none"], { SMO_ADDRESS: `unix://${t.socketPath}` });
    expect(r).toMatchObject({ code: 0, stdout: "no graphs\n", stderr: "" });
  });
});

describe("smo graph get", () => {
  it("prints the graph and a table of its services", async () => {
    const r = await smo(["graph", "get", "shop", "--address", t.server.grpcAddress!]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("name:      shop\nproject:   retail\nstatus:    running\n");
    expect(r.stdout).toMatch(/SERVICE\s+STATUS\s+CLUSTER\s+READY\s+CPU\s+MEMORY/);
    expect(r.stdout).toMatch(/frontend\s+deployed\s+member1\s+0\/2\s+0\.5\s+512Mi/);
    expect(r.stdout).toMatch(/backend\s+deployed\s+member2/);
  });

  it("prints the proto JSON with -o json", async () => {
    const r = await smo(["graph", "get", "shop", "-o", "json", "--address", t.server.grpcAddress!]);
    const body = JSON.parse(r.stdout) as { graph: { name: string; placement: Record<string, string>; lastDecision: { status: string } } };
    expect(body.graph.name).toBe("shop");
    expect(body.graph.placement).toEqual({ frontend: "member1", backend: "member2" });
    expect(body.graph.lastDecision.status).toBe("SOLVER_STATUS_OPTIMAL");
  });

  it("exits 1 with the gRPC status on stderr for an unknown graph", async () => {
    const r = await smo(["graph", "get", "ghost", "--address", t.server.grpcAddress!]);
    expect(r).toMatchObject({ code: 1, stdout: "", stderr: 'gRPC status NOT_FOUND: graph "ghost" not found\n' });
  });

  it("exits 1 with UNAVAILABLE when nothing listens", async () => {
    const r = await smo(["graph", "get", "shop", "--address", "unix:///nonexistent/smo.sock"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^gRPC status UNAVAILABLE: /);
  });

  it("rejects usage errors before connecting", async () => {
    expect(await smo(["graph", "get", "--address", t.server.grpcAddress!])).toMatchObject({ code: 1, stderr: expect.stringContaining("wrong number of arguments") });
    expect(await smo(["graph", "list", "-o", "yaml"])).toMatchObject({ code: 1, stderr: expect.stringContaining('-o: expected json or table, got "yaml"') });
    expect(await smo(["graph", "list", "--bogus"])).toMatchObject({ code: 1, stderr: expect.stringContaining("--bogus") });
    expect(await smo(["graph", "frobnicate"])).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown subcommand "frobnicate"') });
    // Names of Object.prototype members are not commands either.
    for (const name of ["constructor", "toString", "__proto__"]) {
      expect(await smo([name])).toMatchObject({ code: 1, stderr: expect.stringContaining(`unknown command "${name}"`) });
    }
    expect((await smo(["graph"])).stdout).toContain("list");
  });
});

describe("token", () => {
  it("sends SMO_TOKEN as a bearer token", async () => {
    const echo = registration(GraphService, {
      listGraphs: (_req, ctx) => ({ graphs: [{ name: ctx.requestHeader.get("authorization") ?? "" }] }),
    });
    const guarded = await startTestServer({ services: [echo], token: "tok" });
    try {
      const denied = await smo(["graph", "list", "--address", guarded.server.grpcAddress!]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/^gRPC status UNAUTHENTICATED: /);
      const allowed = await smo(["graph", "list", "--address", guarded.server.grpcAddress!], { SMO_TOKEN: "tok" });
      expect(allowed.code).toBe(0);
      expect(allowed.stdout).toContain("Bearer tok");
    } finally {
      await guarded.close();
    }
  });
});

describe("the smo binary", () => {
  it("prints its version and exits 0", async () => {
    const { stdout } = await execFileAsync(process.execPath, [BIN, "version"]);
    expect(stdout).toMatch(/^smo 0\.\d+\.\d+ \(node 20\.\d+\.\d+\)\n$/);
  });

  it("exits 1 with the status on stderr", async () => {
    const err = (await execFileAsync(process.execPath, [BIN, "graph", "get", "ghost", "--address", t.server.grpcAddress!]).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(err.code).toBe(1);
    expect(err.stderr).toBe('gRPC status NOT_FOUND: graph "ghost" not found\n');
  });
});
