// startServer: one process, three listeners sharing the same handler impls.
//   gRPC (grpc-js) on TCP, token-checked when a token is set;
//   gRPC on a Unix socket (mode 0600, no token: the file mode is the access control);
//   HTTP/1.1 with Connect, /metrics, /healthz and registered routes.
// Health (overall "" and per service) and reflection v1 + v1alpha are on both gRPC listeners.
import * as grpc from "@grpc/grpc-js";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { HealthImplementation, type ServingStatusMap } from "grpc-health-check";
import { ReflectionService } from "@grpc/reflection";
import { addServiceImpl } from "./grpc-adapter.js";
import { grpcAuthInterceptor } from "./auth.js";
import { servedFileDescriptorProtos } from "./descriptors.js";
import { createHttpHandler, type HttpRoute } from "./http.js";
import { InFlightCalls, instrumentService } from "./instrument.js";
import type { ServiceRegistration } from "./registration.js";
import { GrpcListener } from "./grpc-listener.js";
import type { Logger } from "../observability/logger.js";
import { eventLoopDelayMetric, rpcMetrics } from "../observability/metrics.js";

/** How long idle sessions may stay once every call has finished, before they are cut. */
const IDLE_SESSION_GRACE_MS = 1_000;

export interface ServerOptions {
  services: readonly ServiceRegistration[];
  /** host:port for gRPC over TCP (port 0 = ephemeral); null/undefined = no TCP gRPC listener. */
  listen?: string | null;
  /** Path of the gRPC Unix socket; null/undefined = none. */
  socketPath?: string | null;
  /** Mode of the socket file (default 0o600; 0o660 lets a group such as hop3 connect). */
  socketMode?: number;
  /** host:port for the HTTP/1.1 port; null/undefined = none. */
  httpListen?: string | null;
  /** Bearer token required on the TCP listeners; empty/undefined = no auth. */
  token?: string;
  /** Host names the HTTP port answers to besides loopback names and IP literals (DNS-rebinding guard). */
  allowedHosts?: readonly string[];
  logger: Logger;
  registry: Registry;
  httpRoutes?: readonly HttpRoute[];
  /** How long close() lets in-flight calls finish before cutting them (default 10 s). */
  drainTimeoutMs?: number;
  /**
   * Start-up work that finishes after serving: its health entry is NOT_SERVING while `pending()` is not empty
   * (the owner flips it with setServing), and /healthz lists the steps left under `starting`.
   */
  startup?: { service: string; pending(): readonly string[] };
}

export interface RunningServer {
  /** Bound host:port of gRPC over TCP (ephemeral port resolved), or null. */
  grpcAddress: string | null;
  socketPath: string | null;
  /** Bound host:port of the HTTP port, or null. */
  httpAddress: string | null;
  /** Health status of one service name ("" = overall). */
  setServing(service: string, serving: boolean): void;
  /** Stops accepting, ends streams, drains in-flight calls until the deadline, then forces. Idempotent. */
  close(): Promise<void>;
}

/** Splits host:port ([v6]:port too). */
export function parseHostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value);
  if (!match) throw new Error(`expected host:port, got "${value}"`);
  return { host: match[1] ?? match[2]!, port: Number(match[3]) };
}

function formatHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

