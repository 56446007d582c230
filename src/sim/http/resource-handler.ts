// Maps Kubernetes REST paths and verbs to ApiOperations:
//   /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]
//   /apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, badRequest, methodNotAllowed, pathNotFound, statusObject } from "../api-error.js";
import { defaultManager, type ApiOperations } from "../operations.js";
import { patchTypeOf } from "../patch.js";
import { parseFieldValidation, type Admission } from "../schema/admission.js";
import { NAMESPACES, apiVersionOf, type ResourceRegistry, type ResourceType } from "../resources.js";
import type { KObject, ObjectStore } from "../store.js";
import { readBody, sendJson } from "./respond.js";
import { tableFor, wantsTable } from "./table.js";
import { serveWatch } from "./watch.js";

export interface ResourcePath {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Parses the segments after /api/v1 or /apis/G/V; undefined when no served resource matches. */
export function parseResourcePath(registry: ResourceRegistry, group: string, version: string, rest: string[]): ResourcePath | undefined {
  if (rest.length >= 3 && rest[0] === "namespaces") {
    const t = registry.find(group, version, rest[2]!);
    if (t?.namespaced) {
      if (rest.length > 5) return undefined;
      return { type: t, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
  }
  const t = registry.find(group, version, rest[0] ?? "");
  if (!t || rest.length > 3) return undefined;
  // A namespaced resource is addressed by name only under /namespaces/NS.
  if (t.namespaced && rest.length > 1) return undefined;
  return { type: t, name: rest[1], subresource: rest[2] };
}

export interface ResourceContext {
  registry: ResourceRegistry;
  store: ObjectStore;
  ops: ApiOperations;
  trackWatch(close: () => void): () => void;
}

function listOf(t: ResourceType, items: KObject[], resourceVersion: string): KObject {
  return { kind: t.listKind, apiVersion: apiVersionOf(t), metadata: { resourceVersion }, items };
}

export async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, p: ResourcePath, ctx: ResourceContext): Promise<void> {
  const { type: t, namespace, name, subresource } = p;
  const q = url.searchParams;
  const method = req.method ?? "GET";
  const dryRun = q.getAll("dryRun").includes("All");
  const admission: Admission = { fieldValidation: parseFieldValidation(q.get("fieldValidation")), warnings: [] };
  const fieldManager = q.get("fieldManager") ?? undefined;
  if (fieldManager !== undefined && (fieldManager.length > 128 || fieldManager === "")) throw badRequest("fieldManager must be 1 to 128 characters");
  const force = parseForce(q.get("force"));
  // Writes without a fieldManager are recorded under the user agent's name, as kube-apiserver does; an apply
  // must name its manager.
  const manager = fieldManager ?? defaultManager(req.headers["user-agent"]);
  // Unknown fields dropped under fieldValidation=Warn reach the client as Warning headers, as kubectl prints them.
  const send = (code: number, body: unknown) => sendJson(res, code, body, "application/json", warningHeaders(admission.warnings));
  const table = wantsTable(req.headers.accept) ? q.get("includeObject") ?? "PartialObjectMetadata" : undefined;
  const render = (o: KObject, withColumns = true) => (table ? tableFor(t, [o], String(o.metadata.resourceVersion), table, withColumns) : o);

  if (subresource !== undefined && !(t.subresources as string[]).includes(subresource)) throw pathNotFound();

  if (name === undefined) {
    // Collection.
    if (method === "GET") {
      const watch = q.get("watch");
      if (watch === "1" || watch === "true") {
        const timeout = q.get("timeoutSeconds");
        let untrack: () => void = () => {};
        const handle = serveWatch(
          req,
          res,
          ctx.store,
          {
            type: t,
            namespace,
            labelSelector: q.get("labelSelector"),
            fieldSelector: q.get("fieldSelector"),
            resourceVersion: q.get("resourceVersion"),
            timeoutSeconds: timeout ? Number(timeout) : undefined,
            sendInitialEvents: q.get("sendInitialEvents") === "true",
            render: table ? (o) => render(o, false) : undefined,
          },
          () => untrack(),
        );
        untrack = ctx.trackWatch(() => handle.close());
        return;
      }
      const list = ctx.ops.list(t, namespace, { labelSelector: q.get("labelSelector"), fieldSelector: q.get("fieldSelector") });
      if (table) return sendJson(res, 200, tableFor(t, list.items, list.resourceVersion, table, true));
      return sendJson(res, 200, listOf(t, list.items, list.resourceVersion));
    }
    if (method === "POST") {
      const created = ctx.ops.create(t, namespace, await readBody(req), { dryRun, admission, fieldManager: manager });
      return send(201, render(created));
    }
    if (method === "DELETE") {
      if (t.readOnly) throw methodNotAllowed();
      const list = ctx.ops.list(t, namespace, { labelSelector: q.get("labelSelector"), fieldSelector: q.get("fieldSelector") });
      const deleted = dryRun ? list.items : list.items.map((o) => ctx.ops.delete(t, o.metadata.namespace, o.metadata.name));
      if (!dryRun && t === NAMESPACES) for (const o of deleted) ctx.ops.purgeNamespace(ctx.registry.types, o.metadata.name);
      return sendJson(res, 200, listOf(t, deleted, String(ctx.store.currentRv())));
    }
    throw methodNotAllowed();
  }

  if (subresource === "scale") {
    if (method === "GET") return sendJson(res, 200, ctx.ops.getScale(t, namespace, name));
    if (method === "PUT") return sendJson(res, 200, ctx.ops.updateScale(t, namespace, name, await readBody(req), { dryRun, fieldManager: manager }));
    if (method === "PATCH") {
      const type = patchTypeOf(req.headers["content-type"]);
      if (!type) throw unsupportedPatch(req.headers["content-type"]);
      return sendJson(res, 200, ctx.ops.patchScale(t, namespace, name, type, await readBody(req), { dryRun, fieldManager: manager }));
    }
    throw methodNotAllowed();
  }

  const opts = { dryRun, subresource: subresource as "status" | undefined, admission, fieldManager: manager, force };
  switch (method) {
    case "GET":
      return sendJson(res, 200, render(ctx.ops.get(t, namespace, name)));
    case "PUT":
      return send(200, render(ctx.ops.update(t, namespace, name, await readBody(req), opts)));
    case "PATCH": {
      const type = patchTypeOf(req.headers["content-type"]);
      if (!type) throw unsupportedPatch(req.headers["content-type"]);
      if (type === "apply") {
        const applied = ctx.ops.apply(t, namespace, name, await readBody(req), { ...opts, fieldManager });
        return send(applied.created ? 201 : 200, render(applied.object));
      }
      return send(200, render(ctx.ops.patch(t, namespace, name, type, await readBody(req), opts)));
    }
    case "DELETE": {
      if (subresource) throw methodNotAllowed();
      const body = (await readBody(req)) as KObject | undefined;
      const pre = body?.preconditions ?? {};
      const deleted = ctx.ops.delete(t, namespace, name, { uid: pre.uid, resourceVersion: pre.resourceVersion }, dryRun);
      if (!dryRun && t === NAMESPACES) ctx.ops.purgeNamespace(ctx.registry.types, name);
      // Objects without finalizers go at once; the API server then answers with the deleted object.
      return sendJson(res, 200, deleted ?? statusObject("Success", 200, undefined, undefined, { name, kind: t.plural }));
    }
    default:
      throw methodNotAllowed();
  }
}

/** `Warning: 299 - "text"` per warning (RFC 7234 warn-code 299, as kube-apiserver sends them). */
function warningHeaders(warnings: string[]): Record<string, string> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(", ") };
}

function parseForce(value: string | null): boolean {
  if (value === null || value === "" || value === "false") return false;
  if (value === "true") return true;
  throw badRequest(`force must be true or false, got ${value}`);
}

function unsupportedPatch(contentType: string | undefined): ApiError {
  if (!contentType) return badRequest("the patch request must have a Content-Type");
  return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`);
}
