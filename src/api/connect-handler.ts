// connect-node's request handler, with one answer corrected: a binary (application/proto) body that does not
// decode, invalid UTF-8 in a string field included, comes back from connect as `internal` ("parse binary: …"),
// where the gRPC listeners and Connect JSON answer INVALID_ARGUMENT. The unary answer is rewritten to the
// same INVALID_ARGUMENT (with its BadRequest detail) the gRPC path gives; everything else is connect-node's
// own adapter, repeated here because it offers no hook between handler and response.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Code, ConnectError, createConnectRouter, type ConnectRouter, type ConnectRouterOptions } from "@connectrpc/connect";
import { codeToHttpStatus, errorFromJsonBytes, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { createAsyncIterable, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";
import { toConnectError } from "./errors.js";
import { checkRequestStrings, UndecodableRequest } from "./request-strings.js";
import type { Logger } from "../observability/logger.js";

export interface ConnectHandlerOptions extends ConnectRouterOptions {
  routes(router: ConnectRouter): void;
  logger: Logger;
}

export function createConnectHandler(options: ConnectHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const router = createConnectRouter({ acceptCompression: [compressionGzip, compressionBrotli], ...options });
  options.routes(router);
  const paths = new Map(router.handlers.map((h) => [h.requestPath, h]));
  return (req, res) => {
    const handler = paths.get((req.url ?? "").split("?", 2)[0]!);
    if (!handler) {
      res.writeHead(404);
      res.end();
      return;
    }
    const binary = /^application\/proto\b/i.test(req.headers["content-type"] ?? "");
    handler(universalRequestFromNodeRequest(req, res, undefined, undefined))
      .then(async (answer) => universalResponseToNodeResponse(binary ? await undecodableAsInvalid(answer, options.logger, handler.method.name) : answer, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        options.logger.error({ err: reason, rpc: `${handler.service.typeName}/${handler.method.name}` }, "Connect handler failed");
      });
  };
}

async function undecodableAsInvalid(answer: UniversalServerResponse, logger: Logger, where: string): Promise<UniversalServerResponse> {
  const body = answer.body;
  if (answer.status !== codeToHttpStatus(Code.Internal) || answer.header?.has("content-encoding")) return answer;
  if (!body || typeof body !== "object" || !(Symbol.asyncIterator in body)) return answer;
  // An error answer: one small JSON chunk.
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const unchanged = { ...answer, body: createAsyncIterable([new Uint8Array(bytes)]) };
  let error: ConnectError;
  try {
    error = errorFromJsonBytes(bytes, undefined, new ConnectError("", Code.Internal));
  } catch {
    return unchanged;
  }
  if (error.code !== Code.Internal || !error.rawMessage.startsWith("parse binary:")) return unchanged;
  let invalid: ConnectError;
  try {
    checkRequestStrings(new UndecodableRequest(error.rawMessage.slice("parse binary:".length).trim()));
    return unchanged;
  } catch (err) {
    invalid = toConnectError(err, logger, where);
  }
  const json = errorToJsonBytes(invalid, {});
  const header = new Headers(answer.header);
  header.set("content-length", String(json.byteLength));
  return { ...answer, status: codeToHttpStatus(invalid.code), header, body: createAsyncIterable([json]) };
}
