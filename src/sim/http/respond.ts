// Small HTTP helpers shared by the simulator's handlers: JSON responses, Status errors, request bodies.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { ApiError, badRequest } from "../api-error.js";
import { PROTOBUF_CONTENT_TYPE, decodeKubernetesProtobuf } from "../protobuf.js";

const MAX_BODY = 3 * 1024 * 1024; // the API server's request size limit

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json", headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { ...headers, "Content-Type": contentType, "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const api = err instanceof ApiError ? err : new ApiError(500, "InternalError", `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const retry = api.details?.retryAfterSeconds;
  sendJson(res, api.code, api.toStatus(), "application/json", retry ? { "Retry-After": String(retry) } : {});
}

export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, "RequestEntityTooLarge", "request entity too large");
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith(PROTOBUF_CONTENT_TYPE)) return raw.length === 0 ? undefined : decodeKubernetesProtobuf(raw);
  const text = raw.toString("utf8");
  if (!text.trim()) return undefined;
  try {
    return type.includes("yaml") ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`the request body could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}
