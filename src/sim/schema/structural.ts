// What kube-apiserver does to a custom resource with a structural openAPIV3Schema, in its order: prune the
// fields the schema does not name (reporting them, for fieldValidation=Strict/Warn), drop nulls of
// non-nullable fields, fill `default`s, then validate (type, int-or-string, enum, required, bounds, patterns,
// list-type uniqueness, anyOf/allOf/oneOf/not). Errors carry the reasons and message shapes of
// k8s.io/apimachinery's field errors so kubectl prints what a real server prints. CEL rules
// (x-kubernetes-validations) and formats are not checked: the Karmada schemas smo writes use neither.
import type { StatusCause } from "../api-error.js";
import { deepEqual } from "../patch.js";

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  anyOf?: Schema[];
  allOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  description?: string;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** ObjectMeta's fields: what survives pruning under `metadata` (of the root and of embedded resources). */
const OBJECT_META_FIELDS = new Set([
  "name",
  "generateName",
  "namespace",
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

export function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Prunes unknown fields (their paths go to `unknown`), drops nulls the schema does not allow, and applies
 * defaults, mutating `value` (the caller passes its own copy). `root` marks the object's top level, where
 * apiVersion, kind and metadata are always kept.
 */
export function pruneAndDefault(schema: Schema, value: Json, path: string, unknown: string[], root = false): void {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => item !== null && pruneAndDefault(schema.items!, item, `${path}[${i}]`, unknown));
    return;
  }
  if (!isObject(value)) return;
  const embedded = root || schema["x-kubernetes-embedded-resource"] === true;
  const props = schema.properties;
  const extra = schema.additionalProperties;
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  for (const key of Object.keys(value)) {
    const here = childPath(path, key);
    if (embedded && key === "metadata" && isObject(value.metadata)) {
      for (const m of Object.keys(value.metadata)) if (!OBJECT_META_FIELDS.has(m)) {
        unknown.push(childPath(here, m));
        delete value.metadata[m];
      }
      continue;
    }
    if (embedded && (key === "apiVersion" || key === "kind")) continue;
    const sub = props?.[key] ?? (isObject(extra) ? extra : undefined);
    if (!sub) {
      if (!preserve && extra !== true) {
        unknown.push(here);
        delete value[key];
      }
      continue;
    }
    if (value[key] === null && !sub.nullable) {
      delete value[key];
      continue;
    }
    pruneAndDefault(sub, value[key], here, unknown);
  }
  if (props) {
    for (const [key, sub] of Object.entries(props)) {
      if (value[key] !== undefined || sub.default === undefined) continue;
      value[key] = structuredClone(sub.default);
      pruneAndDefault(sub, value[key], childPath(path, key), []);
    }
  }
}

function typeName(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function hasType(type: string, v: Json): boolean {
  const actual = typeName(v);
  return actual === type || (type === "number" && actual === "integer");
}

/** How apimachinery prints a bad value: strings quoted, numbers and booleans bare, the rest as JSON. */
export function formatValue(v: Json): string {
  return typeof v === "string" ? JSON.stringify(v) : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

function invalidValue(field: string, v: Json, detail: string): StatusCause {
  return { field, reason: "FieldValueInvalid", message: `Invalid value: ${formatValue(v)}: ${detail}` };
}

/** Validates `value` against `schema`, appending causes; `path` is the field path of `value`. */
export function validateValue(schema: Schema, value: Json, path: string, causes: StatusCause[]): void {
  const named = path || "body";
  if (value === null) {
    if (!schema.nullable && schema.type) causes.push({ field: path, reason: "FieldValueTypeInvalid", message: `Invalid value: "null": ${named} in body must be of type ${schema.type}: "null"` });
    return;
  }
  if (schema["x-kubernetes-int-or-string"]) {
    if (typeName(value) !== "integer" && typeof value !== "string") {
      causes.push({
        field: path,
        reason: "FieldValueTypeInvalid",
        message: `Invalid value: "${typeName(value)}": ${named} in body must be of type integer,string: "${typeName(value)}"`,
      });
      return;
    }
  } else if (schema.type && !hasType(schema.type, value)) {
    causes.push({
      field: path,
      reason: "FieldValueTypeInvalid",
      message: `Invalid value: "${typeName(value)}": ${named} in body must be of type ${schema.type}: "${typeName(value)}"`,
    });
    return;
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) {
    const allowed = schema.enum.map((e) => JSON.stringify(e)).join(", ");
    causes.push({ field: path, reason: "FieldValueNotSupported", message: `Unsupported value: ${formatValue(value)}: supported values: ${allowed}` });
  }
  if (typeof value === "number") checkNumber(schema, value, path, named, causes);
  if (typeof value === "string") checkString(schema, value, path, named, causes);
  if (Array.isArray(value)) checkArray(schema, value, path, named, causes);
  if (isObject(value)) checkObject(schema, value, path, named, causes);
  checkCombinators(schema, value, path, causes);
}

function checkNumber(s: Schema, v: number, path: string, named: string, causes: StatusCause[]): void {
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    causes.push(invalidValue(path, v, `${named} in body should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${s.minimum}`));
  }
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    causes.push(invalidValue(path, v, `${named} in body should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${s.maximum}`));
  }
}

