// What the API server does for each verb, independent of HTTP: create, get, list, update, patch, delete and the
// status/scale subresources, with the optimistic concurrency, generation and namespace rules of Kubernetes.
// The HTTP layer (src/sim/http) only parses requests into these calls and serializes the results.
import { randomUUID } from "node:crypto";
import { ApiError, alreadyExists, badRequest, conflict, invalid, methodNotAllowed, notFound, qualifiedName } from "./api-error.js";
import { applyDefaults, hasGeneration, specOf, validate, validateName, validateNamespaceName } from "./kinds.js";
import { applyPatch, deepEqual, type PatchType } from "./patch.js";
import { NAMESPACES, apiVersionOf, type ResourceType } from "./resources.js";
import { admitWithSchema, type Admission } from "./schema/admission.js";
import { SchemaCatalog } from "./schema/catalog.js";
import { fieldMatcher, labelMatcher } from "./selectors.js";
import { fieldValues, type TypeInfo } from "./ssa/fields.js";
import { conflictError, decodeEntries, defaultManager, encodeEntries, findConflicts, pruneEntries, recordApply, recordUpdate, type Entry } from "./ssa/managed.js";
import { mergeApplied, removePaths } from "./ssa/merge.js";
import type { KObject, ObjectStore } from "./store.js";

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: "status";
  /** Unknown-field handling and the warnings it produces (default: Warn, warnings discarded). */
  admission?: Admission;
  /** The `fieldManager` of the request (default: derived from the user agent by the HTTP layer, else "unknown"). */
  fieldManager?: string;
  /** Apply only: take conflicting fields from their owners. */
  force?: boolean;
}

/** What a write records in managedFields: an apply's precomputed entries, or an update by a manager. */
type Manage = { entries: Entry[] } | { manager: string; subresource?: "status" | "scale" };

export interface ListOptions {
  labelSelector?: string | null;
  fieldSelector?: string | null;
}

export interface DeletePreconditions {
  uid?: string;
  resourceVersion?: string;
}

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const PROTECTED_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

