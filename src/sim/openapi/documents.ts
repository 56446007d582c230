// The /openapi/v2 and /openapi/v3 documents of the simulated API server, built once at start from what it
// serves: the CRD schemas of the catalog (the same ones admission enforces), Karmada's swagger definitions for
// cluster.karmada.io, and the built-in kinds of builtin.ts. kubectl reads /openapi/v3 to learn that the server
// validates fields itself (a PATCH operation per kind with the fieldValidation parameter) and for `explain`.
import { createHash } from "node:crypto";
import type { ResourceRegistry, ResourceType } from "../resources.js";
import type { SchemaCatalog, SwaggerDefinitions } from "../schema/catalog.js";
import { BUILTIN_COMPONENTS, BUILTIN_KINDS, OBJECT_META, REF_PREFIX, type OpenApiSchema } from "./builtin.js";
import { KUBERNETES_VERSION } from "../http/discovery.js";
import type { TypeInfo } from "../ssa/fields.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface OpenApiDocuments {
  /** GET /openapi/v3: the group versions and where their documents are. */
  v3Root(): Json;
  /** GET /openapi/v3/<api/v1 | apis/G/V>, undefined for a group version not served. */
  v3(groupVersionPath: string): { doc: Json; etag: string } | undefined;
  /** GET /openapi/v2 (Swagger 2.0, JSON). */
  v2(): Json;
  /** A kind's schema with the components it refers to, for server-side apply's list and map semantics. */
  typeInfo(t: ResourceType): TypeInfo;
}

function reverseGroup(group: string): string {
  return group.split(".").reverse().join(".");
}

/** The document key of a group version: "api/v1" or "apis/<group>/<version>". */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Rewrites Swagger 2.0 `#/definitions/X` references to OpenAPI v3 `#/components/schemas/X`. */
function toV3Refs(v: Json): Json {
  if (Array.isArray(v)) return v.map(toV3Refs);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === "$ref" && typeof x === "string" ? x.replace("#/definitions/", REF_PREFIX) : toV3Refs(x);
  return out;
}

function refsIn(v: Json, into: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) refsIn(x, into);
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string" && x.startsWith(REF_PREFIX)) into.add(x.slice(REF_PREFIX.length));
      else refsIn(x, into);
    }
  }
}

function swaggerNameOf(defs: SwaggerDefinitions, t: ResourceType): string | undefined {
  for (const [name, def] of Object.entries(defs)) {
    const gvks = (def["x-kubernetes-group-version-kind"] ?? []) as { group?: string; version?: string; kind?: string }[];
    if (gvks.some((g) => (g.group ?? "") === t.group && g.version === t.version && g.kind === t.kind)) return name;
  }
  return undefined;
}