function checkString(s: Schema, v: string, path: string, named: string, causes: StatusCause[]): void {
  const length = [...v].length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    causes.push({ field: path, reason: "FieldValueTooLong", message: `Too long: may not be more than ${s.maxLength} bytes` });
  }
  if (s.minLength !== undefined && length < s.minLength) causes.push(invalidValue(path, v, `${named} in body should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined && !patternOf(s.pattern).test(v)) causes.push(invalidValue(path, v, `${named} in body should match '${s.pattern}'`));
}

const PATTERNS = new Map<string, RegExp>();
function patternOf(p: string): RegExp {
  let re = PATTERNS.get(p);
  if (!re) PATTERNS.set(p, (re = new RegExp(p, "u")));
  return re;
}

function checkArray(s: Schema, v: Json[], path: string, named: string, causes: StatusCause[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) {
    causes.push({ field: path, reason: "FieldValueTooMany", message: `Too many: ${v.length}: must have at most ${s.maxItems} items` });
  }
  if (s.minItems !== undefined && v.length < s.minItems) causes.push(invalidValue(path, v, `${named} in body should have at least ${s.minItems} items`));
  if (s.items) v.forEach((item, i) => validateValue(s.items!, item, `${path}[${i}]`, causes));
  const listType = s["x-kubernetes-list-type"];
  if (listType === "set") {
    v.forEach((item, i) => {
      if (v.findIndex((o) => deepEqual(o, item)) < i) causes.push({ field: `${path}[${i}]`, reason: "FieldValueDuplicate", message: `Duplicate value: ${formatValue(item)}` });
    });
  } else if (listType === "map") {
    const keys = s["x-kubernetes-list-map-keys"] ?? [];
    const keyOf = (item: Json) => JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined)));
    const seen = new Set<string>();
    v.forEach((item, i) => {
      const k = keyOf(item);
      if (seen.has(k)) {
        const shown = Object.fromEntries(keys.map((key) => [key, isObject(item) ? item[key] : undefined]));
        causes.push({ field: `${path}[${i}]`, reason: "FieldValueDuplicate", message: `Duplicate value: ${JSON.stringify(shown)}` });
      }
      seen.add(k);
    });
  }
}

function checkObject(s: Schema, v: Record<string, Json>, path: string, named: string, causes: StatusCause[]): void {
  for (const r of s.required ?? []) if (v[r] === undefined) causes.push({ field: childPath(path, r), reason: "FieldValueRequired", message: "Required value" });
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    causes.push({ field: path, reason: "FieldValueTooMany", message: `Too many: ${n}: must have at most ${s.maxProperties} items` });
  }
  if (s.minProperties !== undefined && n < s.minProperties) causes.push(invalidValue(path, v, `${named} in body should have at least ${s.minProperties} properties`));
  for (const [k, x] of Object.entries(v)) {
    const sub = s.properties?.[k] ?? (isObject(s.additionalProperties) ? s.additionalProperties : undefined);
    if (sub) validateValue(sub, x, childPath(path, k), causes);
  }
}

/** anyOf/allOf/oneOf/not hold value validations only in a structural schema (no pruning, no defaults). */
function checkCombinators(s: Schema, v: Json, path: string, causes: StatusCause[]): void {
  const passes = (sub: Schema) => {
    const found: StatusCause[] = [];
    validateValue(sub, v, path, found);
    return found;
  };
  for (const sub of s.allOf ?? []) causes.push(...passes(sub));
  if (s.anyOf && !s.anyOf.some((sub) => passes(sub).length === 0)) {
    // int-or-string's anyOf [{type: integer}, {type: string}] was already reported as a type error.
    if (!s["x-kubernetes-int-or-string"]) causes.push(invalidValue(path, v, "must validate at least one schema (anyOf)"));
  }
  if (s.oneOf) {
    const n = s.oneOf.filter((sub) => passes(sub).length === 0).length;
    if (n !== 1) causes.push(invalidValue(path, v, n === 0 ? "must validate one and only one schema (oneOf)" : "must validate one and only one schema (oneOf). Found none valid"));
  }
  if (s.not && passes(s.not).length === 0) causes.push(invalidValue(path, v, "must not validate the schema (not)"));
}
