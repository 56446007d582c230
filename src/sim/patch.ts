// The three PATCH flavours of the Kubernetes API: JSON merge patch (RFC 7386), JSON patch (RFC 6902, through
// fast-json-patch) and strategic merge patch, which merges lists by a key (containers by name, ports by port)
// and understands the `$patch`, `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList` directives that
// kubectl apply / set / edit send. Strategic merge keys come from the Kubernetes API types for the fields the
// simulated built-in resources have (Deployment, Service, Namespace).
import jsonpatch from "fast-json-patch";
import { badRequest, ApiError } from "./api-error.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** RFC 7386: objects merge recursively, null deletes, anything else (arrays too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902; a failed `test` or a bad path answers 422 / 400 like the API server. */
export function jsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw badRequest("json patch must be an array of operations");
  try {
    return jsonpatch.applyPatch(structuredClone(target), patch, true, true, true).newDocument;
  } catch (err) {
    const name = (err as { name?: string }).name;
    const message = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    if (name === "TEST_OPERATION_FAILED") throw new ApiError(422, "Invalid", `the json patch test operation failed: ${message}`);
    throw badRequest(`the json patch could not be applied: ${message}`);
  }
}

/** patchMergeKey of list fields, by dotted path of object keys (list positions are not part of the path). */
const MERGE_KEYS: Record<string, string> = {
  "metadata.ownerReferences": "uid",
  "status.conditions": "type",
  "spec.ports": "port", // Service
  "spec.template.spec.volumes": "name",
  "spec.template.spec.imagePullSecrets": "name",
  "spec.template.spec.hostAliases": "ip",
  "spec.template.spec.topologySpreadConstraints": "topologyKey",
};
for (const c of ["containers", "initContainers", "ephemeralContainers"]) {
  const p = `spec.template.spec.${c}`;
  MERGE_KEYS[p] = "name";
  MERGE_KEYS[`${p}.ports`] = "containerPort";
  MERGE_KEYS[`${p}.env`] = "name";
  MERGE_KEYS[`${p}.volumeMounts`] = "mountPath";
  MERGE_KEYS[`${p}.volumeDevices`] = "devicePath";
  MERGE_KEYS[`${p}.resizePolicy`] = "resourceName";
}
/** Primitive lists whose patch strategy is "merge" (union) rather than replace. */
const MERGED_PRIMITIVE_LISTS = new Set(["metadata.finalizers"]);

const SET_ORDER = "$setElementOrder/";
const DELETE_FROM = "$deleteFromPrimitiveList/";

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Removes directive keys from a value added as-is. */
function strip(v: Json): Json {
  if (Array.isArray(v)) return v.filter((x) => !(isObject(x) && x.$patch === "delete")).map(strip);
  if (!isObject(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith("$")) out[k] = strip(x);
  return out;
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) throw badRequest("strategic merge patch must be a JSON object");
  const out = mergeMap(isObject(target) ? target : {}, patch, "");
  if (out === undefined) throw badRequest("a strategic merge patch cannot delete the whole object");
  return out;
}

function mergeMap(orig: Record<string, Json>, patch: Record<string, Json>, path: string): Record<string, Json> | undefined {
  const directive = patch.$patch;
  if (directive === "delete") return undefined;
  if (directive === "replace") return strip(patch);
  if (directive !== undefined && directive !== "merge") throw badRequest(`unknown patch type: ${String(directive)}`);
  const out: Record<string, Json> = { ...orig };
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys") continue;
    if (k.startsWith(SET_ORDER)) {
      orders.push([k.slice(SET_ORDER.length), Array.isArray(v) ? v : []]);
      continue;
    }
    if (k.startsWith(DELETE_FROM)) {
      const field = k.slice(DELETE_FROM.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = out[field].filter((x: Json) => !v.some((d) => deepEqual(d, x)));
      continue;
    }
    if (v === null) {
      delete out[k];
    } else if (isObject(v)) {
      const merged = mergeMap(isObject(out[k]) ? out[k] : {}, v, join(path, k));
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) {
      out[k] = mergeList(Array.isArray(out[k]) ? out[k] : [], v, join(path, k));
    } else {
      out[k] = v;
    }
  }
  for (const [field, order] of orders) if (Array.isArray(out[field])) out[field] = applyOrder(out[field], order, MERGE_KEYS[join(path, field)]);
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(orig: Json[], patch: Json[], path: string): Json[] {
  if (patch.some((x) => isObject(x) && x.$patch === "replace")) {
    return strip(patch.filter((x) => !(isObject(x) && x.$patch === "replace")));
  }
  const key = MERGE_KEYS[path];
  if (!key) {
    if (MERGED_PRIMITIVE_LISTS.has(path)) return [...orig, ...patch.filter((x) => !orig.some((o) => deepEqual(o, x)))];
    return strip(patch);
  }
  const out = [...orig];
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`${path}: list items must be objects with merge key "${key}"`);
    const idx = out.findIndex((o) => isObject(o) && deepEqual(o[key], item[key]));
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) {
      out[idx] = mergeMap(out[idx], item, path);
    } else {
      out.push(strip(item));
    }
  }
  return out;
}

/** $setElementOrder: listed elements first in the given order, then any others in their current order. */
function applyOrder(list: Json[], order: Json[], key: string | undefined): Json[] {
  const keyOf = (x: Json) => (key && isObject(x) ? x[key] : x);
  const wanted = order.map(keyOf);
  const ordered: Json[] = [];
  for (const w of wanted) {
    const found = list.find((x) => deepEqual(keyOf(x), w));
    if (found !== undefined && !ordered.includes(found)) ordered.push(found);
  }
  return [...ordered, ...list.filter((x) => !ordered.includes(x))];
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (ct === "application/json-patch+json") return "json";
  if (ct === "application/merge-patch+json") return "merge";
  if (ct === "application/strategic-merge-patch+json") return "strategic";
  if (ct === "application/apply-patch+yaml" || ct === "application/apply-patch+cbor") return "apply";
  return undefined;
}

export function applyPatch(type: Exclude<PatchType, "apply">, target: Json, patch: Json): Json {
  if (type === "json") return jsonPatch(target, patch);
  if (!isObject(patch)) throw badRequest("patch body must be a JSON object");
  return type === "merge" ? mergePatch(target, patch) : strategicMergePatch(target, patch);
}
