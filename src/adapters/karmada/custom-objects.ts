// Typed-error CRUD on one namespaced custom resource type (PropagationPolicy, ServiceExport, ...) through
// client-node's CustomObjectsApi, every call under the connection's call policy; smo's own writes go through
// applyOwned / removeOwned (server-side apply as field manager `smo`, ownership checked, see ownership.ts).
import { PatchStrategy } from "@kubernetes/client-node";
import { AlreadyExistsError, ConflictError } from "../../core/errors.js";
import { callKube, ignoreNotFound, orUndefined } from "./call.js";
import type { KubeAccess } from "./kube.js";
import { checkOwnership, conflictRefused, FIELD_MANAGER, ownConflict, refusal, type Expectation } from "./ownership.js";

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "smo" } as const;

export function apiVersionOf(type: ResourceType): string {
  return `${type.group}/${type.version}`;
}

export class NamespacedResource {
  constructor(
    private readonly access: KubeAccess,
    readonly type: ResourceType,
  ) {}

  private base(namespace: string) {
    return { group: this.type.group, version: this.type.version, plural: this.type.plural, namespace };
  }

  private what(verb: string, namespace: string, name?: string): string {
    return `${verb} ${this.type.kind} ${namespace}/${name ?? ""}`;
  }

  get(namespace: string, name: string): Promise<KubeObject | undefined> {
    return orUndefined(
      callKube(this.access.policy, this.what("get", namespace, name), (options) =>
        this.access.custom.getNamespacedCustomObject({ ...this.base(namespace), name }, options),
      ),
    );
  }

  create(namespace: string, body: KubeObject): Promise<KubeObject> {
    return callKube(this.access.policy, this.what("create", namespace, body.metadata?.name), (options) =>
      this.access.custom.createNamespacedCustomObject({ ...this.base(namespace), body }, options),
    );
  }

  mergePatch(namespace: string, name: string, patch: Record<string, unknown>): Promise<KubeObject> {
    return callKube(
      this.access.policy,
      this.what("patch", namespace, name),
      (options) => this.access.custom.patchNamespacedCustomObject({ ...this.base(namespace), name, body: patch }, options),
      { contentType: PatchStrategy.MergePatch },
    );
  }

  /** PUT with the object's resourceVersion: ConflictError when someone else wrote it meanwhile. */
  replace(namespace: string, name: string, body: KubeObject): Promise<KubeObject> {
    return callKube(this.access.policy, this.what("replace", namespace, name), (options) =>
      this.access.custom.replaceNamespacedCustomObject({ ...this.base(namespace), name, body }, options),
    );
  }

  /** Idempotent. */
  remove(namespace: string, name: string): Promise<void> {
    return ignoreNotFound(
      callKube(this.access.policy, this.what("delete", namespace, name), (options) =>
        this.access.custom.deleteNamespacedCustomObject({ ...this.base(namespace), name }, options),
      ),
    );
  }

  /** Server-side apply of `body` as field manager `smo` (creates the object when absent). */
  apply(namespace: string, body: KubeObject, force = false): Promise<KubeObject> {
    const name = body.metadata?.name ?? "";
    return callKube(
      this.access.policy,
      this.what("apply", namespace, name),
      (options) =>
        this.access.custom.patchNamespacedCustomObject(
          // Strict: a field the CRD does not know fails the write instead of being pruned silently.
          { ...this.base(namespace), name, body, fieldManager: FIELD_MANAGER, fieldValidation: "Strict", ...(force ? { force: true } : {}) },
          options,
        ),
      { contentType: PatchStrategy.ServerSideApply },
    );
  }

  /**
   * Applies `body` when the object is absent or smo's (FAILED_PRECONDITION otherwise); a conflict is forced
   * only when every conflicting manager is smo's own, else it is FAILED_PRECONDITION naming the manager.
   */
  async applyOwned(namespace: string, body: KubeObject, expect: Expectation = {}, read?: KubeObject | null): Promise<KubeObject> {
    const name = body.metadata?.name ?? "";
    // `read`: the object as the caller just read it (null: absent), saving a GET.
    const existing = read === undefined ? await this.get(namespace, name) : (read ?? undefined);
    checkOwnership(`${this.type.kind} ${namespace}/${name}`, existing, expect);
    try {
      return await this.apply(namespace, body);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (!ownConflict(err, existing, expect)) throw conflictRefused(`apply ${this.type.kind} ${namespace}/${name}`, err);
      return this.apply(namespace, body, true);
    }
  }

  /** Deletes the object if it is smo's; an object smo does not own is left alone (logged). Idempotent. */
  async removeOwned(namespace: string, name: string, expect: Expectation = {}): Promise<void> {
    const existing = await this.get(namespace, name);
    if (!existing) return;
    const why = refusal(`${this.type.kind} ${namespace}/${name}`, existing, expect);
    if (why) {
      this.access.policy.logger.warn({ kind: this.type.kind, namespace, name }, why);
      return;
    }
    await this.remove(namespace, name);
  }

  /** Create, or merge-patch `patch` into the existing object of that name. */
  async createOrPatch(namespace: string, body: KubeObject, patch: Record<string, unknown>): Promise<void> {
    const name = body.metadata?.name ?? "";
    try {
      await this.create(namespace, body);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      await this.mergePatch(namespace, name, patch);
    }
  }
}
