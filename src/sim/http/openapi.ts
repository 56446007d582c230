// GET /openapi/v2 and /openapi/v3[/<group version>]. kubectl asks /openapi/v2 for the gnostic protobuf form
// only (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf), which the simulator does not
// encode: it answers 406, on which kubectl falls back to its own knowledge of built-in kinds (patches) and
// uses /openapi/v3 for everything else (validation, explain). JSON clients get the Swagger 2.0 document.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, pathNotFound } from "../api-error.js";
import type { OpenApiDocuments } from "../openapi/documents.js";
import { sendJson } from "./respond.js";

function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(",").some((part) => {
    const type = part.split(";")[0]!.trim().toLowerCase();
    return type === "application/json" || type === "*/*" || type === "application/*";
  });
}

export function handleOpenApi(req: IncomingMessage, res: ServerResponse, segs: string[], docs: OpenApiDocuments): void {
  if (req.method !== "GET" && req.method !== "HEAD") throw new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  if (!acceptsJson(req.headers.accept)) {
    throw new ApiError(406, "NotAcceptable", `only the following media types are accepted: application/json (the simulator does not encode OpenAPI as protobuf)`);
  }
  const version = segs[1];
  if (version === "v2" && segs.length === 2) return sendJson(res, 200, docs.v2());
  if (version !== "v3") throw pathNotFound();
  if (segs.length === 2) return sendJson(res, 200, docs.v3Root());
  const found = docs.v3(segs.slice(2).join("/"));
  if (!found) throw pathNotFound();
  // Documents never change while the simulator runs: clients may cache them by the hash in their URL.
  const etag = `"${found.etag}"`;
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { ETag: etag });
    res.end();
    return;
  }
  sendJson(res, 200, found.doc, "application/json", { ETag: etag });
}
