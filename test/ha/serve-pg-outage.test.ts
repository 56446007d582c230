// PostgreSQL unreachable under two real `smo serve` processes (docs/ha.md): they reach the database through a
// TCP proxy the test cuts. Every process stops acting (it cannot renew its leases, and says so), writes answer
// UNAVAILABLE, reads keep answering from memory; once the proxy is back, the leases are taken again and writes
// go through. The PostgreSQL server itself is shared by other tests, so it is never restarted here.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmoClient } from "../../src/cli/client.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GraphStatus } from "../../src/gen/smo/v1/types_pb.js";
import { startSim, type Sim } from "../../src/sim/index.js";
import { eventually } from "../helpers/poll.js";
import { descriptor as graphDescriptor } from "../graphs/descriptors.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/bin.js");
const PG_URL = process.env.SMO_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REQUIRE = process.env.SMO_REQUIRE_INTEGRATION === "1";

async function pgProblem(): Promise<string | undefined> {
  if (!existsSync(BIN)) return `${BIN} missing: build first (npm test does)`;
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
const reason = await pgProblem();
if (reason && REQUIRE) throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${reason}`);
if (reason) console.warn(`[ha outage test] skipped: ${reason}`);

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
class Proxy {
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("close", () => this.#sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

const schema = `smo_ha_outage_${randomBytes(4).toString("hex")}`;

async function admin(text: string): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

function serve(db: string, kubeconfig: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, "serve", "--db", db, "--karmada", kubeconfig, "--listen", "127.0.0.1:0", "--http-listen", "none", "--lease-duration", "2s", "--log-level", "info"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const address = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d;
      const line = out.split("\n").find((l) => l.includes('"smo serving"'));
      if (line) resolve(JSON.parse(line).grpc as string);
    });
    child.stderr!.on("data", (d) => (out += d));
    child.once("exit", (code, signal) => reject(new Error(`smo serve exited (${code ?? signal}) before serving:\n${out}`)));
  });
  return { child, address, exited, output: () => out };
}

const descriptor = (id: string) => graphDescriptor({ id, description: "outage test", services: [{ id: "api", cpu: "light", ram: "light" }] });

describe.skipIf(reason !== undefined)("PostgreSQL unreachable under two smo serve processes", () => {
  let dir: string;
  let sim: Sim;
  let proxy: Proxy;
  const procs: ReturnType<typeof serve>[] = [];
  const clients: SmoClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smo-ha-outage-"));
    sim = await startSim({ clusters: 2, gpuClusters: 0, podStartMs: 30 });
    const kubeconfig = join(dir, "kubeconfig.yaml");
    await sim.writeKubeconfig(kubeconfig);
    await admin(`create schema ${schema}`);
    const target = new URL(PG_URL);
    proxy = new Proxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const via = new URL(PG_URL);
    via.port = String(proxy.port);
    via.searchParams.set("options", `-c search_path=${schema}`);
    for (let i = 0; i < 2; i++) {
      const p = serve(via.toString(), kubeconfig);
      procs.push(p);
      clients.push(new SmoClient({ address: await p.address, deadlineMs: 15_000 }));
    }
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const p of procs) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
    await proxy?.cut();
    await sim?.close();
    await admin(`drop schema if exists ${schema} cascade`).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("stops acting, answers writes UNAVAILABLE and reads from memory, then resumes", { timeout: 120_000 }, async () => {
    const [a, b] = clients as [SmoClient, SmoClient];
    const deployed = await a.unary(GraphService.method.deployGraph, { project: "outage", descriptor: descriptor("g-outage") });
    expect(deployed.graph?.status).toBe(GraphStatus.RUNNING);
    const marks = procs.map((p) => p.output().length);

    await proxy.cut();
    // Both processes notice they cannot renew, and stop acting.
    for (const [i, p] of procs.entries()) {
      await eventually(() => p.output().slice(marks[i]), (l) => l.includes("cannot renew leases"), {
        what: `process ${i} logging that it cannot renew`,
        timeoutMs: 20_000,
      });
    }
    // Reads: from memory.
    const { graph } = await b.unary(GraphService.method.getGraph, { name: "g-outage" });
    expect(graph?.status).toBe(GraphStatus.RUNNING);
    // Writes: UNAVAILABLE, on every process.
    for (const c of clients) {
      await expect(c.unary(GraphService.method.stopGraph, { name: "g-outage" })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    }
    // Nothing renewed: the leases expire (checked on the database directly, past the proxy).
    await eventually(() => admin(`select project from ${schema}.leases where expires_at > clock_timestamp()`), (r) => r.length === 0, {
      what: "every lease expired",
      timeoutMs: 20_000,
    });

    await proxy.open();
    // Back: the project is taken again (new token) and writes go through, whichever process receives them.
    await eventually(() => admin(`select token from ${schema}.leases where project = 'outage' and expires_at > clock_timestamp()`), (r) => r.length === 1, {
      what: "the lease taken again",
      timeoutMs: 30_000,
    });
    const stopped = await eventually(
      () => b.unary(GraphService.method.stopGraph, { name: "g-outage" }),
      (r) => r.graph?.status === GraphStatus.STOPPED,
      { what: "a stop after the outage", timeoutMs: 30_000, retryErrors: true },
    );
    expect(stopped.graph?.status).toBe(GraphStatus.STOPPED);
  });
});
