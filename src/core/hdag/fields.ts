// Readers shared by the rules: each reads one field, reports a precise error when it has the wrong type or
// value, and returns the typed value (or undefined when absent or invalid). Optional fields that are absent
// or null (a bare `key:` in YAML) count as absent; a required field that is missing is an error.
import type { IssueCollector } from "./issues.js";
import type { Path } from "./paths.js";
import { KNOWN_FIELDS, MISPLACED_FIELD_HINTS, type ObjectKind } from "./schema.js";
import { describe, isObject, oneOf, own, type JsonObject } from "./values.js";

export interface Ctx {
  issues: IssueCollector;
  /** Upper bound of replica counts (options.maxReplicas); default DEFAULT_MAX_REPLICAS. */
  maxReplicas?: number;
}

interface Presence {
  required?: boolean;
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

function missing(ctx: Ctx, path: Path, expected: string, value: unknown, required: boolean | undefined): void {
  if (required) ctx.issues.error(path, `expected ${expected}, found ${describe(value)}`);
}

/** An object field; `what` names the expected shape in the message, e.g. "an object {cpu, ram}". */
export function readObject(ctx: Ctx, value: unknown, path: Path, what: string, p: Presence = {}): JsonObject | undefined {
  if (absent(value)) {
    missing(ctx, path, what, value, p.required);
    return undefined;
  }
  if (!isObject(value)) {
    ctx.issues.error(path, `expected ${what}, found ${describe(value)}`);
    return undefined;
  }
  return value;
}

export function readList(ctx: Ctx, value: unknown, path: Path, what: string, p: Presence & { nonEmpty?: boolean } = {}): unknown[] | undefined {
  if (absent(value)) {
    missing(ctx, path, what, value, p.required);
    return undefined;
  }
  if (!Array.isArray(value) || (p.nonEmpty && value.length === 0)) {
    ctx.issues.error(path, `expected ${what}, found ${describe(value)}`);
    return undefined;
  }
  return value;
}

export function readString(ctx: Ctx, value: unknown, path: Path, p: Presence & { nonEmpty?: boolean; what?: string } = {}): string | undefined {
  const what = p.what ?? (p.nonEmpty ? "a non-empty string" : "a string");
  if (absent(value)) {
    missing(ctx, path, what, value, p.required);
    return undefined;
  }
  if (typeof value !== "string" || (p.nonEmpty && value.trim() === "")) {
    ctx.issues.error(path, `expected ${what}, found ${describe(value)}${quoteHint(value)}`);
    return undefined;
  }
  return value;
}

export function readEnum<T extends string>(ctx: Ctx, value: unknown, path: Path, values: readonly T[], p: Presence = {}): T | undefined {
  const expected = oneOf(values);
  if (absent(value)) {
    missing(ctx, path, expected, value, p.required);
    return undefined;
  }
  if (typeof value === "string" && (values as readonly string[]).includes(value)) return value as T;
  const sameLetters = typeof value === "string" ? values.find((v) => v.toLowerCase() === value.toLowerCase()) : undefined;
  const hint = sameLetters ? ` (values are case-sensitive: write ${JSON.stringify(sameLetters)})` : "";
  ctx.issues.error(path, `expected ${expected}, found ${describe(value)}${hint}`);
  return undefined;
}

export function readBoolean(ctx: Ctx, value: unknown, path: Path, p: Presence = {}): boolean | undefined {
  if (absent(value)) {
    missing(ctx, path, "a boolean", value, p.required);
    return undefined;
  }
  if (typeof value === "boolean") return value;
  ctx.issues.error(path, `expected a boolean (true or false), found ${describe(value)}${booleanHint(value)}`);
  return undefined;
}

export function readNumber(
  ctx: Ctx,
  value: unknown,
  path: Path,
  p: Presence & { integer?: boolean; min?: number; exclusiveMin?: number; max?: number } = {},
): number | undefined {
  const kind = p.integer ? "an integer" : "a number";
  const lower = p.min !== undefined ? ` ≥ ${p.min}` : p.exclusiveMin !== undefined ? ` > ${p.exclusiveMin}` : "";
  const bound = p.max !== undefined ? (p.min !== undefined ? ` from ${p.min} to ${p.max}` : `${lower} and ≤ ${p.max}`) : lower;
  const what = `${kind}${bound}`;
  if (absent(value)) {
    missing(ctx, path, what, value, p.required);
    return undefined;
  }
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (!p.integer || Number.isSafeInteger(value)) &&
    (p.min === undefined || value >= p.min) &&
    (p.exclusiveMin === undefined || value > p.exclusiveMin) &&
    (p.max === undefined || value <= p.max);
  if (ok) return value;
  ctx.issues.error(path, `expected ${what}, found ${describe(value)}${typeof value === "string" ? " (remove the quotes)" : ""}`);
  return undefined;
}

/** Reads a list of strings, reporting each bad entry at its own index; returns the good entries with paths. */
export function readStringList(ctx: Ctx, value: unknown, path: Path, what: string): { value: string; path: Path }[] {
  const list = readList(ctx, value, path, what);
  const out: { value: string; path: Path }[] = [];
  list?.forEach((item, i) => {
    const s = readString(ctx, item, [...path, i], { required: true, nonEmpty: true });
    if (s !== undefined) out.push({ value: s, path: [...path, i] });
  });
  return out;
}

/** Unknown fields are kept in the stored descriptor but are warned about (forward compatibility). */
export function warnUnknownFields(ctx: Ctx, obj: JsonObject, path: Path, kind: ObjectKind): void {
  const known: readonly string[] = KNOWN_FIELDS[kind];
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const hint = MISPLACED_FIELD_HINTS[kind]?.[key];
    const closest = known.find((k) => k.toLowerCase() === key.toLowerCase());
    const why = hint ?? (closest ? `did you mean ${JSON.stringify(closest)}? Field names are case-sensitive` : `expected only ${known.join(", ")}`);
    ctx.issues.warning([...path, key], `unknown field ${JSON.stringify(key)} is ignored (kept in the stored descriptor); ${why}`);
  }
}

/** Reads field `key` of `obj` as an own property. */
export function at(obj: JsonObject, key: string): unknown {
  return own(obj, key);
}

function booleanHint(value: unknown): string {
  if (typeof value !== "string") return "";
  if (/^(true|false)$/i.test(value)) return " (remove the quotes)";
  if (/^(yes|no|on|off|y|n)$/i.test(value)) return " (YAML 1.1 spelling; write true or false)";
  return "";
}

function quoteHint(value: unknown): string {
  return typeof value === "number" || typeof value === "boolean" ? " (quote it)" : "";
}
