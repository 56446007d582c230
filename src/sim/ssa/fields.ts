// Field sets of server-side apply, in the terms of Kubernetes' structured-merge-diff: an object is a set of
// paths (f:<field>, k:<list-map key as JSON>, v:<set value as JSON>), each leaf with its value; list items of a
// list-map are members themselves (the "." of FieldsV1). The list and map semantics come from the kind's
// OpenAPI schema (x-kubernetes-list-type / list-map-keys / map-type, and patch-merge-key on the built-ins);
// where the schema says nothing, maps are granular and lists atomic, as for custom resources.
import { deepEqual } from "../patch.js";
import type { OpenApiSchema } from "../openapi/builtin.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const SEP = "\u0001";

export interface TypeInfo {
  root: OpenApiSchema | undefined;
  components: Record<string, OpenApiSchema>;
}

/** Leaf paths (joined by SEP) to their values; list-map items map to `true`. */
export type FieldValues = Map<string, Json>;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Follows $ref and a lone allOf [$ref] (how OpenAPI documents attach descriptions to references). */
export function deref(info: TypeInfo, s: OpenApiSchema | undefined): OpenApiSchema | undefined {
  for (let i = 0; s && i < 8; i++) {
    const ref = typeof s.$ref === "string" ? s.$ref : Array.isArray(s.allOf) && s.allOf.length === 1 && !s.type && !s.properties ? s.allOf[0]?.$ref : undefined;
    if (typeof ref !== "string") return s;
    s = info.components[ref.slice(ref.lastIndexOf("/") + 1)];
  }
  return s;
}

export type ListKind = { kind: "atomic" } | { kind: "set" } | { kind: "map"; keys: string[] };

export function listKind(s: OpenApiSchema | undefined): ListKind {
  const type = s?.["x-kubernetes-list-type"];
  if (type === "set") return { kind: "set" };
  if (type === "map" && Array.isArray(s?.["x-kubernetes-list-map-keys"])) return { kind: "map", keys: s["x-kubernetes-list-map-keys"] };
  if (!type && typeof s?.["x-kubernetes-patch-merge-key"] === "string") return { kind: "map", keys: [s["x-kubernetes-patch-merge-key"]] };
  return { kind: "atomic" };
}

export function isAtomicMap(s: OpenApiSchema | undefined): boolean {
  return s?.["x-kubernetes-map-type"] === "atomic";
}

/** The schema of field `key` of an object node, undefined when the schema does not name it. */
export function childSchema(s: OpenApiSchema | undefined, key: string): OpenApiSchema | undefined {
  if (!s) return undefined;
  if (s.properties?.[key]) return s.properties[key];
  if (isObject(s.additionalProperties)) return s.additionalProperties;
  return undefined;
}

/** Whether an unknown field of this node is kept (schema-less or open): otherwise the server pruned it. */
function keepsUnknown(s: OpenApiSchema | undefined): boolean {
  return !s || (!s.properties && !s.additionalProperties) || s["x-kubernetes-preserve-unknown-fields"] === true || s.additionalProperties === true;
}

export function keyOf(item: Json, keys: string[]): string {
  const k: Record<string, Json> = {};
  for (const name of [...keys].sort()) if (isObject(item) && item[name] !== undefined) k[name] = item[name];
  return `k:${JSON.stringify(k)}`;
}

export function join(path: string, pe: string): string {
  return path ? path + SEP + pe : pe;
}

export function split(path: string): string[] {
  return path ? path.split(SEP) : [];
}

/** Metadata fields the server owns: never part of anyone's field set. */
const SERVER_META = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "managedFields", "selfLink", "generateName"]);

/**
 * Leaf values of an object's fields. `scope` chooses the part: the main resource (everything but status) or
 * the status subresource; apiVersion, kind and server-set metadata are never part of a field set.
 */
