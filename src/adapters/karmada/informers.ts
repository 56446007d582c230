// The shared informers of one Karmada connection: one per resource smo reads, created on first use and shared by
// every consumer (inventory, elasticity readiness, the read model, reconcile). Objects smo writes carry
// `app.kubernetes.io/managed-by=smo`; the owned-kind informers select on that label so a busy federation's other
// objects cost nothing. Deployments are watched unfiltered: charts installed by helm label their own.
import type { ConfigurationOptions, ObservableMiddleware } from "@kubernetes/client-node";
import type { ObjectChange, ObservedObject, OwnedKind, Subscription } from "../../core/ports/karmada.js";
import { callKube } from "./call.js";
import { CLUSTER_API } from "./clusters.js";
import { MANAGED_BY, type ResourceType } from "./custom-objects.js";
import type { KubeAccess } from "./kube.js";
import { FIELD_MANAGER } from "./ownership.js";
import { PROPAGATION_POLICY, SERVICE_EXPORT, SERVICE_IMPORT } from "./placement.js";
import { SharedInformer, type ObjectMeta } from "./informer.js";

export const MANAGED_SELECTOR = Object.entries(MANAGED_BY)
  .map(([k, v]) => `${k}=${v}`)
  .join(",");

interface Listed {
  items?: unknown[];
  metadata?: { resourceVersion?: string };
}

function listed(list: Listed): { items: unknown[]; resourceVersion: string } {
  return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? "" };
}


/**
 * The parts of an object whose change by someone else is drift: its spec (less replicas, which elasticity owns
 * through the scale subresource) and smo's own label. Labels and annotations other controllers add (Karmada marks
 * resource templates with its policy's ids) are theirs to change.
 */
function desiredPart(object: unknown): string {
  const o = object as ObjectMeta & { spec?: Record<string, unknown> };
  const { replicas: _replicas, ...spec } = (o.spec ?? {}) as Record<string, unknown>;
  return JSON.stringify([spec, o.metadata?.labels?.["app.kubernetes.io/managed-by"] ?? null]);
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string;
  subresource?: string;
}

function managedFields(object: unknown): ManagedFieldsEntry[] {
  return ((object as { metadata?: { managedFields?: ManagedFieldsEntry[] } }).metadata?.managedFields ?? []).filter((e) => !e.subresource);
}

/**
 * Who made an update: the managers whose managedFields entry is new or has a new time in `object`. (A manager that
 * lost fields to another's forced apply keeps its entry's time, so it is not taken for the writer.)
 */
function writersOf(previous: unknown, object: unknown): string[] {
  const key = (e: ManagedFieldsEntry) => `${e.manager}|${e.operation}|${e.time}`;
  const before = new Set(managedFields(previous).map(key));
  return [...new Set(managedFields(object).filter((e) => !before.has(key(e))).map((e) => e.manager ?? ""))].filter(Boolean);
}

const isSmo = (manager: string) => manager === FIELD_MANAGER || manager.startsWith(`${FIELD_MANAGER}-`);

export class KarmadaInformers {
  private readonly made = new Map<string, SharedInformer<unknown>>();

  constructor(
    private readonly access: KubeAccess,
    private readonly resyncMs: number,
  ) {}

  /** The one informer of a resource: made on first use from its collection path and its LIST call. */
  private informer(
    what: string,
    path: string,
    list: (options: ConfigurationOptions<ObservableMiddleware>) => Promise<unknown>,
    labelSelector?: string,
  ): SharedInformer<unknown> {
    let found = this.made.get(what);
    if (!found) {
      const { access } = this;
      found = new SharedInformer<unknown>(
        access,
        { what, path, labelSelector, list: async () => listed((await callKube(access.policy, `list ${what}`, list)) as Listed) },
        { resyncMs: this.resyncMs },
      );
      this.made.set(what, found);
    }
    return found;
  }

