// The HTTP/1.1 port: the smo.v1 services in the Connect protocol (connect-node), GET /metrics, GET /healthz,
// and routes other parts register (POST /v1/alerts). Node 20 cannot serve HTTP/1.1 and h2c on one
// cleartext port, hence a port of its own beside gRPC.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Interceptor } from "@connectrpc/connect";
import type { Registry } from "prom-client";
import { connectAuthInterceptor, createTokenCheck, UNAUTHENTICATED_MESSAGE } from "./auth.js";
import type { ServiceRegistration } from "./registration.js";
import { HOST_REFUSED_MESSAGE, isHostAllowed, ORIGIN_REFUSED_MESSAGE } from "./http-guard.js";
import { BodyTurns, isLargeBody } from "./body-turns.js";
import { createConnectHandler } from "./connect-handler.js";
import type { Logger } from "../observability/logger.js";

export interface HttpRoute {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Exact path, e.g. /v1/alerts. */
  path: string;
  /** True: answered without the bearer token even when one is set (only /healthz is, by default). */
  public?: boolean;
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
}

export interface HttpHandlerOptions {
  /** Already instrumented impls. */
  services: readonly ServiceRegistration[];
  routes: readonly HttpRoute[];
  token?: string;
  /** Host names (besides loopback names and IP literals) the port answers to. */
  allowedHosts?: readonly string[];
  registry: Registry;
  logger: Logger;
  /** False once shutdown began: /healthz answers 503 so load balancers stop sending. */
  isServing(): boolean;
  /** Start-up steps still running after serving began; listed by /healthz as `starting` while any is left. */
  startupPending?(): readonly string[];
  /** Aborted at the drain deadline: in-flight Connect calls see it on their context signal. */
  shutdownSignal: AbortSignal;
}

/**
 * Largest request message the Connect port reads, as grpc-js's default receive limit (4 MiB) on the gRPC
 * listeners. connect-node's own default is ~4 GiB, which let any local client make smo buffer gigabytes.
 */
export const MAX_REQUEST_MESSAGE_BYTES = 4 * 1024 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** A refusal sent before the body is read: the connection closes rather than draining what the client sends. */
function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  res.shouldKeepAlive = false;
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ code, message }));
}

export function createHttpHandler(options: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const interceptors: Interceptor[] = options.token ? [connectAuthInterceptor(options.token)] : [];
  const isAuthorized = options.token ? createTokenCheck(options.token) : () => true;
  const builtin: HttpRoute[] = [
    {
      method: "GET",
      path: "/healthz",
      public: true,
      handle: (_req, res) => {
        const serving = options.isServing();
        const starting = options.startupPending?.() ?? [];
        sendJson(res, serving ? 200 : 503, { status: serving ? "SERVING" : "NOT_SERVING", ...(starting.length > 0 ? { starting } : {}) });
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handle: async (_req, res) => {
        const body = await options.registry.metrics();
        res.writeHead(200, { "content-type": options.registry.contentType });
        res.end(body);
      },
    },
  ];
  const routes = new Map<string, HttpRoute>();
  for (const route of [...builtin, ...options.routes]) routes.set(`${route.method} ${route.path}`, route);

  const connect = createConnectHandler({
    routes: (router) => {
      for (const { service, impl } of options.services) router.service(service, impl);
    },
    interceptors,
    readMaxBytes: MAX_REQUEST_MESSAGE_BYTES,
    shutdownSignal: options.shutdownSignal,
    logger: options.logger,
  });

  const allowedHosts = options.allowedHosts ?? [];
  const largeBodies = new BodyTurns();
  return (req, res) => {
    // Every check here runs on headers alone, before a byte of the body is read.
    if (!isHostAllowed(req.headers.host, allowedHosts)) return refuse(res, 403, "permission_denied", HOST_REFUSED_MESSAGE);
    if (req.headers.origin !== undefined) return refuse(res, 403, "permission_denied", ORIGIN_REFUSED_MESSAGE);
    const path = (req.url ?? "/").split("?")[0]!;
    const route = routes.get(`${req.method} ${path}`);
    // Connect routes too: the interceptor alone ran after connect-node had read and parsed the body (400, not 401).
    if (!route?.public && !isAuthorized(req.headers.authorization)) {
      return refuse(res, 401, "unauthenticated", UNAUTHENTICATED_MESSAGE);
    }
    if (!route) {
      if (isLargeBody(req)) largeBodies.run(req, res, () => connect(req, res));
      else connect(req, res);
      return;
    }
    Promise.resolve()
      .then(() => route.handle(req, res))
      .catch((err: unknown) => {
        options.logger.error({ err, route: route.path }, "HTTP route failed");
        if (!res.headersSent) sendJson(res, 500, { code: "internal", message: "internal error" });
        else res.destroy();
      });
  };
}