const metadataRef: OpenApiSchema = { allOf: [{ $ref: REF_PREFIX + OBJECT_META }], description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" } as OpenApiSchema;

class Builder {
  private readonly swagger: Record<string, OpenApiSchema>;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly catalog: SchemaCatalog,
  ) {
    this.swagger = toV3Refs(catalog.swagger) as Record<string, OpenApiSchema>;
  }

  /** The component name and schema of a served kind. */
  kindSchema(t: ResourceType): [string, OpenApiSchema] {
    const gvk = { "x-kubernetes-group-version-kind": [{ group: t.group, version: t.version, kind: t.kind }] };
    const builtin = BUILTIN_KINDS[`${t.group}/${t.version}/${t.kind}`];
    if (builtin) return [builtin, BUILTIN_COMPONENTS[builtin]!];
    const name = `${reverseGroup(t.group)}.${t.version}.${t.kind}`;
    const crd = this.catalog.schemaOf(t.group, t.version, t.kind);
    if (crd) {
      const s = structuredClone(crd) as OpenApiSchema;
      s.properties = { ...s.properties, metadata: metadataRef };
      return [name, { ...s, ...gvk }];
    }
    const fromSwagger = swaggerNameOf(this.catalog.swagger, t);
    if (fromSwagger) return [fromSwagger, this.swagger[fromSwagger]!];
    // No definition (permissive simulator, or a kind Karmada does not define): an open object.
    return [
      name,
      {
        type: "object",
        description: `${t.kind} (no schema loaded: any fields are accepted)`,
        properties: { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: metadataRef },
        "x-kubernetes-preserve-unknown-fields": true,
        ...gvk,
      } as OpenApiSchema,
    ];
  }

  /** Components needed by `roots`: the named schemas and everything they reference. */
  closure(roots: Map<string, OpenApiSchema>): Record<string, OpenApiSchema> {
    const out: Record<string, OpenApiSchema> = {};
    const todo = [...roots.keys()];
    while (todo.length) {
      const name = todo.pop()!;
      if (out[name]) continue;
      const s = roots.get(name) ?? (this.swagger[OBJECT_META] && name === OBJECT_META ? this.swagger[name] : BUILTIN_COMPONENTS[name] ?? this.swagger[name]);
      if (!s) continue;
      out[name] = s;
      const refs = new Set<string>();
      refsIn(s, refs);
      todo.push(...refs);
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  groupVersions(): { group: string; version: string }[] {
    const seen = new Map<string, { group: string; version: string }>();
    for (const t of this.registry.types) seen.set(groupVersionPath(t.group, t.version), { group: t.group, version: t.version });
    return [...seen.values()];
  }

  v3Doc(group: string, version: string): Json {
    const types = this.registry.inGroupVersion(group, version);
    const roots = new Map<string, OpenApiSchema>();
    const paths: Record<string, Json> = {};
    for (const t of types) {
      const [name, schema] = this.kindSchema(t);
      roots.set(name, schema);
      if (t.subresources.includes("scale")) roots.set(BUILTIN_KINDS["autoscaling/v1/Scale"]!, BUILTIN_COMPONENTS[BUILTIN_KINDS["autoscaling/v1/Scale"]!]!);
      Object.assign(paths, pathsOf(t, name));
    }
    return {
      openapi: "3.0.0",
      info: { title: "Kubernetes", version: KUBERNETES_VERSION.gitVersion },
      paths,
      components: { schemas: this.closure(roots) },
    };
  }
}

const PARAM = (name: string, description: string, type = "string") => ({ name, in: "query", description, schema: { type, uniqueItems: true } });
const DRY_RUN = PARAM("dryRun", "When present, indicates that modifications should not be persisted. Valid value: All.");
const FIELD_MANAGER = PARAM("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes.");
const FIELD_VALIDATION = PARAM("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default) and Strict.");
const FORCE = PARAM("force", "Force is going to \"force\" Apply requests: it re-acquires conflicting fields owned by other managers. Only for apply patches.", "boolean");
const PATH_PARAM = (name: string) => ({ name, in: "path", required: true, description: `${name} of the object`, schema: { type: "string", uniqueItems: true } });
const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

function pathsOf(t: ResourceType, component: string): Record<string, Json> {
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const ns = t.namespaced ? "/namespaces/{namespace}" : "";
  const ref = { $ref: REF_PREFIX + component };
  const gvk = (kind = t.kind, group = t.group, version = t.version) => ({ group, version, kind });
  const body = (schema: Json) => ({ content: { "application/json": { schema } }, required: true });
  const ok = (schema: Json) => ({ "200": { description: "OK", content: { "application/json": { schema } } } });
  const op = (action: string, extra: Json, kind?: Json) => ({
    operationId: `${action}${t.kind}`,
    ...extra,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": kind ?? gvk(),
  });
  const patchOp = (schema: Json, kind?: Json) =>
    op("patch", {
      parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
      requestBody: { content: Object.fromEntries(PATCH_TYPES.map((c) => [c, { schema: { type: "object" } }])), required: true },
      responses: ok(schema),
    }, kind);
  const item = `${base}${ns}/${t.plural}/{name}`;
  const pathParams = t.namespaced ? [PATH_PARAM("name"), PATH_PARAM("namespace")] : [PATH_PARAM("name")];
  const out: Record<string, Json> = {};
  const readOnly = t.readOnly === true;
  out[`${base}${ns}/${t.plural}`] = {
    get: op("list", { responses: ok({ type: "object" }) }),
    ...(readOnly ? {} : { post: op("post", { parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], requestBody: body(ref), responses: ok(ref) }) }),
    ...(t.namespaced ? { parameters: [PATH_PARAM("namespace")] } : {}),
  };
  if (t.namespaced) out[`${base}/${t.plural}`] = { get: op("list", { operationId: `list${t.kind}ForAllNamespaces`, responses: ok({ type: "object" }) }) };
  out[item] = {
    get: op("get", { responses: ok(ref) }),
    ...(readOnly
      ? {}
      : {
          put: op("put", { parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], requestBody: body(ref), responses: ok(ref) }),
          patch: patchOp(ref),
          delete: op("delete", { parameters: [DRY_RUN], responses: ok({ type: "object" }) }),
        }),
    parameters: pathParams,
  };
  for (const sub of t.subresources) {
    const scale = sub === "scale";
    const kind = scale ? gvk("Scale", "autoscaling", "v1") : gvk();
    const schema = scale ? { $ref: REF_PREFIX + BUILTIN_KINDS["autoscaling/v1/Scale"] } : ref;
    out[`${item}/${sub}`] = {
      get: op("get", { operationId: `read${t.kind}${sub}`, responses: ok(schema) }, kind),
      ...(readOnly
        ? {}
        : {
            put: op("put", { operationId: `replace${t.kind}${sub}`, parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], requestBody: body(schema), responses: ok(schema) }, kind),
            patch: { ...patchOp(schema, kind), operationId: `patch${t.kind}${sub}` },
          }),
      parameters: pathParams,
    };
  }
  return out;
}

