// The simulator's own endpoints under /sim/v1 (never fault-injected, never delayed): member snapshot, join,
// unjoin, Ready toggling and the fault settings, so that a test or a benchmark in another process can drive
// what `Sim` offers in-process.
import type { IncomingMessage, ServerResponse } from "node:http";
import { InvalidArgumentError } from "../../core/errors.js";
import { ApiError, badRequest, methodNotAllowed, pathNotFound } from "../api-error.js";
import type { ClusterConfig } from "../config.js";
import { readBody, sendJson } from "./respond.js";

export interface AdminControl {
  snapshot(): unknown;
  addCluster(spec: ClusterConfig): void;
  removeCluster(name: string): boolean;
  setClusterReady(name: string, ready: boolean): boolean;
  faults(): { failRate: number; latencyMs: number };
  setFailRate(rate: number): void;
  setLatency(ms: number): void;
}

function parseBool(v: unknown): boolean | undefined {
  if (v === true || v === "true" || v === "1") return true;
  if (v === false || v === "false" || v === "0") return false;
  return undefined;
}

function clusterNotFound(name: string): ApiError {
  return new ApiError(404, "NotFound", `member cluster "${name}" not found`, { name, kind: "clusters", group: "cluster.karmada.io" });
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, control: AdminControl): Promise<void> {
  const parts = url.pathname.split("/").filter(Boolean).slice(2); // after /sim/v1
  const method = req.method ?? "GET";
  try {
    if (parts[0] === "clusters") {
      const name = parts[1] ? decodeURIComponent(parts[1]) : undefined;
      if (!name) {
        if (method === "GET") return sendJson(res, 200, { clusters: control.snapshot() });
        if (method === "POST") {
          const body = (await readBody(req)) as ClusterConfig | undefined;
          if (!body || typeof body !== "object") throw badRequest("body must be a cluster: {name, cpu, memory, gpus, region, labels}");
          try {
            control.addCluster(body);
          } catch (err) {
            if (err instanceof InvalidArgumentError) throw badRequest(err.message);
            throw new ApiError(409, "AlreadyExists", err instanceof Error ? err.message : String(err));
          }
          return sendJson(res, 201, { added: body.name });
        }
        throw methodNotAllowed();
      }
      if (parts.length === 2 && method === "DELETE") {
        if (!control.removeCluster(name)) throw clusterNotFound(name);
        return sendJson(res, 200, { removed: name });
      }
      if (parts.length === 3 && parts[2] === "ready" && (method === "POST" || method === "PUT")) {
        const body = (await readBody(req)) as { ready?: unknown } | undefined;
        const value = parseBool(url.searchParams.get("value") ?? body?.ready);
        if (value === undefined) throw badRequest("give ?value=true|false or a body {\"ready\": true|false}");
        if (!control.setClusterReady(name, value)) throw clusterNotFound(name);
        return sendJson(res, 200, { name, ready: value });
      }
      throw pathNotFound();
    }
    if (parts[0] === "faults" && parts.length === 1) {
      if (method === "GET") return sendJson(res, 200, control.faults());
      if (method === "POST" || method === "PUT") {
        const body = ((await readBody(req)) ?? {}) as { failRate?: unknown; latencyMs?: unknown };
        const rate = url.searchParams.get("failRate") ?? body.failRate;
        const latency = url.searchParams.get("latencyMs") ?? body.latencyMs;
        const r = rate === undefined ? undefined : Number(rate);
        const l = latency === undefined ? undefined : Number(latency);
        if (r !== undefined && !(r >= 0 && r <= 1)) throw badRequest("failRate must be between 0 and 1");
        if (l !== undefined && !(l >= 0 && Number.isFinite(l))) throw badRequest("latencyMs must be a non-negative number");
        if (r !== undefined) control.setFailRate(r);
        if (l !== undefined) control.setLatency(l);
        return sendJson(res, 200, control.faults());
      }
      throw methodNotAllowed();
    }
    throw pathNotFound();
  } catch (err) {
    if (err instanceof ApiError) return sendJson(res, err.code, err.toStatus());
    throw err;
  }
}