export class ApiOperations {
  private nextServiceIp = 10;

  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => Date = () => new Date(),
    private readonly schemas: SchemaCatalog = new SchemaCatalog(),
    /** The kind's schema as server-side apply reads it (list and map semantics); untyped when absent. */
    private readonly typeInfo: (t: ResourceType) => TypeInfo = () => ({ root: undefined, components: {} }),
  ) {}

  get(t: ResourceType, namespace: string | undefined, name: string): KObject {
    const obj = this.store.get(t, namespace, name);
    if (!obj) throw notFound(t, name);
    return obj;
  }

  list(t: ResourceType, namespace: string | undefined, opts: ListOptions = {}): { items: KObject[]; resourceVersion: string } {
    const byLabel = labelMatcher(opts.labelSelector);
    const byField = fieldMatcher(opts.fieldSelector);
    const items = this.store
      .list(t, t.namespaced ? namespace : undefined)
      .filter((o) => byLabel(o.metadata.labels ?? {}) && byField({ name: o.metadata.name, namespace: o.metadata.namespace ?? "" }));
    return { items, resourceVersion: String(this.store.currentRv()) };
  }

  create(t: ResourceType, namespace: string | undefined, body: unknown, opts: WriteOptions = {}, applied?: Set<string>): KObject {
    if (t.readOnly) throw methodNotAllowed();
    const obj = this.normalize(t, namespace, body);
    const schemaCauses = this.admit(t, obj, opts);
    if (!obj.metadata.name) {
      const prefix = obj.metadata.generateName;
      if (typeof prefix !== "string" || !prefix) {
        throw invalid(t, "", [{ field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name or generateName is required" }]);
      }
      do obj.metadata.name = prefix + this.randomSuffix();
      while (this.store.get(t, obj.metadata.namespace, obj.metadata.name));
    }
    const name: string = obj.metadata.name;
    const causes = [...validateName(t, name), ...schemaCauses, ...validate(t, obj)];
    if (causes.length) throw invalid(t, name, causes);
    if (this.store.get(t, obj.metadata.namespace, name)) throw alreadyExists(t, name);

    const meta = obj.metadata;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    meta.uid = randomUUID();
    meta.creationTimestamp = this.timestamp();
    if (hasGeneration(t)) meta.generation = 1;
    else delete meta.generation;
    if (t.subresources.includes("status")) delete obj.status;
    applyDefaults(t, obj, undefined, this);
    const time = meta.creationTimestamp;
    const manager = opts.fieldManager ?? "unknown";
    const entries: Entry[] = applied
      ? [{ manager, operation: "Apply", apiVersion: apiVersionOf(t), time, fields: applied }]
      : recordUpdate([], manager, apiVersionOf(t), undefined, new Map(), fieldValues(this.typeInfo(t), obj), time);
    meta.managedFields = encodeEntries(entries);
    if (opts.dryRun) return obj;
    if (t.namespaced) this.ensureNamespace(meta.namespace);
    return this.store.insert(t, obj);
  }

  /** PUT: replaces the object (or only its status), 409 when the sent resourceVersion is stale. */
  update(t: ResourceType, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): KObject {
    if (t.readOnly) throw methodNotAllowed();
    const obj = this.normalize(t, namespace, body);
    if (obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
    }
    return this.write(t, this.get(t, namespace, name), obj, opts, { manager: opts.fieldManager ?? "unknown", subresource: opts.subresource });
  }

  patch(t: ResourceType, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): KObject {
    if (t.readOnly) throw methodNotAllowed();
    if (type === "apply") return this.apply(t, namespace, name, patch, opts).object;
    if (opts.force) throw invalidParam("force", "Forbidden: may not be specified for non-apply patch");
    const current = this.get(t, namespace, name);
    const patched = this.patchObject(t, current, type, patch);
    const obj = this.normalize(t, namespace, patched);
    if (obj.metadata.name !== name) throw badRequest("metadata.name cannot be changed by a patch");
    return this.write(t, current, obj, opts, { manager: opts.fieldManager ?? "unknown", subresource: opts.subresource });
  }

  /**
   * Server-side apply (PATCH application/apply-patch+yaml): creates the object when absent; otherwise merges
   * the configuration in, refuses (409) to change fields other managers own unless forced, and removes the
   * fields this manager applied last time and no longer applies, when nobody else owns them.
   */
  apply(t: ResourceType, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): { object: KObject; created: boolean } {
    if (t.readOnly) throw methodNotAllowed();
    const manager = opts.fieldManager;
    if (!manager) throw invalidParam("fieldManager", "Required value: is required for apply patch");
    if (opts.subresource) throw new ApiError(415, "UnsupportedMediaType", "apply patches are not supported on the status subresource by the simulated API server");
    if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the apply configuration must be a YAML or JSON object");
    const config = body as KObject;
    if (typeof config.apiVersion !== "string" || typeof config.kind !== "string") throw badRequest("apiVersion and kind must be set in an apply configuration");
    const applied = this.normalize(t, namespace, config);
    if (applied.metadata.name !== undefined && applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(applied.metadata.name)}) does not match the name on the URL (${name})`);
    }
    applied.metadata.name = name;
    delete applied.metadata.managedFields;
    if (t.subresources.includes("status")) delete applied.status;
    const info = this.typeInfo(t);
    const values = fieldValues(info, applied);
    const current = this.store.get(t, namespace, name);
    if (!current) return { object: this.create(t, namespace, applied, opts, new Set(values.keys())), created: true };

    const entries = decodeEntries(current);
    const conflicts = findConflicts(entries, manager, values, fieldValues(info, current));
    if (conflicts.length > 0 && !opts.force) throw conflictError(conflicts);
    const time = this.timestamp();
    const recorded = recordApply(entries, manager, apiVersionOf(t), values, conflicts, time);
    const { managedFields: _m, ...meta } = current.metadata;
    const merged = mergeApplied(info, { ...current, metadata: meta }, applied);
    removePaths(merged, recorded.removed, recorded.kept);
    return { object: this.write(t, current, this.normalize(t, namespace, merged), opts, { entries: recorded.entries }), created: false };
  }

  private patchObject(t: ResourceType, current: KObject, type: PatchType, patch: unknown): KObject {
    if (type === "apply") {
      throw new ApiError(415, "UnsupportedMediaType", "server-side apply is not supported by the simulated API server; use client-side apply");
    }
    if (type === "strategic" && !t.builtin) {
      throw new ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
      );
    }
    return applyPatch(type, current, patch);
  }

  /** Common tail of update and patch: preconditions, immutable fields, generation, status handling. */
  private write(t: ResourceType, current: KObject, obj: KObject, opts: WriteOptions, manage: Manage): KObject {
    const name: string = current.metadata.name;
    const sentRv = obj.metadata.resourceVersion;
    if (sentRv !== undefined && sentRv !== "" && sentRv !== current.metadata.resourceVersion) throw conflict(t, name);
    if (obj.metadata.uid !== undefined && obj.metadata.uid !== "" && obj.metadata.uid !== current.metadata.uid) {
      throw conflict(t, name);
    }
    let next: KObject;
    if (opts.subresource === "status") {
      next = { ...current, status: obj.status };
      const causes = this.admit(t, next, opts);
      if (causes.length) throw invalid(t, name, causes);
    } else {
      next = obj;
      if (t.subresources.includes("status")) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
      const causes = [...this.admit(t, next, opts), ...validate(t, next)];
      if (causes.length) throw invalid(t, name, causes);
    }
    next.metadata = {
      ...next.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      namespace: current.metadata.namespace,
    };
    if (!t.namespaced) delete next.metadata.namespace;
    if (hasGeneration(t)) {
      const changed = !deepEqual(specOf(current), specOf(next));
      next.metadata.generation = (current.metadata.generation ?? 1) + (changed && opts.subresource !== "status" ? 1 : 0);
    }
    applyDefaults(t, next, current, this);
    next.metadata.managedFields = this.managedAfter(t, current, next, manage);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    if (deepEqual(next, current) || opts.dryRun) return opts.dryRun ? next : current; // a no-op write keeps the resourceVersion
    return this.store.replace(t, next);
  }

  delete(t: ResourceType, namespace: string | undefined, name: string, pre: DeletePreconditions = {}, dryRun = false): KObject {
    if (t.readOnly) throw methodNotAllowed();
    const current = this.get(t, namespace, name);
    if ((pre.uid && pre.uid !== current.metadata.uid) || (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)) {
      throw new ApiError(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualifiedName(t)} "${name}": the precondition was not met`,
        { name, kind: t.plural, ...(t.group ? { group: t.group } : {}) },
      );
    }
    if (t === NAMESPACES && PROTECTED_NAMESPACES.has(name)) {
      throw new ApiError(403, "Forbidden", `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: "namespaces" });
    }
    if (dryRun) return current;
    return this.store.remove(t, namespace, name)!;
  }

  /** Deletes every object of the namespaced types in a namespace (namespace deletion, done at once here). */
  purgeNamespace(types: readonly ResourceType[], namespace: string): void {
    for (const t of types) if (t.namespaced) for (const o of this.store.list(t, namespace)) this.store.remove(t, namespace, o.metadata.name);
  }

  ensureNamespace(namespace: string, origin = "api"): void {
    if (this.store.get(NAMESPACES, undefined, namespace)) return;
    const obj: KObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace, uid: randomUUID(), creationTimestamp: this.timestamp() },
    };
    applyDefaults(NAMESPACES, obj, undefined, this);
    this.store.insert(NAMESPACES, obj, origin);
  }

  /** managedFields of `next`: the apply's entries or the update recorded, pruned to the fields that exist. */
  private managedAfter(t: ResourceType, current: KObject, next: KObject, manage: Manage): KObject[] {
    const info = this.typeInfo(t);
    const after = fieldValues(info, next);
    const afterStatus = fieldValues(info, next, "status");
    let entries: Entry[];
    if ("entries" in manage) entries = manage.entries;
    else {
      const scope = manage.subresource === "status" ? "status" : "main";
      const before = fieldValues(info, current, scope);
      entries = recordUpdate(decodeEntries(current), manage.manager, apiVersionOf(t), manage.subresource, before, scope === "status" ? afterStatus : after, this.timestamp());
    }
    return encodeEntries(pruneEntries(entries, new Set([...after.keys(), ...afterStatus.keys()])));
  }

  // --- scale subresource (autoscaling/v1 Scale) ---

  getScale(t: ResourceType, namespace: string | undefined, name: string): KObject {
    return toScale(this.get(t, namespace, name));
  }

  updateScale(t: ResourceType, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): KObject {
    const current = this.get(t, namespace, name);
    const scale = body as KObject;
    if (!scale || typeof scale !== "object" || !scale.spec) throw badRequest("the body must be an autoscaling/v1 Scale");
    const replicas = scale.spec.replicas ?? 0;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(422, "Invalid", `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
        name,
        group: "autoscaling",
        kind: "Scale",
        causes: [{ reason: "FieldValueInvalid", field: "spec.replicas", message: "must be greater than or equal to 0" }],
      });
    }
    const rv = scale.metadata?.resourceVersion;
    if (rv && rv !== current.metadata.resourceVersion) throw conflict(t, name);
    const next: KObject = { ...current, spec: { ...current.spec, replicas }, metadata: { ...current.metadata } };
    return toScale(this.write(t, current, next, opts, { manager: opts.fieldManager ?? "unknown", subresource: "scale" }));
  }

  patchScale(t: ResourceType, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): KObject {
    if (type === "apply") return this.patchObject(t, {}, type, patch);
    const scale = this.getScale(t, namespace, name);
    // Scale is a built-in kind: strategic merge applies to it even when the parent is a custom resource.
    const patched = applyPatch(type, scale, patch);
    return this.updateScale(t, namespace, name, patched, opts);
  }

  // --- helpers ---

  /** Prunes, defaults and schema-checks a custom resource (see schema/admission.ts); built-ins pass. */
  private admit(t: ResourceType, obj: KObject, opts: WriteOptions): ReturnType<typeof admitWithSchema> {
    return admitWithSchema(this.schemas, t, obj, opts.admission ?? { fieldValidation: "Warn", warnings: [] });
  }

  /** Copies the body, checks kind/apiVersion/namespace against the URL, and fills them in when absent. */
  private normalize(t: ResourceType, namespace: string | undefined, body: unknown): KObject {
    if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("the request body must be a JSON object");
    const obj = structuredClone(body) as KObject;
    const apiVersion = apiVersionOf(t);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
    }
    if (obj.kind !== undefined && obj.kind !== t.kind) {
      throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${t.kind})`);
    }
    obj.apiVersion = apiVersion;
    obj.kind = t.kind;
    if (!obj.metadata || typeof obj.metadata !== "object") obj.metadata = {};
    if (t.namespaced) {
      const ns = obj.metadata.namespace;
      if (!namespace) throw methodNotAllowed();
      if (ns !== undefined && ns !== "" && ns !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      if (!validateNamespaceName(namespace)) throw badRequest(`invalid namespace "${namespace}"`);
      obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  private randomSuffix(): string {
    let s = "";
    for (let i = 0; i < 5; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
    return s;
  }

  private timestamp(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  allocateClusterIP(): string {
    const n = this.nextServiceIp++;
    return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  }
}

function invalidParam(field: string, message: string): ApiError {
  return new ApiError(422, "Invalid", `${field}: ${message}`, { causes: [{ reason: "FieldValueInvalid", field, message }] });
}

export { defaultManager };

function toScale(d: KObject): KObject {
  const sel = d.spec?.selector?.matchLabels as Record<string, string> | undefined;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec?.replicas ?? 0 },
    status: {
      replicas: d.status?.replicas ?? 0,
      selector: Object.entries(sel ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    },
  };
}
