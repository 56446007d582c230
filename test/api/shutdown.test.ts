// Graceful shutdown: in flight calls finish, streams end, idle sessions do not hold close() up, and the
// drain deadline cuts what does not finish. First in-process with handlers the test controls, then the
// real `smo serve` binary under SIGTERM.
import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { existsSync } from "node:fs";
import { Writable } from "node:stream";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { ElasticityService } from "../../src/gen/smo/v1/elasticity_pb.js";
import { registration } from "../../src/api/registration.js";
import { createLogger } from "../../src/observability/logger.js";
import { SmoClient } from "../../src/cli/client.js";
import { spawnServe, startTestServer } from "./helpers.js";

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", destination: stream }) };
}

/** getGraph waits for `release`; watchGraph sends one event, then waits for its signal (shutdown). */
function controlledGraphService() {
  const entered = deferred();
  const release = deferred();
  let signal: AbortSignal | undefined;
  const registered = registration(GraphService, {
    async getGraph(req, ctx) {
      signal = ctx.signal;
      entered.resolve();
      await Promise.race([release.promise, once(ctx.signal, "abort")]);
      return { graph: { name: req.name } };
    },
    async listGraphs() {
      return { graphs: [] };
    },
    async *watchGraph(_req, ctx) {
      yield { event: { id: 1n, graph: "g", type: "deployed" } };
      if (!ctx.signal.aborted) await once(ctx.signal, "abort");
    },
  });
  return { registration: registered, entered, release, signal: () => signal };
}

describe("close() in-process", () => {
  it("finishes the call in flight, ends streams, and does not wait for idle sessions", async () => {
    const { lines, logger } = logSink();
    const c = controlledGraphService();
    const t = await startTestServer({ services: [c.registration], logger, drainTimeoutMs: 20_000 });
    const idle = new SmoClient({ address: t.server.grpcAddress! });
    const busy = new SmoClient({ address: `unix://${t.socketPath}` });
    try {
      await idle.unary(GraphService.method.listGraphs, {}); // leaves an idle HTTP/2 session open
      const inFlight = busy.unary(GraphService.method.getGraph, { name: "slow" });
      const stream = idle.serverStream(GraphService.method.watchGraph, { name: "g" })[Symbol.asyncIterator]();
      expect((await stream.next()).value?.event?.type).toBe("deployed");
      await c.entered.promise;

      const closed = t.close();
      // The stream is ended by shutdown (OK, not an error) while the unary call is still running.
      expect((await stream.next()).done).toBe(true);
      c.release.resolve();
      expect((await inFlight).graph?.name).toBe("slow");
      await closed;
      expect(c.signal()?.aborted).toBe(true); // contexts are aborted once their call completes
      expect(lines.find((l) => l.msg === "servers closed")).toMatchObject({ forced: false });
      // Nothing listens any more.
      await expect(new SmoClient({ address: t.server.grpcAddress!, deadlineMs: 1_000 }).unary(GraphService.method.listGraphs, {})).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
      expect(existsSync(t.socketPath)).toBe(false);
    } finally {
      idle.close();
      busy.close();
    }
  });

  it("cuts a call that outlives the drain deadline and aborts its signal", async () => {
    const { lines, logger } = logSink();
    const c = controlledGraphService();
    const t = await startTestServer({ services: [c.registration], logger, drainTimeoutMs: 200 });
    const client = new SmoClient({ address: t.server.grpcAddress! });
    try {
      const stuck = client.unary(GraphService.method.getGraph, { name: "stuck" }).catch((e: grpc.ServiceError) => e);
      await c.entered.promise;
      await t.close();
      expect(c.signal()?.aborted).toBe(true);
      expect(lines.find((l) => l.msg === "servers closed")).toMatchObject({ forced: true });
      const result = await stuck;
      // Either the handler saw the abort and answered, or the session was cut: never a hang.
      expect(result).toBeDefined();
    } finally {
      client.close();
    }
  });
});

