// Three real `smo serve` processes on one PostgreSQL schema and one simulated federation (docs/ha.md): every
// process answers every RPC, each project is acted on by one of them. Steady load reported to all three in
// turn never reverses a replica count; a SIGKILLed owner's projects are taken over and scale again; a
// SIGSTOPped owner's projects are taken over (its pending outbox applied once by the new owner) and, woken up,
// it logs that it lost its leases and acts on nothing.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmoClient } from "../../src/cli/client.js";
import { ClusterService } from "../../src/gen/smo/v1/cluster_pb.js";
import { ElasticityService } from "../../src/gen/smo/v1/elasticity_pb.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GraphStatus } from "../../src/gen/smo/v1/types_pb.js";
import { startSim, type Sim } from "../../src/sim/index.js";
import { listObjects } from "../graphs/harness.js";
import { eventually } from "../helpers/poll.js";
import { descriptor as graphDescriptor } from "../graphs/descriptors.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/bin.js");
const PG_URL = process.env.SMO_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REQUIRE = process.env.SMO_REQUIRE_INTEGRATION === "1";
const LEASE = "2s";

async function pgProblem(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    return undefined;
  } catch (e) {
    return `PostgreSQL unreachable at ${PG_URL}: ${(e as Error).message}`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

function skipReason(): Promise<string | undefined> | string | undefined {
  if (!existsSync(BIN)) return `${BIN} missing: build first (npm test does)`;
  return pgProblem();
}
const reason = await skipReason();
if (reason && REQUIRE) throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${reason}`);
if (reason) console.warn(`[ha serve test] skipped: ${reason}`);

const schema = `smo_ha_${randomBytes(4).toString("hex")}`;

interface Serve {
  child: ChildProcess;
  pid: number;
  address: string;
  client: SmoClient;
  output(): string;
  exited: Promise<void>;
}

async function serve(db: string, kubeconfig: string): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--db", db, "--karmada", kubeconfig, "--listen", "127.0.0.1:0", "--http-listen", "none",
      "--lease-duration", LEASE, "--stabilization", "3s", "--reconcile-interval", "1s", "--log-level", "info"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"smo serving"'));
      if (line) resolve(JSON.parse(line).grpc as string);
    });
    child.stderr!.on("data", (d) => (out += d));
    child.once("exit", (code, signal) => reject(new Error(`smo serve exited (${code ?? signal}) before serving:\n${out}`)));
  });
  return { child, pid: child.pid!, address, client: new SmoClient({ address, deadlineMs: 20_000 }), output: () => out, exited };
}

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`set search_path = ${schema}`);
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

function descriptor(id: string): string {
  return graphDescriptor({ id, description: "ha test", services: [{ id: "web", cpu: "light", ram: "light", alpha: 10, maxReplicas: 10 }] });
}

/** The member holding `project`'s unexpired lease (its pid is in its id), or undefined. */
async function holder(project: string): Promise<{ holder: string; token: number } | undefined> {
  const rows = await query<{ holder: string; token: string }>(
    "select holder, token from leases where project = $1 and expires_at > clock_timestamp()",
    [project],
  );
  return rows[0] && { holder: rows[0].holder, token: Number(rows[0].token) };
}

const pidOf = (member: string) => Number(member.split("-").at(-2));

/** Replica counts the decisions set for a graph's service, in order. */
async function decided(graph: string): Promise<number[]> {
  const rows = await query<{ replicas: number }>("select replicas from decisions where graph = $1 and actuated_at is not null order by id", [graph]);
  return rows.map((r) => r.replicas);
}

function report(s: Serve, graph: string, rate: number) {
  return s.client.unary(ElasticityService.method.reportLoad, { samples: [{ graph, service: "web", requestsPerSecond: rate }] });
}

describe.skipIf(reason !== undefined)("three smo serve processes on one PostgreSQL", () => {
  let dir: string;
  let sim: Sim;
  let db: string;
  const procs: Serve[] = [];
  const projects = ["ha-a", "ha-b", "ha-c"];
  const graphOf = (p: string) => `g-${p}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smo-ha-"));
    sim = await startSim({ clusters: 3, gpuClusters: 0, podStartMs: 30 });
    const kubeconfig = join(dir, "kubeconfig.yaml");
    await sim.writeKubeconfig(kubeconfig);
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const u = new URL(PG_URL);
    u.searchParams.set("options", `-c search_path=${schema}`);
    db = u.toString();
    for (let i = 0; i < 3; i++) procs.push(await serve(db, kubeconfig));
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) {
      p.client.close();
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill("SIGCONT");
        p.child.kill("SIGKILL");
      }
      await p.exited;
    }
    await sim?.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect().then(() => admin.query(`drop schema if exists ${schema} cascade`)).catch(() => undefined);
    await admin.end().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("deploys through any process, reads everywhere, and steady load to all three never reverses a count", { timeout: 120_000 }, async () => {
    // All deployed through the first process: it owns only some of the projects; the owners apply the rest.
    for (const p of projects) {
      const res = await procs[0]!.client.unary(GraphService.method.deployGraph, { project: p, descriptor: descriptor(graphOf(p)) });
      expect(res.graph?.status).toBe(GraphStatus.RUNNING);
    }
    for (const s of procs) {
      for (const p of projects) {
        const { graph } = await s.client.unary(GraphService.method.getGraph, { name: graphOf(p) });
        expect(graph?.status).toBe(GraphStatus.RUNNING);
      }
    }
    const { members } = await eventually(
      () => procs[1]!.client.unary(ClusterService.method.listMembers, {}),
      (r) => r.members.length === 3 && r.members.reduce((n, m) => n + m.projects, 0) === projects.length,
      { what: "3 members holding the 3 projects", timeoutMs: 20_000 },
    );
    expect(members.filter((m) => m.self)).toHaveLength(1);
    expect(new Set(members.map((m) => m.address)).size).toBe(3);

    // The flapping scenario: one service's load reported to each process in turn (20, 50, 35 req/s).
    const rates = [20, 50, 35];
    for (let round = 0; round < 12; round++) {
      await Promise.all(projects.map((p, j) => report(procs[(round + j) % 3]!, graphOf(p), rates[round % 3]!)));
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const p of projects) {
      const counts = await eventually(() => decided(graphOf(p)), (c) => c.length > 0 && c.at(-1)! >= 5, {
        what: `${graphOf(p)} scaled for 50 req/s`,
        timeoutMs: 20_000,
      });
      for (let i = 1; i < counts.length; i++) expect(counts[i]!, `${graphOf(p)}: ${counts.join(" → ")}`).toBeGreaterThan(counts[i - 1]!);
    }
  });

  it("SIGKILL of an owner: another process takes its project and scales it again", { timeout: 120_000 }, async () => {
    const project = projects[0]!;
    const before = (await holder(project))!;
    const victim = procs.find((s) => s.pid === pidOf(before.holder))!;
    expect(victim).toBeDefined();
    victim.child.kill("SIGKILL");
    await victim.exited;
    const survivors = procs.filter((s) => s !== victim);
    const after = await eventually(() => holder(project), (h) => h !== undefined && h.holder !== before.holder, {
      what: `a survivor holding ${project}`,
      timeoutMs: 20_000,
    });
    expect(after!.token).toBeGreaterThan(before.token);
    // Load through every survivor (owner or not): the new owner decides, up from the last stored count.
    const last = (await decided(graphOf(project))).at(-1)!;
    await eventually(
      async () => {
        await Promise.all(survivors.map((s) => report(s, graphOf(project), 90).catch(() => undefined)));
        return decided(graphOf(project));
      },
      (c) => c.at(-1) === 9,
      { what: "a scale to 9 replicas after the take-over", timeoutMs: 30_000, intervalMs: 300 },
    );
    const counts = await decided(graphOf(project));
    expect(counts.slice(counts.indexOf(last))).toEqual([last, 9]);
    procs.splice(procs.indexOf(victim), 1);
  });

  it("SIGSTOP of an owner: its pending outbox is applied once by the new owner; woken up, it does not act", { timeout: 120_000 }, async () => {
    // A project a live process owns; the other live process commits the stop while the owner is frozen.
    const owners = await Promise.all(projects.map(async (p) => ({ p, h: await holder(p) })));
    const target = owners.find((o) => o.h && procs.some((s) => s.pid === pidOf(o.h!.holder)))!;
    expect(target, JSON.stringify(owners)).toBeDefined();
    const frozen = procs.find((s) => s.pid === pidOf(target.h!.holder))!;
    const other = procs.find((s) => s !== frozen)!;
    const graph = graphOf(target.p);
    frozen.child.kill("SIGSTOP");
    const mark = frozen.output().length;
    try {
      // Committed by the other process; applied by whoever holds the lease, i.e. after the take-over.
      const stopped = await other.client.unary(GraphService.method.stopGraph, { name: graph });
      expect(stopped.graph?.status).toBe(GraphStatus.STOPPED);
      const after = await holder(target.p);
      expect(after?.holder).not.toBe(target.h!.holder);
      expect(after!.token).toBeGreaterThan(target.h!.token);
      expect(await listObjects(sim, "deployments", target.p)).toEqual([]);
      expect(await query("select id from outbox where graph = $1", [graph])).toEqual([]);
      // The stop's events appear once each (applied once).
      const events = await query<{ type: string }>("select type from events where graph = $1 and type = 'stopped'", [graph]);
      expect(events).toHaveLength(1);
    } finally {
      frozen.child.kill("SIGCONT");
    }
    // Woken up: it notices at its next renewal that it lost the lease, says so, and scales nothing.
    const log = await eventually(() => frozen.output().slice(mark), (l) => l.includes("lost the lease"), {
      what: "the woken process logging its lost lease",
      timeoutMs: 15_000,
    });
    expect(log).not.toContain('"msg":"scaled"');
    const { graph: view } = await frozen.client.unary(GraphService.method.getGraph, { name: graph });
    expect(view?.status).toBe(GraphStatus.STOPPED);
  });
});
