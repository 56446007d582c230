// The outbox: every effect a mutation has outside the database, written as data in the same transaction as the
// state change and applied after commit, in order. Each action is idempotent, so applying a row twice (a crash
// between applying and completing it) changes nothing. State actions (mark-*, delete-graph, dashboards that
// store URLs) complete in the same transaction as their write, so they run exactly once.
import type { GraphEventType } from "../events.js";
import type { GraphIntent, ServiceModel } from "../hdag/model.js";
import type { AlertRule } from "../ports/observability.js";
import type { GraphStatus, ServiceStatus } from "../ports/store.js";

export interface EventSpecForAction {
  type: GraphEventType;
  message: string;
  service?: string | null;
  details?: unknown;
}

export type OutboxAction =
  | { kind: "ensure-namespace"; namespace: string }
  | {
      kind: "apply-workload";
      namespace: string;
      graph: { id: string; intent: GraphIntent };
      service: ServiceModel;
      clusters: string[];
      importClusters: string[];
      replicas: number;
    }
  | { kind: "remove-workload"; namespace: string; graphId: string; service: ServiceModel }
  | { kind: "apply-placement"; namespace: string; service: string; clusters: string[] }
  | { kind: "remove-placement"; namespace: string; service: string }
  | { kind: "apply-export"; namespace: string; service: string; exportCluster: string; importClusters: string[] }
  | { kind: "remove-export"; namespace: string; service: string }
  | { kind: "upsert-rule"; rule: AlertRule }
  | { kind: "remove-rule"; alert: string }
  | { kind: "publish-dashboards" }
  | { kind: "remove-dashboard"; uid: string }
  | { kind: "mark-services"; statuses: Record<string, ServiceStatus> }
  | { kind: "mark-graph"; status?: GraphStatus; message: string | null; event?: EventSpecForAction }
  | { kind: "delete-graph"; event: EventSpecForAction };

export type ActionKind = OutboxAction["kind"];

/** Actions whose objects depend on mutable state (placement, replicas): stored as references, resolved when applied. */
export type ConvergeKind = "apply-workload" | "apply-placement" | "apply-export";

/**
 * What an outbox row stores for a converge action: what to converge (kind, namespace, service), not the objects.
 * The executor computes the desired objects from the stored state when it applies the row, so a row never writes
 * an older state over a later commit (level-triggered). docs/lifecycle.md#level-triggered-reconcile.
 */
export interface ActionReference {
  kind: ConvergeKind;
  namespace: string;
  service: string;
  ref: true;
}

/** A stored row's action: a reference for converge kinds, the action itself for the rest. */
export type StoredAction = OutboxAction | ActionReference;

export function isConvergeKind(kind: string): kind is ConvergeKind {
  return kind === "apply-workload" || kind === "apply-placement" || kind === "apply-export";
}

/** The service a converge action (reference, or a full action of an older row) is about. */
export function convergeService(action: StoredAction): string {
  const s = (action as { service: string | { id: string } }).service;
  return typeof s === "string" ? s : s.id;
}

/** The rows to store for a plan: converge actions become references. */
export function toStored(actions: readonly OutboxAction[]): StoredAction[] {
  return actions.map((a) => (isConvergeKind(a.kind) ? { kind: a.kind, namespace: (a as { namespace: string }).namespace, service: convergeService(a), ref: true } : a));
}

/** Actions whose failure must not hold the graph back (dashboards): failures are logged, retried when transient. */
export function isBestEffort(action: OutboxAction): boolean {
  return action.kind === "publish-dashboards" || action.kind === "remove-dashboard";
}

export function isStateAction(action: OutboxAction): boolean {
  return action.kind === "mark-services" || action.kind === "mark-graph" || action.kind === "delete-graph";
}

/** One line for logs and error messages. */
export function describeAction(stored: StoredAction): string {
  if ("ref" in stored) return `${stored.kind} ${stored.namespace}/${stored.service} (from the stored state)`;
  const action = stored;
  switch (action.kind) {
    case "ensure-namespace":
      return `ensure namespace ${action.namespace}`;
    case "apply-workload":
      return `apply workload ${action.namespace}/${action.service.id} on ${action.clusters.join(",")}`;
    case "remove-workload":
      return `remove workload ${action.namespace}/${action.service.id}`;
    case "apply-placement":
      return `apply PropagationPolicy ${action.namespace}/${action.service} → ${action.clusters.join(",")}`;
    case "remove-placement":
      return `remove PropagationPolicy ${action.namespace}/${action.service}`;
    case "apply-export":
      return `export ${action.namespace}/${action.service} from ${action.exportCluster} to ${action.importClusters.join(",") || "-"}`;
    case "remove-export":
      return `remove export/import ${action.namespace}/${action.service}`;
    case "upsert-rule":
      return `upsert alert rule ${action.rule.alert}`;
    case "remove-rule":
      return `remove alert rule ${action.alert}`;
    case "publish-dashboards":
      return "publish dashboards";
    case "remove-dashboard":
      return `remove dashboard ${action.uid}`;
    case "mark-services":
      return `mark services ${Object.entries(action.statuses).map(([s, st]) => `${s}=${st}`).join(",")}`;
    case "mark-graph":
      return `mark graph ${action.status ?? "(status kept)"}`;
    case "delete-graph":
      return "delete graph state";
  }
}