describe("a client cancelling a server stream", () => {
  it("aborts the handler's signal and records the call as CANCELLED", async () => {
    const aborted = deferred();
    const watch = registration(GraphService, {
      async *watchGraph(_req, ctx) {
        ctx.signal.addEventListener("abort", () => aborted.resolve(), { once: true });
        yield { event: { id: 1n, graph: "g", type: "deployed" } };
        await once(ctx.signal, "abort").catch(() => undefined);
      },
    });
    const t = await startTestServer({ services: [watch] });
    const client = new SmoClient({ address: t.server.grpcAddress! });
    try {
      for await (const message of client.serverStream(GraphService.method.watchGraph, { name: "g" })) {
        expect(message.event?.id).toBe(1n);
        break; // cancels the call
      }
      await aborted.promise;
      await expect.poll(() => t.registry.getSingleMetricAsString("smo_rpc_in_flight")).toMatch(/method="WatchGraph"[^}]*\} 0/);
      expect(await t.registry.getSingleMetricAsString("smo_rpc_total")).toMatch(/method="WatchGraph"[^}]*code="CANCELLED"[^}]*\} 1/);
    } finally {
      client.close();
      await t.close();
    }
  });
});

describe("smo serve under SIGTERM", () => {
  it("completes the in-flight call with idle sessions open, removes the socket and exits 0", async () => {
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "smo-sigterm-"));
    const socketPath = join(dir, "smo.sock");
    // The simulated federation and its demo graph give StreamLoad a service whose samples are accepted.
    const serve = await spawnServe(["--socket", socketPath, "--shutdown-timeout", "20s", "--karmada", "sim", "--demo", "true", "--sim-pod-start", "50ms"]);
    // The demo graph is deployed after the serving line, by the start-up steps.
    await waitForLine(serve.lines, "start-up finished", 60_000);
    const idle = new SmoClient({ address: serve.grpcAddress });
    const streaming = new SmoClient({ address: `unix://${socketPath}` });
    // A peer that opens an HTTP/2 connection and never closes its side, whatever the server sends.
    const stubborn = await stubbornHttp2Peer(serve.grpcAddress);
    try {
      await idle.unary(GraphService.method.listGraphs, {});
      const draining = deferred();
      const sentFirst = deferred();
      async function* batches() {
        yield { samples: [{ graph: "demo-graph", service: "web", requestsPerSecond: 5 }] };
        sentFirst.resolve();
        await draining.promise; // the stream stays open across SIGTERM
        yield { samples: [{ graph: "demo-graph", service: "web", requestsPerSecond: 6 }] };
      }
      const call = streaming.clientStream(ElasticityService.method.streamLoad, batches()).then(
        () => ({ code: grpc.status.OK, details: "" }),
        (e: grpc.ServiceError) => ({ code: e.code, details: e.details }),
      );
      await sentFirst.promise;
      await waitForInFlight(serve.httpAddress, "StreamLoad");
      serve.child.kill("SIGTERM");
      await waitForLine(serve.lines, "shutting down: draining calls in flight");
      draining.resolve();
      const answer = await call;
      // The handler's own answer, not a connection cut (CANCELLED/UNAVAILABLE).
      expect(answer.code).not.toBe(grpc.status.CANCELLED);
      expect(answer.code).not.toBe(grpc.status.UNAVAILABLE);
      expect(answer.details).not.toMatch(/cancel|unavailable|closed/i);
      expect(answer.code).toBe(grpc.status.OK);
      expect(await serve.exited).toBe(0);
      expect(serve.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
      expect(existsSync(socketPath)).toBe(false);
    } finally {
      idle.close();
      streaming.close();
      stubborn.destroy();
      await serve.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

/** A raw TCP client that sends the HTTP/2 preface and an empty SETTINGS frame, then holds the connection. */
async function stubbornHttp2Peer(address: string): Promise<Socket> {
  const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  const socket = connect({ host, port, allowHalfOpen: true });
  await once(socket, "connect");
  socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
  await once(socket, "data"); // the server's SETTINGS: the session exists on its side
  socket.on("data", () => undefined); // keep reading so the server never blocks on writes
  socket.on("error", () => undefined);
  return socket;
}

/** Polls /metrics until the server reports the call as started (the handler is running). */
async function waitForInFlight(httpAddress: string, method: string): Promise<void> {
  const pattern = new RegExp(`smo_rpc_in_flight\\{[^}]*method="${method}"[^}]*\\} 1`);
  for (let i = 0; i < 200; i++) {
    const text = await (await fetch(`http://${httpAddress}/metrics`)).text();
    if (pattern.test(text)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${method} never showed as in flight`);
}

async function waitForLine(lines: string[], text: string, timeoutMs = 5_000): Promise<void> {
  for (let i = 0; i < timeoutMs / 25; i++) {
    if (lines.some((l) => l.includes(text))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no log line with "${text}" in:\n${lines.join("\n")}`);
}