  get clusters(): SharedInformer<unknown> {
    return this.informer("clusters", `/apis/${CLUSTER_API.group}/${CLUSTER_API.version}/${CLUSTER_API.plural}`, (options) =>
      this.access.custom.listClusterCustomObject({ ...CLUSTER_API }, options),
    );
  }

  /** Every Deployment (charts installed by helm label their own, so no selector). */
  get deployments(): SharedInformer<unknown> {
    return this.informer("deployments", "/apis/apps/v1/deployments", (options) => this.access.apps.listDeploymentForAllNamespaces({}, options));
  }

  get services(): SharedInformer<unknown> {
    return this.informer(
      "services",
      "/api/v1/services",
      (options) => this.access.core.listServiceForAllNamespaces({ labelSelector: MANAGED_SELECTOR }, options),
      MANAGED_SELECTOR,
    );
  }

  custom(type: ResourceType): SharedInformer<unknown> {
    const { group, version, plural } = type;
    return this.informer(
      plural,
      `/apis/${group}/${version}/${plural}`,
      (options) => this.access.custom.listClusterCustomObject({ group, version, plural, labelSelector: MANAGED_SELECTOR }, options),
      MANAGED_SELECTOR,
    );
  }

  /** The informer of each kind smo owns. */
  owned(kind: OwnedKind): SharedInformer<unknown> {
    switch (kind) {
      case "Deployment":
        return this.deployments;
      case "Service":
        return this.services;
      case "PropagationPolicy":
        return this.custom(PROPAGATION_POLICY);
      case "ServiceExport":
        return this.custom(SERVICE_EXPORT);
      case "ServiceImport":
        return this.custom(SERVICE_IMPORT);
    }
  }

  observedObjects(kind: OwnedKind, namespace: string): ReadonlyMap<string, ObservedObject> | undefined {
    const informer = this.owned(kind);
    informer.start();
    if (!informer.state.synced) return undefined;
    const out = new Map<string, ObservedObject>();
    for (const object of informer.list()) {
      const o = object as ObjectMeta & { spec?: { placement?: { clusterAffinity?: { clusterNames?: string[] } } } };
      if (o.metadata?.namespace !== namespace || !o.metadata.name) continue;
      const clusters = kind === "PropagationPolicy" ? (o.spec?.placement?.clusterAffinity?.clusterNames ?? []) : undefined;
      out.set(o.metadata.name, { name: o.metadata.name, clusters });
    }
    return out;
  }

  /**
   * Owned objects that someone else deleted or changed, and every owned object at each resync: what a
   * level-triggered reconcile needs. Changes smo makes itself also arrive here; reconcile is idempotent.
   */
  watchObjects(onChange: (changes: ObjectChange[]) => void): Subscription {
    const kinds: OwnedKind[] = ["Deployment", "Service", "PropagationPolicy", "ServiceExport", "ServiceImport"];
    const subs = kinds.map((kind) => {
      const informer = this.owned(kind);
      const change = (object: unknown, what: ObjectChange["change"], writers: string[] = []): ObjectChange => {
        const meta = (object as ObjectMeta).metadata ?? {};
        const others = writers.filter((m) => !isSmo(m));
        return {
          kind,
          namespace: meta.namespace ?? "",
          name: meta.name ?? "",
          change: what,
          labels: meta.labels ?? {},
          manager: others[0] ?? writers[0],
          byOthers: others.length > 0,
        };
      };
      return informer.addHandlers({
        onDelete: (object) => onChange([change(object, "deleted")]),
        onUpdate: (previous, object) => {
          if (desiredPart(previous) !== desiredPart(object)) onChange([change(object, "modified", writersOf(previous, object))]);
        },
        onResync: (objects) => onChange(objects.map((o) => change(o, "resync"))),
      });
    });
    return { stop: () => subs.forEach((s) => s.stop()) };
  }

  /** Every informer made so far. */
  all(): SharedInformer<unknown>[] {
    return [...this.made.values()];
  }

  stop(): void {
    for (const informer of this.made.values()) informer.stop();
    this.made.clear();
  }
}
