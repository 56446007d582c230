// The simulated API server's HTTP front: authentication, fault injection and routing to discovery, resources
// and the /sim/v1 admin endpoints. Faults (failRate, latency) apply only to resource requests; discovery,
// /version, health checks and the admin endpoints always answer, so that clients can start and tests can
// always reach the control knobs.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ApiError, badRequest, pathNotFound } from "../api-error.js";
import type { ResourceRegistry } from "../resources.js";
import type { ApiOperations } from "../operations.js";
import type { ObjectStore } from "../store.js";
import { handleAdmin, type AdminControl } from "./admin.js";
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregated,
} from "./discovery.js";
import { handleOpenApi } from "./openapi.js";
import { handleResource, parseResourcePath, type ResourcePath } from "./resource-handler.js";
import type { OpenApiDocuments } from "../openapi/documents.js";
import { sendError, sendJson } from "./respond.js";

export interface FaultSettings {
  failRate: number;
  latencyMs: number;
}

export interface ServerDeps {
  registry: ResourceRegistry;
  store: ObjectStore;
  ops: ApiOperations;
  openapi: OpenApiDocuments;
  admin: AdminControl;
  faults: FaultSettings;
  random: () => number;
  token?: string;
  onRequest?: (method: string, path: string, code: number) => void;
}

export interface ApiServer {
  server: Server;
  /** Ends open watch streams (so that close() does not wait for clients). */
  closeWatches(): void;
}

const HEALTH = new Set(["/healthz", "/livez", "/readyz"]);

export function createApiServer(deps: ServerDeps): ApiServer {
  const watches = new Set<() => void>();
  const trackWatch = (close: () => void) => {
    watches.add(close);
    return () => watches.delete(close);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://sim.invalid");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (HEALTH.has(path)) {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    if (deps.token !== undefined && req.headers.authorization !== `Bearer ${deps.token}`) {
      throw new ApiError(401, "Unauthorized", "Unauthorized");
    }
    if (path.startsWith("/sim/v1/") || path === "/sim/v1") return handleAdmin(req, res, url, deps.admin);
    if (path === "/version") return sendJson(res, 200, versionInfo());
    let segs: string[];
    try {
      segs = path.split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      throw badRequest(`malformed path ${path}`);
    }
    const aggregated = wantsAggregated(req.headers.accept);

    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === "api") {
      if (segs.length === 1) {
        if (aggregated) return sendJson(res, 200, aggregatedDiscovery(deps.registry, true), AGGREGATED_CONTENT_TYPE);
        return sendJson(res, 200, apiVersions(req.headers.host ?? "127.0.0.1"));
      }
      if (segs[1] !== "v1") throw pathNotFound();
      group = "";
      version = "v1";
      rest = segs.slice(2);
    } else if (segs[0] === "apis") {
      if (segs.length === 1) {
        if (aggregated) return sendJson(res, 200, aggregatedDiscovery(deps.registry, false), AGGREGATED_CONTENT_TYPE);
        return sendJson(res, 200, apiGroupList(deps.registry));
      }
      if (segs.length === 2) {
        const g = apiGroup(deps.registry, segs[1]!);
        if (!g) throw pathNotFound();
        return sendJson(res, 200, g);
      }
      group = segs[1]!;
      version = segs[2]!;
      rest = segs.slice(3);
    } else if (segs[0] === "openapi") {
      return handleOpenApi(req, res, segs, deps.openapi);
    } else {
      throw pathNotFound();
    }
    if (rest.length === 0) {
      const list = apiResourceList(deps.registry, group, version);
      if (!list) throw pathNotFound();
      return sendJson(res, 200, list);
    }
    const target: ResourcePath | undefined = parseResourcePath(deps.registry, group, version, rest);
    if (!target) throw pathNotFound();
    if (deps.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, deps.faults.latencyMs));
    if (deps.faults.failRate > 0 && deps.random() < deps.faults.failRate) {
      throw deps.random() < 0.5
        ? new ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request (injected fault)", { retryAfterSeconds: 1 })
        : new ApiError(500, "InternalError", "Internal error occurred: injected fault");
    }
    return handleResource(req, res, url, target, { registry: deps.registry, store: deps.store, ops: deps.ops, trackWatch });
  };

  const server = createServer((req, res) => {
    res.on("finish", () => deps.onRequest?.(req.method ?? "GET", req.url ?? "/", res.statusCode));
    handle(req, res).catch((err: unknown) => {
      // A request body still being sent must be drained or the client sees a reset instead of the Status.
      req.resume();
      sendError(res, err);
    });
  });
  server.keepAliveTimeout = 30_000;
  return {
    server,
    closeWatches() {
      for (const close of [...watches]) close();
    },
  };
}
