// metadata.managedFields: who owns which fields. Apply entries hold exactly what a manager last applied;
// Update entries (create, PUT, non-apply patches, scale and status writes) gain the fields their write changed,
// which every other manager loses, as in Kubernetes' field manager. Apply conflicts are the fields another
// manager owns whose value the applied configuration would change.
import { ApiError } from "../api-error.js";
import type { KObject } from "../store.js";
import { formatPath, fromFieldsV1, sameValue, toFieldsV1, type FieldValues } from "./fields.js";

export interface Entry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  subresource?: string;
  fields: Set<string>;
}

export interface Conflict {
  manager: string;
  apiVersion: string;
  operation: Entry["operation"];
  subresource?: string;
  time: string;
  path: string;
}

export function decodeEntries(obj: KObject | undefined): Entry[] {
  const raw = obj?.metadata?.managedFields;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((e) => e && typeof e.manager === "string" && (e.operation === "Apply" || e.operation === "Update"))
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: String(e.apiVersion ?? ""),
      time: String(e.time ?? ""),
      ...(e.subresource ? { subresource: String(e.subresource) } : {}),
      fields: fromFieldsV1(e.fieldsV1),
    }));
}

export function encodeEntries(entries: Entry[]): KObject[] {
  return entries
    .filter((e) => e.fields.size > 0)
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: "FieldsV1",
      fieldsV1: toFieldsV1(e.fields),
      ...(e.subresource ? { subresource: e.subresource } : {}),
    }));
}

const isOwnApply = (manager: string) => (e: Entry) => e.manager === manager && e.operation === "Apply" && !e.subresource;

/** Fields of `applied` that another manager owns and whose live value differs. */
export function findConflicts(entries: Entry[], manager: string, applied: FieldValues, live: FieldValues): Conflict[] {
  const out: Conflict[] = [];
  for (const e of entries) {
    if (isOwnApply(manager)(e)) continue;
    for (const [p, v] of applied) {
      if (e.fields.has(p) && !sameValue(v, live.get(p))) out.push({ manager: e.manager, apiVersion: e.apiVersion, operation: e.operation, subresource: e.subresource, time: e.time, path: p });
    }
  }
  return out;
}

/** How kube-apiserver names a manager in a conflict: `"m"`, plus subresource, plus version and time for updates. */
function printManager(c: Conflict): string {
  let out = JSON.stringify(c.manager);
  if (c.subresource) out += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === "Update") out += ` using ${c.apiVersion}${c.time ? ` at ${c.time}` : ""}`;
  return out;
}

/** 409 Conflict with one cause per field, in the message shapes kube-apiserver uses. */
export function conflictError(conflicts: Conflict[]): ApiError {
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0]!)}: ${formatPath(conflicts[0]!.path)}`;
  } else {
    const byManager = new Map<string, Conflict[]>();
    for (const c of conflicts) {
      const key = printManager(c);
      (byManager.get(key) ?? byManager.set(key, []).get(key)!).push(c);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${key}:`, ...byManager.get(key)!.map((c) => `- ${formatPath(c.path)}`));
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, {
    causes: conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${printManager(c)}`, field: formatPath(c.path) })),
  });
}

/**
 * The entries after `manager` applied `applied`: forced conflicts leave their previous owners, the manager's
 * Apply entry becomes exactly the applied set. Returns the fields the manager stopped applying that nobody
 * else owns: the caller removes them from the object.
 */
export function recordApply(entries: Entry[], manager: string, apiVersion: string, applied: FieldValues, forced: Conflict[], time: string): { entries: Entry[]; removed: string[]; kept: Set<string> } {
  const out = entries.map((e) => ({ ...e, fields: new Set(e.fields) }));
  for (const c of forced) for (const e of out) if (e.manager === c.manager && !isOwnApply(manager)(e)) e.fields.delete(c.path);
  let own = out.find(isOwnApply(manager));
  const previous = own?.fields ?? new Set<string>();
  const next = new Set(applied.keys());
  if (!own) out.push((own = { manager, operation: "Apply", apiVersion, time, fields: next }));
  else if (!sameSet(own.fields, next) || own.apiVersion !== apiVersion) Object.assign(own, { fields: next, time, apiVersion });
  const kept = new Set<string>();
  for (const e of out) for (const p of e.fields) kept.add(p);
  const removed = [...previous].filter((p) => !kept.has(p));
  return { entries: out, removed, kept };
}

/** The entries after a non-apply write by `manager` changed the object from `before` to `after`. */
export function recordUpdate(entries: Entry[], manager: string, apiVersion: string, subresource: string | undefined, before: FieldValues, after: FieldValues, time: string): Entry[] {
  const changed = new Set<string>();
  for (const [p, v] of after) if (!before.has(p) || !sameValue(before.get(p), v)) changed.add(p);
  const removed = [...before.keys()].filter((p) => !after.has(p));
  const out = entries.map((e) => ({ ...e, fields: new Set(e.fields) }));
  const mine = (e: Entry) => e.manager === manager && e.operation === "Update" && e.subresource === subresource;
  for (const e of out) {
    const had = e.fields.size;
    const copy = new Set(e.fields);
    for (const p of removed) e.fields.delete(p);
    if (!mine(e)) for (const p of changed) e.fields.delete(p);
    if (e.fields.size !== had || !sameSet(copy, e.fields)) e.time = time;
  }
  if (changed.size > 0) {
    const own = out.find(mine);
    if (own) {
      for (const p of changed) own.fields.add(p);
      own.time = time;
      own.apiVersion = apiVersion;
    } else out.push({ manager, operation: "Update", apiVersion, time, ...(subresource ? { subresource } : {}), fields: changed });
  }
  return out;
}

/** Drops fields that no longer exist in the object from every entry. */
export function pruneEntries(entries: Entry[], present: Set<string>): Entry[] {
  return entries.map((e) => ({ ...e, fields: new Set([...e.fields].filter((p) => present.has(p) || [...present].some((q) => q.startsWith(p + "\u0001")))) }));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** The manager kube-apiserver records when a request names none: the user agent up to its first "/". */
export function defaultManager(userAgent: string | undefined): string {
  const name = (userAgent ?? "").split("/")[0]!.trim();
  return (name || "unknown").slice(0, 128);
}
