// The processes of the served scenario: `smo serve` on a PostgreSQL schema of its own with the simulated
// federation, gunicorn serving the REST reference, Python stubs and the Python client. Arguments are argv arrays,
// never a shell line.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import pg from "pg";
import { repoRoot } from "../results.js";

const run = promisify(execFile);

export const PYTHON = "/usr/bin/python3";
export const PROTOC = "/usr/bin/protoc";
export const GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin";
export const GUNICORN = "/usr/bin/gunicorn";

/** Why the Python rows cannot run here, or null when they can. */
export async function pythonMissing(): Promise<string | null> {
  for (const bin of [PYTHON, PROTOC, GRPC_PYTHON_PLUGIN]) if (!existsSync(bin)) return `${bin} missing`;
  try {
    await run(PYTHON, ["-c", "import grpc, google.protobuf"]);
    return null;
  } catch {
    return "python3-grpcio / python3-protobuf not importable";
  }
}

/** Why the REST reference cannot run here, or null when it can. */
export async function restMissing(): Promise<string | null> {
  if (!existsSync(GUNICORN)) return `${GUNICORN} missing (Debian: gunicorn)`;
  try {
    await run(PYTHON, ["-c", "import flask, sqlalchemy, psycopg2"]);
    return null;
  } catch {
    return "python3-flask / python3-sqlalchemy / python3-psycopg2 not importable";
  }
}

/** A fresh schema in the PostgreSQL database of `url`; returns the URL whose connections use it, and a dropper. */
export async function freshSchema(url: string, schema: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  // `schema` is built by the bench from a pid: an identifier, quoted anyway.
  await admin(`drop schema if exists "${schema}" cascade`);
  await admin(`create schema "${schema}"`);
  const scoped = new URL(url);
  scoped.searchParams.set("options", `-c search_path=${schema}`);
  return { url: scoped.toString(), drop: () => admin(`drop schema if exists "${schema}" cascade`) };
}

export interface Child {
  child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/** Resolves with the first line `match` accepts; rejects if the process exits first (with its output). */
function waitForLine<T>(child: ChildProcess, stream: NodeJS.ReadableStream, what: string, match: (line: string) => T | undefined): Promise<T> {
  const seen: string[] = [];
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} not ready after 60 s:\n${seen.join("\n")}`));
    }, 60_000);
    // Keep reading after the match: a full pipe would block the child's logging.
    createInterface({ input: stream }).on("line", (line) => {
      if (seen.length < 200) seen.push(line);
      const found = match(line);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before it was ready:\n${seen.join("\n")}`));
    });
  });
}

export interface Serve extends Child {
  grpcAddress: string;
  socketPath: string;
}

/** `node dist/src/cli/bin.js serve` on ephemeral ports, `--karmada sim`, the given store; waits for "smo serving". */
export async function spawnServe(db: string, socketPath: string): Promise<Serve> {
  const bin = join(repoRoot(), "dist/src/cli/bin.js");
  const args = [bin, "serve", "--db", db, "--karmada", "sim", "--sim-pod-start", "100ms", "--sim-clusters", "4", // 4 × 16 cores hold the 100 graphs of 0.5 core
    "--listen", "127.0.0.1:0", "--http-listen", "none", "--socket", socketPath, "--log-level", "info"];
  // SMO_BENCH_CPU_PROF=<dir>: a V8 CPU profile of smo serve, written there when it exits.
  const profile = process.env.SMO_BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.SMO_BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, ...args], { env: { ...process.env, SMO_TOKEN: "" }, stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.resume();
  const ready = await waitForLine(child, child.stdout!, "smo serve", (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, string>;
      return entry.msg === "smo serving" ? entry : undefined;
    } catch {
      return undefined;
    }
  });
  return { child, grpcAddress: ready.grpc!, socketPath, stop: stopper(child) };
}

export interface Gunicorn extends Child {
  baseUrl: string;
}

/** gunicorn serving bench/latency/rest_app.py on an ephemeral port, reading `schema` of the PostgreSQL at `pgUrl`. */
export async function spawnGunicorn(pgUrl: string, schema: string, workerArgs: string[]): Promise<Gunicorn> {
  const sqlalchemyUrl = pgUrl.replace(/^postgres(ql)?:\/\//, "postgresql+psycopg2://");
  const args = ["-b", "127.0.0.1:0", "--chdir", join(repoRoot(), "bench/latency"), ...workerArgs, "rest_app:app"];
  const child = spawn(GUNICORN, args, {
    env: { ...process.env, SMO_BENCH_PG_URL: sqlalchemyUrl, SMO_BENCH_PG_SCHEMA: schema, PYTHONDONTWRITEBYTECODE: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const baseUrl = await waitForLine(child, child.stderr!, "gunicorn", (line) => /Listening at: (http:\/\/\S+)/.exec(line)?.[1]);
  const stop = stopper(child);
  // Listening precedes the workers' boot: wait until one answers.
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) break;
    } catch (err) {
      if (i > 100) {
        await stop();
        throw err;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, baseUrl, stop };
}

/** Python stubs of smo's contract (as deploy/hop3/gen_stubs.sh makes them) plus health at the top level. */
export async function generateStubs(out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const proto = join(repoRoot(), "proto");
  const common = [`--python_out=${out}`, `--grpc_python_out=${out}`, `--plugin=protoc-gen-grpc_python=${GRPC_PYTHON_PLUGIN}`];
  await run(PROTOC, [`-I${proto}`, ...common, "smo/v1/types.proto", "smo/v1/graph.proto", "smo/v1/cluster.proto", "smo/v1/optimizer.proto", "smo/v1/elasticity.proto"]);
  // A `grpc` package of our own would shadow grpcio's: health.proto goes in at the top level.
  await run(PROTOC, [`-I${join(proto, "grpc/health/v1")}`, ...common, "health.proto"]);
}

export interface PythonRow {
  calls: number;
  p50Us: number;
  p99Us: number;
}

/** Runs bench/latency/hop3_latency.py with `config`; its rows by name. */
export async function runPythonClient(stubs: string, config: Record<string, unknown>): Promise<Record<string, PythonRow>> {
  const script = join(repoRoot(), "bench/latency/hop3_latency.py");
  const { stdout } = await run(PYTHON, [script, stubs, JSON.stringify(config)], { timeout: 120_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
  return (JSON.parse(stdout) as { rows: Record<string, PythonRow> }).rows;
}
