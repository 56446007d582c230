// The decode-and-validate step of a write, for kinds with a schema in the catalog: unknown fields are refused
// (fieldValidation=Strict, what kubectl sends), dropped with a warning (Warn, the server's default) or dropped
// silently (Ignore); then defaults; then the structural validation, whose causes the caller reports as 422.
import { ApiError, badRequest, type StatusCause } from "../api-error.js";
import { apiVersionOf, type ResourceType } from "../resources.js";
import type { KObject } from "../store.js";
import type { SchemaCatalog } from "./catalog.js";
import { pruneAndDefault, validateValue } from "./structural.js";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** The `fieldValidation` query parameter; absent means Warn, as on kube-apiserver ≥ 1.27. */
export function parseFieldValidation(value: string | null | undefined): FieldValidation {
  if (value === null || value === undefined || value === "") return "Warn";
  if (value === "Strict" || value === "Warn" || value === "Ignore") return value;
  throw badRequest(`fieldValidation parameter unsupported: ${value}. Supported values are: Ignore, Warn, Strict`);
}

export interface Admission {
  fieldValidation: FieldValidation;
  /** Collected `Warning` header texts (unknown fields dropped under Warn). */
  warnings: string[];
}

/**
 * Prunes and defaults `obj` in place and returns the schema violations; throws 400 BadRequest under Strict
 * when the object has fields the schema does not know. Kinds without a schema pass unchanged.
 */
export function admitWithSchema(catalog: SchemaCatalog, t: ResourceType, obj: KObject, admission: Admission): StatusCause[] {
  const schema = catalog.schemaOf(t.group, t.version, t.kind);
  if (!schema) return [];
  const unknown: string[] = [];
  pruneAndDefault(schema, obj, "", unknown, true);
  if (unknown.length) {
    const fields = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
    if (admission.fieldValidation === "Strict") {
      throw new ApiError(400, "BadRequest", `${t.kind} in version ${JSON.stringify(t.version)} cannot be handled as a ${t.kind}: strict decoding error: ${fields.join(", ")}`);
    }
    if (admission.fieldValidation === "Warn") admission.warnings.push(...fields);
  }
  const causes: StatusCause[] = [];
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
  // apiVersion/kind/metadata were checked by the URL and ObjectMeta rules; the schema speaks for the rest.
  validateValue({ ...schema, required: (schema.required ?? []).filter((r) => !["apiVersion", "kind", "metadata"].includes(r)) }, rest, "", causes);
  if (obj.apiVersion !== apiVersionOf(t)) causes.push({ field: "apiVersion", reason: "FieldValueInvalid", message: `Invalid value: ${JSON.stringify(obj.apiVersion)}` });
  return causes;
}
