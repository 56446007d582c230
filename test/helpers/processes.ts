// Test helpers for integration tests that run real programs (Prometheus, Alertmanager, docker-registry, ...):
// availability check (skip visibly, or fail under SMO_REQUIRE_INTEGRATION=1), free ports, start a binary and
// wait until it answers over HTTP, stop it, and serve a node http handler on port 0. Polling is in poll.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Availability {
  skip: boolean;
  /** Put it in the describe() title so the skip reason shows in the report. */
  reason: string;
}

/**
 * Checks that every binary exists and is executable. Missing → skip with a visible reason, unless
 * SMO_REQUIRE_INTEGRATION=1, where it throws so the suite fails.
 */
export function requireBinaries(...binaries: string[]): Availability {
  const missing = binaries.filter((b) => {
    try {
      accessSync(b, constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return { skip: false, reason: "" };
  const reason = `skipped: ${missing.join(", ")} not installed`;
  if (process.env.SMO_REQUIRE_INTEGRATION === "1") {
    throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${missing.join(", ")} not installed`);
  }
  console.warn(`[integration] ${reason}`);
  return { skip: true, reason: ` (${reason})` };
}

/** A port that was free a moment ago on 127.0.0.1 (callers retry if another process takes it first). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

import { waitFor } from "./poll.js";

export { waitFor } from "./poll.js";

export interface StartedProcess {
  name: string;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  child: ChildProcess;
  /** Last output of the process (stdout and stderr), for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  /** argv for a given port; never goes through a shell. */
  args: (port: number) => string[];
  /** Path polled with GET until it answers 2xx, e.g. /-/ready. */
  readyPath: string;
  /** Which status means ready; default any 2xx (a registry with auth answers 401 when up). */
  readyStatus?: (status: number) => boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Listen on this port (a restart on the same port); default a free one, retried on a race. */
  port?: number;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Starts a program on a free loopback port and waits until readyPath answers; retries on a port race. */
export async function startProcess(opts: StartOptions): Promise<StartedProcess> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < (opts.port === undefined ? 3 : 1); attempt++) {
    const port = opts.port ?? (await freePort());
    const child = spawn(opts.command, opts.args(port), { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-16_000);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    let exited = false;
    child.once("exit", () => {
      exited = true;
    });
    const url = `http://127.0.0.1:${port}`;
    const started: StartedProcess = { name: opts.name, port, url, child, logs: () => output, stop: () => stopChild(child) };
    try {
      await waitFor(
        async () => {
          if (exited) throw new Error(`${opts.name} exited early`);
          const res = await fetch(`${url}${opts.readyPath}`, { signal: AbortSignal.timeout(1_000) });
          await res.body?.cancel();
          return (opts.readyStatus ? opts.readyStatus(res.status) : res.ok) ? true : undefined;
        },
        `${opts.name} on ${url}`,
        { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 100 },
      ).catch((err: Error) => {
        if (exited) throw new Error(`${opts.name} exited early:\n${output}`);
        throw err;
      });
      return started;
    } catch (err) {
      await stopChild(child);
      lastError = new Error(`${(err as Error).message}\n--- ${opts.name} output ---\n${output}`);
      if (!/address already in use/i.test(output)) break;
    }
  }
  throw lastError ?? new Error(`${opts.name} did not start`);
}

export interface HttpTestServer {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves a request handler on 127.0.0.1:0. */
export function serveHttp(handler: RequestListener): Promise<HttpTestServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      resolve({
        server,
        port,
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