export function fieldValues(info: TypeInfo, obj: Json, scope: "main" | "status" = "main"): FieldValues {
  const out: FieldValues = new Map();
  const root = deref(info, info.root);
  for (const [k, v] of Object.entries(isObject(obj) ? obj : {})) {
    if (k === "apiVersion" || k === "kind" || (scope === "main") === (k === "status")) continue;
    const s = deref(info, childSchema(root, k));
    if (k === "metadata" && isObject(v)) {
      for (const [m, x] of Object.entries(v)) if (!SERVER_META.has(m)) walk(info, x, deref(info, childSchema(s, m)), join(join("", "f:metadata"), `f:${m}`), out);
      continue;
    }
    if (!s && !keepsUnknown(root)) continue;
    walk(info, v, s, `f:${k}`, out);
  }
  return out;
}

function walk(info: TypeInfo, v: Json, s: OpenApiSchema | undefined, path: string, out: FieldValues): void {
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (isAtomicMap(s) || keys.length === 0 || s?.["x-kubernetes-int-or-string"]) {
      out.set(path, v);
      return;
    }
    for (const k of keys) {
      const sub = deref(info, childSchema(s, k));
      if (!sub && !keepsUnknown(s)) continue; // pruned by the server
      walk(info, v[k], sub, join(path, `f:${k}`), out);
    }
    return;
  }
  if (Array.isArray(v)) {
    const lk = listKind(s);
    const items = deref(info, s?.items);
    if (lk.kind === "set") {
      for (const x of v) out.set(join(path, `v:${JSON.stringify(x)}`), x);
      return;
    }
    if (lk.kind === "map" && v.every(isObject)) {
      for (const item of v) {
        const here = join(path, keyOf(item, lk.keys));
        out.set(here, true);
        for (const [k, x] of Object.entries(item as Record<string, Json>)) {
          const sub = deref(info, childSchema(items, k));
          if (!sub && !keepsUnknown(items)) continue;
          walk(info, x, sub, join(here, `f:${k}`), out);
        }
      }
      return;
    }
  }
  out.set(path, v);
}

// --- FieldsV1 (the JSON form of a field set stored in managedFields) ---

export function toFieldsV1(paths: Iterable<string>): Record<string, Json> {
  const root: Record<string, Json> = {};
  const all = [...paths];
  const members = new Set(all);
  for (const p of all) {
    let node = root;
    for (const pe of split(p)) node = node[pe] ??= {};
  }
  // A member that also has children is marked with "." (a list-map item, or a map some manager set whole).
  const mark = (node: Record<string, Json>, prefix: string) => {
    for (const [pe, child] of Object.entries(node)) {
      if (pe === ".") continue;
      const here = join(prefix, pe);
      if (Object.keys(child).length > 0) {
        if (members.has(here)) child["."] = {};
        mark(child, here);
      }
    }
  };
  mark(root, "");
  return sortKeys(root);
}

function sortKeys(node: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k of Object.keys(node).sort()) out[k] = sortKeys(node[k]);
  return out;
}

export function fromFieldsV1(fields: Json): Set<string> {
  const out = new Set<string>();
  const visit = (node: Json, prefix: string) => {
    if (!isObject(node)) return;
    const children = Object.keys(node).filter((k) => k !== ".");
    if (prefix && (children.length === 0 || "." in node)) out.add(prefix);
    for (const k of children) visit(node[k], join(prefix, k));
  };
  visit(fields, "");
  return out;
}

/** `.spec.template.spec.containers[name="web"].image`: how conflicts name a field. */
export function formatPath(path: string): string {
  let out = "";
  for (const pe of split(path)) {
    if (pe.startsWith("f:")) out += `.${pe.slice(2)}`;
    else if (pe.startsWith("k:")) {
      const k = JSON.parse(pe.slice(2)) as Record<string, Json>;
      out += `[${Object.entries(k).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(",")}]`;
    } else if (pe.startsWith("v:")) out += `[=${pe.slice(2)}]`;
    else out += `[${pe}]`;
  }
  return out;
}

export function sameValue(a: Json, b: Json): boolean {
  return deepEqual(a, b);
}
