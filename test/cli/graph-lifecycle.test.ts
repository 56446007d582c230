// `smo graph deploy|get|list|start|stop|replace|remove|watch` through the CLI dispatcher against the in-process
// servers on the real lifecycle (simulated Karmada, PGlite), plus the spawned binary for stdin and Ctrl-C.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { createInterface } from "node:readline";
import { main, type CommandIO } from "../../src/cli/main.js";
import { BIN } from "../api/helpers.js";
import { startLifecycleServer, type LifecycleServer } from "../api/graph-lifecycle-server.js";
import { fixtureText } from "../fixtures/index.js";
import { chain, descriptor, descriptorObject } from "../graphs/descriptors.js";
import { EMPTY, eventually, inventory } from "../graphs/harness.js";

let s: LifecycleServer;
let dir: string;

beforeAll(async () => {
  s = await startLifecycleServer();
  dir = await mkdtemp(join(tmpdir(), "smo-cli-graph-"));
});
afterAll(async () => {
  await s?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function smo(args: string[], options: { stdin?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const io: CommandIO & { stdin?: NodeJS.ReadableStream } = { stdout, stderr, env: { SMO_ADDRESS: s.address } };
  if (options.stdin !== undefined) io.stdin = Readable.from([Buffer.from(options.stdin)]);
  const code = await main(args, io);
  return { code, stdout: out, stderr: err };
}

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe("smo graph deploy", () => {
  it("deploys a YAML file and prints the graph with its services, clusters and replicas", async () => {
    const path = await file("hello.yaml", fixtureText("greeter.yaml"));
    const r = await smo(["graph", "deploy", "--project", "c-hello", path]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^graph greeter-graph deployed in project c-hello\n\nname: +greeter-graph\n/);
    expect(r.stdout).toMatch(/status: +running/);
    expect(r.stdout).toMatch(/placed: +optimal \(optimal, \w+\): objective [\d.]+ in [\d.]+ ms/);
    expect(r.stdout).toMatch(/greeter\s+deployed\s+member\d\s+\d\/1\s+1\s+1Gi\n/);

    const again = await smo(["graph", "deploy", "--project", "c-hello", path]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^graph greeter-graph is already deployed with this descriptor; nothing changed\n/);
  });

  it("reads the descriptor from stdin with -, and prints the proto JSON with -o json", async () => {
    const r = await smo(["graph", "deploy", "-p", "c-stdin", "-", "-o", "json"], { stdin: descriptor(chain("c-stdin-g")) });
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { created: boolean; graph: { name: string; status: string; services: { cluster: string }[] }; decision: { status: string } };
    expect(body).toMatchObject({ created: true, graph: { name: "c-stdin-g", status: "GRAPH_STATUS_RUNNING" }, decision: { status: "SOLVER_STATUS_OPTIMAL" } });
    expect(body.graph.services.every((svc) => /^member\d$/.test(svc.cluster))).toBe(true);
  });

  it("--dry-run prints the decision and writes nothing", async () => {
    const path = await file("dry.json", descriptor(chain("c-dry")));
    const r = await smo(["graph", "deploy", "--project", "c-dry", "--dry-run", path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dry run: graph c-dry would be placed as below in project c-dry; nothing was written or applied\ndecision: +optimal/);
    expect(r.stdout).toMatch(/front\s+\S+\s+member\d/);
    expect(await smo(["graph", "get", "c-dry"])).toMatchObject({ code: 1, stderr: "gRPC status NOT_FOUND: graph c-dry not found\n" });
  });

  it("exits 1 with the status and the field violations on stderr", async () => {
    const doc = descriptorObject(chain("c-bad")) as { hdaGraph: { services: { deployment: { intent: { compute: { cpu: string } } } }[] } };
    doc.hdaGraph.services[2]!.deployment.intent.compute.cpu = "enormous";
    const r = await smo(["graph", "deploy", "--project", "c-bad", await file("bad.json", JSON.stringify(doc))]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^gRPC status INVALID_ARGUMENT: .+\n {2}hdaGraph\.services\[2\]\.deployment\.intent\.compute\.cpu: .+\n/);

    const exists = await smo(["graph", "deploy", "--project", "c-other", await file("exists.json", descriptor(chain("c-stdin-g", { description: "x" })))]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toMatch(/^gRPC status ALREADY_EXISTS: /);
  });

  it("rejects usage errors before connecting", async () => {
    expect(await smo(["graph", "deploy", "x.yaml"])).toMatchObject({ code: 1, stderr: expect.stringContaining("--project is required") });
    expect(await smo(["graph", "deploy", "--project", "p"])).toMatchObject({ code: 1, stderr: expect.stringContaining("wrong number of arguments") });
    const missing = await smo(["graph", "deploy", "--project", "p", join(dir, "nope.yaml")]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining("cannot read") });
    expect(await smo(["graph", "replace", "g", "--weight-moves=-3"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--weight-moves: expected a number ≥ 0, got "-3"'),
    });
    expect(await smo(["graph", "watch", "g", "--timeout", "soon"])).toMatchObject({ code: 1, stderr: expect.stringContaining("--timeout") });
    expect((await smo(["graph", "--help"])).stdout).toMatch(/deploy[\s\S]*replace[\s\S]*watch/);
  });
});

describe("smo graph get, list, stop, start, replace, remove", () => {
  it("walks a graph through its states with exit codes 0/1", async () => {
    await smo(["graph", "deploy", "--project", "c-ops", await file("ops.json", descriptor(chain("c-ops")))]);
    const got = await eventually(
      () => smo(["graph", "get", "c-ops"]),
      (r) => /front\s+deployed\s+member\d\s+1\/1/.test(r.stdout) && /back\s+deployed\s+member\d\s+1\/1/.test(r.stdout),
    );
    expect(got.stdout).toMatch(/SERVICE\s+STATUS\s+CLUSTER\s+READY\s+CPU\s+MEMORY/);

    const listed = await smo(["graph", "list", "--project", "c-ops"]);
    expect(listed.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(/\s+/))).toEqual([["c-ops", "c-ops", "running", "1.0.0", "3", "optimal"]]);

    const stopped = await smo(["graph", "stop", "c-ops"]);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toMatch(/^graph c-ops stopped\n[\s\S]*status: +stopped[\s\S]*front\s+not-deployed/);
    expect(await inventory(s.h.sim, "c-ops")).toEqual(EMPTY);
    const twice = await smo(["graph", "stop", "c-ops"]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/^gRPC status FAILED_PRECONDITION: /);

    const started = await smo(["graph", "start", "c-ops", "-o", "json"]);
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout).graph.status).toBe("GRAPH_STATUS_RUNNING");
    expect((await smo(["graph", "start", "c-ops"])).stderr).toMatch(/^gRPC status FAILED_PRECONDITION: /);

    const replaced = await smo(["graph", "replace", "c-ops", "--strategy", "energy", "--weight-moves", "1", "--weight-energy", "2"]);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/^graph c-ops re-placed: (placement unchanged|moved .+)\ndecision: +(optimal|feasible) \(energy, \w+\)/);
    expect(replaced.stdout).toMatch(/reason: +\S/);
    const json = JSON.parse((await smo(["graph", "replace", "c-ops", "-o", "json"])).stdout) as { decision: { strategy: string } };
    expect(json.decision.strategy).toBe("optimal");
    const bad = await smo(["graph", "replace", "c-ops", "--strategy", "telepathy"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^gRPC status INVALID_ARGUMENT: .*\n {2}strategy: /);

    expect(await smo(["graph", "remove", "c-ops"])).toMatchObject({ code: 0, stdout: "graph c-ops removed\n", stderr: "" });
    expect(await inventory(s.h.sim, "c-ops")).toEqual(EMPTY);
    expect((await smo(["graph", "remove", "c-ops"])).stderr).toBe("gRPC status NOT_FOUND: graph c-ops not found\n");
  });
});

describe("smo graph watch", () => {
  it("prints one line per event, resumes with --after, and ends at --timeout with exit 0", async () => {
    await smo(["graph", "deploy", "--project", "c-watch", await file("watch.json", descriptor(chain("c-watch")))]);
    const r = await smo(["graph", "watch", "c-watch", "--timeout", "300ms"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#\d+ {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}placed {2}- {2}optimal: /);
    expect(lines[1]).toMatch(/^#\d+ {2}\S+ {2}deployed {2}- {2}graph deployed in c-watch$/);
    const firstId = /^#(\d+)/.exec(lines[0]!)![1]!;

    const after = await smo(["graph", "watch", "c-watch", "--after", firstId, "--timeout", "300ms", "-o", "json"]);
    const events = after.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { type: string; graph: string });
    expect(events.map((e) => [e.graph, e.type])).toEqual([["c-watch", "deployed"]]);

    // A removal ends the stream by itself.
    const watching = smo(["graph", "watch", "c-watch", "--after", firstId]);
    await smo(["graph", "remove", "c-watch"]);
    const ended = await watching;
    expect(ended.code).toBe(0);
    expect(ended.stdout.trimEnd().split("\n").map((l) => l.split("  ")[2])).toEqual(["deployed", "removed"]);

    expect(await smo(["graph", "watch", "ghost"])).toMatchObject({ code: 1, stderr: "gRPC status NOT_FOUND: graph ghost not found\n" });
  });
});

describe.skipIf(!existsSync(BIN))(`the smo binary${existsSync(BIN) ? "" : " (skipped: dist/ not built)"}`, () => {
  it("deploys from stdin, and `graph watch` ends cleanly on Ctrl-C (SIGINT) with exit 0", async () => {
    const deploy = spawn(process.execPath, [BIN, "graph", "deploy", "--project", "c-bin", "-", "--address", s.address], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    deploy.stdout.on("data", (d: Buffer) => (out += d.toString()));
    deploy.stdin.end(descriptor(chain("c-bin")));
    const code = await new Promise<number | null>((resolve) => deploy.once("exit", resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/^graph c-bin deployed in project c-bin\n/);

    const watch = spawn(process.execPath, [BIN, "graph", "watch", "c-bin", "--address", s.address], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    watch.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => watch.once("exit", resolve));
    const lines: string[] = [];
    await new Promise<void>((resolve) => {
      createInterface({ input: watch.stdout }).on("line", (line) => {
        lines.push(line);
        if (lines.length === 2) resolve();
      });
    });
    watch.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
    expect(lines.map((l) => l.split("  ")[2])).toEqual(["placed", "deployed"]);
  });
});
