// The object side of server-side apply: merging an applied configuration into the live object (maps by field,
// list-maps by key, sets by value, atomic values replaced) and removing the fields a manager applied before
// and no longer applies, when nobody else owns them.
import { childSchema, deref, isAtomicMap, keyOf, listKind, split, type TypeInfo } from "./fields.js";
import type { OpenApiSchema } from "../openapi/builtin.js";
import { deepEqual } from "../patch.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `live` with `applied` merged in; neither is modified. */
export function mergeApplied(info: TypeInfo, live: Json, applied: Json): Json {
  return merge(info, live, applied, deref(info, info.root));
}

function merge(info: TypeInfo, live: Json, applied: Json, s: OpenApiSchema | undefined): Json {
  if (isObject(applied)) {
    if (isAtomicMap(s) || !isObject(live)) return structuredClone(applied);
    const out: Record<string, Json> = { ...live };
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) delete out[k];
      else out[k] = merge(info, live[k], v, deref(info, childSchema(s, k)));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const lk = listKind(s);
    if (lk.kind === "set") return [...live, ...applied.filter((x) => !live.some((l) => deepEqual(l, x)))];
    if (lk.kind === "map" && applied.every(isObject) && live.every(isObject)) {
      const items = deref(info, s?.items);
      const out = [...live];
      for (const item of applied) {
        const i = out.findIndex((l) => keyOf(l, lk.keys) === keyOf(item, lk.keys));
        if (i >= 0) out[i] = merge(info, out[i], item, items);
        else out.push(structuredClone(item));
      }
      return out;
    }
  }
  return structuredClone(applied);
}

/**
 * Removes `paths` (field-set paths) from `obj` in place, deepest first; a map left empty by a removal goes too
 * unless `keep` (paths still owned by someone) names it.
 */
export function removePaths(obj: Json, paths: string[], keep: Set<string>): void {
  const sorted = [...paths].sort((a, b) => split(b).length - split(a).length);
  for (const p of sorted) {
    const pes = split(p);
    const trail: { parent: Json; pe: string }[] = [];
    let node: Json = obj;
    let found = true;
    for (const pe of pes) {
      const next = step(node, pe);
      if (next === undefined) {
        found = false;
        break;
      }
      trail.push({ parent: node, pe });
      node = next;
    }
    if (!found) continue;
    for (let i = trail.length - 1; i >= 0; i--) {
      const { parent, pe } = trail[i]!;
      const prefix = pes.slice(0, i + 1).join("\u0001");
      if (i < trail.length - 1) {
        const child = step(parent, pe);
        const empty = isObject(child) ? Object.keys(child).length === 0 : Array.isArray(child) && child.length === 0;
        if (!empty || keep.has(prefix) || [...keep].some((k) => k.startsWith(prefix + "\u0001"))) break;
      }
      drop(parent, pe);
    }
  }
}

function step(node: Json, pe: string): Json {
  if (pe.startsWith("f:")) return isObject(node) ? node[pe.slice(2)] : undefined;
  if (!Array.isArray(node)) return undefined;
  if (pe.startsWith("k:")) {
    const key = JSON.parse(pe.slice(2)) as Record<string, Json>;
    return node.find((x) => isObject(x) && keyOf(x, Object.keys(key)) === pe);
  }
  if (pe.startsWith("v:")) {
    const v = JSON.parse(pe.slice(2));
    return node.some((x) => deepEqual(x, v)) ? v : undefined;
  }
  return undefined;
}

function drop(parent: Json, pe: string): void {
  if (pe.startsWith("f:")) {
    if (isObject(parent)) delete parent[pe.slice(2)];
    return;
  }
  if (!Array.isArray(parent)) return;
  const i = pe.startsWith("k:")
    ? parent.findIndex((x) => isObject(x) && keyOf(x, Object.keys(JSON.parse(pe.slice(2)))) === pe)
    : parent.findIndex((x) => deepEqual(x, JSON.parse(pe.slice(2))));
  if (i >= 0) parent.splice(i, 1);
}