/** Swagger 2.0 form of an OpenAPI v3 fragment: `#/definitions/` references, body parameters, flat params. */
function toV2(v: Json): Json {
  if (Array.isArray(v)) return v.map(toV2);
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "$ref" && typeof x === "string") out[k] = x.replace(REF_PREFIX, "#/definitions/");
    else out[k] = toV2(x);
  }
  return out;
}

function v2Operation(op: Json): Json {
  if (!op || typeof op !== "object" || !op["x-kubernetes-action"]) return op;
  const { requestBody, responses, parameters = [], ...rest } = op;
  const params = parameters.map((p: Json) => ({ name: p.name, in: p.in, description: p.description, type: p.schema?.type, uniqueItems: true, ...(p.required ? { required: true } : {}) }));
  if (requestBody) params.unshift({ name: "body", in: "body", required: true, schema: toV2(Object.values(requestBody.content as Record<string, Json>)[0].schema) });
  const out: Json = { ...rest, parameters: params, responses: { "200": { description: "OK", schema: toV2(responses["200"].content["application/json"].schema) } } };
  if (requestBody) out.consumes = Object.keys(requestBody.content);
  out.produces = ["application/json", "application/yaml"];
  return out;
}

export function buildOpenApi(registry: ResourceRegistry, catalog: SchemaCatalog): OpenApiDocuments {
  const builder = new Builder(registry, catalog);
  const docs = new Map<string, { doc: Json; etag: string }>();
  for (const { group, version } of builder.groupVersions()) {
    const doc = builder.v3Doc(group, version);
    const hash = createHash("sha512").update(JSON.stringify(doc)).digest("hex").toUpperCase();
    docs.set(groupVersionPath(group, version), { doc, etag: hash });
  }
  let v2: Json;
  const infos = new Map<ResourceType, TypeInfo>();
  return {
    typeInfo(t) {
      let info = infos.get(t);
      if (!info) {
        const [name, root] = builder.kindSchema(t);
        infos.set(t, (info = { root, components: builder.closure(new Map([[name, root]])) }));
      }
      return info;
    },
    v3Root: () => ({ paths: Object.fromEntries([...docs].map(([key, d]) => [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${d.etag}` }])) }),
    v3: (key) => docs.get(key),
    v2() {
      if (v2) return v2;
      const definitions: Record<string, Json> = {};
      const paths: Record<string, Json> = {};
      for (const { doc } of docs.values()) {
        Object.assign(definitions, toV2(doc.components.schemas));
        for (const [p, item] of Object.entries(doc.paths as Record<string, Json>)) {
          paths[p] = Object.fromEntries(
            Object.entries(item).map(([verb, o]) => [verb, verb === "parameters" ? (o as Json[]).map((x) => ({ name: x.name, in: x.in, required: true, type: "string", uniqueItems: true })) : v2Operation(o)]),
          );
        }
      }
      v2 = { swagger: "2.0", info: { title: "Kubernetes", version: KUBERNETES_VERSION.gitVersion }, paths, definitions };
      return v2;
    },
  };
}