function listenHttp(server: HttpServer, address: string): Promise<string> {
  const { host, port } = parseHostPort(address);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const bound = server.address() as AddressInfo;
      resolve(formatHostPort(host, bound.port));
    });
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger.child({ component: "api" });
  const metrics = rpcMetrics(options.registry);
  const stopLoopMetric = eventLoopDelayMetric(options.registry);
  const inFlight = new InFlightCalls();
  // Streams (WatchGraph, WatchDecisions) end when shutdown starts; unary calls only at the drain deadline.
  const streamShutdown = new AbortController();
  const forcedShutdown = new AbortController();
  let serving = true;

  const serviceNames = options.services.map((s) => s.service.typeName);
  const initialStatus: ServingStatusMap = { "": "SERVING" };
  for (const name of serviceNames) initialStatus[name] = "SERVING";
  if (options.startup) initialStatus[options.startup.service] = options.startup.pending().length > 0 ? "NOT_SERVING" : "SERVING";
  const health = new HealthImplementation(initialStatus);
  const reflection = new ReflectionService({
    smo: { fileDescriptorProtos: servedFileDescriptorProtos(), format: "Protocol Buffer 3 FileDescriptorProto" },
  } as unknown as ConstructorParameters<typeof ReflectionService>[0]);

  const instrumented = (transport: string): ServiceRegistration[] =>
    options.services.map(({ service, impl }) => ({
      service,
      impl: instrumentService(service, impl, { metrics, logger, transport, inFlight, streamShutdown: streamShutdown.signal }),
    }));

  const makeGrpcServer = (transport: string, token: string | undefined): grpc.Server => {
    const server = new grpc.Server({ interceptors: token ? [grpcAuthInterceptor(token)] : [] });
    for (const { service, impl } of instrumented(transport)) addServiceImpl(server, service, impl as never, forcedShutdown.signal);
    health.addToServer(server);
    reflection.addToServer(server);
    return server;
  };

  const grpcServers: grpc.Server[] = [];
  const listeners: GrpcListener[] = [];
  let httpServer: HttpServer | undefined;
  let grpcAddress: string | null = null;
  let httpAddress: string | null = null;
  const cleanup = (): void => {
    for (const l of listeners) l.stopAccepting();
    for (const s of grpcServers) s.forceShutdown();
    for (const l of listeners) l.destroyConnections();
    httpServer?.closeAllConnections();
    httpServer?.close();
  };
  try {
    if (options.listen) {
      const server = makeGrpcServer("grpc", options.token || undefined);
      grpcServers.push(server);
      const listener = await GrpcListener.listen(server, parseHostPort(options.listen));
      listeners.push(listener);
      grpcAddress = listener.address;
    }
    if (options.socketPath) {
      const server = makeGrpcServer("grpc-uds", undefined);
      grpcServers.push(server);
      listeners.push(await GrpcListener.listen(server, { path: options.socketPath, mode: options.socketMode }));
    }
    if (options.httpListen) {
      const handler = createHttpHandler({
        services: instrumented("connect"),
        routes: options.httpRoutes ?? [],
        token: options.token || undefined,
        allowedHosts: options.allowedHosts,
        registry: options.registry,
        logger,
        isServing: () => serving,
        startupPending: options.startup ? () => options.startup!.pending() : undefined,
        shutdownSignal: forcedShutdown.signal,
      });
      httpServer = createServer(handler);
      httpAddress = await listenHttp(httpServer, options.httpListen);
    }
  } catch (err) {
    cleanup();
    stopLoopMetric();
    throw err;
  }

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    serving = false;
    for (const name of ["", ...serviceNames]) health.setStatus(name, "NOT_SERVING");
    streamShutdown.abort();
    for (const l of listeners) l.stopAccepting();
    const grpcClosed = grpcServers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve())));
    const httpClosed = new Promise<void>((resolve) => {
      if (!httpServer) return resolve();
      httpServer.close(() => resolve());
      httpServer.closeIdleConnections();
    });
    const timers: NodeJS.Timeout[] = [];
    const after = <T>(ms: number, value: T): Promise<T> =>
      new Promise((resolve) => timers.push(setTimeout(() => resolve(value), ms)));
    const deadline = after(options.drainTimeoutMs ?? 10_000, "deadline" as const);
    const allClosed = Promise.all([...grpcClosed, httpClosed]).then(() => "closed" as const);
    const drained = await Promise.race([inFlight.whenIdle().then(() => "idle" as const), deadline]);
    if (drained === "deadline") logger.warn({ inFlight: inFlight.size }, "drain deadline passed; cancelling calls in flight");
    // No call of ours is left: what remains are idle client sessions (grpc-js clients leave on GOAWAY at once,
    // grpcio ones only seconds later) and health/reflection streams. A short grace lets the last responses
    // flush, then sessions are cut.
    const closed = drained === "deadline" ? drained : await Promise.race([allClosed, deadline, after(IDLE_SESSION_GRACE_MS, "grace" as const)]);
    for (const timer of timers) clearTimeout(timer);
    if (closed !== "closed") {
      forcedShutdown.abort();
      for (const s of grpcServers) s.forceShutdown();
      httpServer?.closeAllConnections();
    }
    // Connections the peer left half-open after GOAWAY; every session on them is done by now.
    for (const l of listeners) l.destroyConnections();
    stopLoopMetric();
    logger.info({ forced: closed !== "closed", reason: closed }, "servers closed");
  };

  return {
    grpcAddress,
    socketPath: options.socketPath ?? null,
    httpAddress,
    setServing: (service, on) => health.setStatus(service, on ? "SERVING" : "NOT_SERVING"),
    close: () => (closing ??= close()),
  };
}
