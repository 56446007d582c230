// Turns a lifecycle step (deploy, start, trigger, stop, remove, re-place) into the ordered outbox actions it
// needs. Pure: the same inputs give the same list, which is what makes a resumed outbox converge.
import type { Connection, GraphIntent, ServiceModel } from "../hdag/model.js";
import type { OutboxRecord, ServiceStatus } from "../ports/store.js";
import { convergeService, type ConvergeKind, type OutboxAction, type StoredAction } from "./actions.js";
import { rulesForService } from "./alerts.js";

export interface PlanContext {
  /** Kubernetes namespace = project. */
  namespace: string;
  graph: { id: string; intent: GraphIntent };
  /** Every service of the graph, in descriptor order. */
  services: ServiceModel[];
  connections: Connection[];
  /** Service name to member cluster. */
  placement: Record<string, string>;
  /** Service name to replica count. */
  replicas: Record<string, number>;
  /** An AlertRuleSink is configured. */
  rules: boolean;
  /** A DashboardPublisher is configured. */
  dashboards: boolean;
}

export function isEventTriggered(service: ServiceModel): boolean {
  return service.trigger.kind === "event";
}

/** Clusters where callers of `callee` run (ServiceImport targets), deduplicated, in descriptor order. */
export function importClustersOf(callee: string, connections: Connection[], placement: Record<string, string>): string[] {
  const out: string[] = [];
  for (const c of connections) {
    const cluster = placement[c.from];
    if (c.to === callee && cluster && !out.includes(cluster)) out.push(cluster);
  }
  return out;
}

/** Services that some other service connects to: they get a ServiceExport and ServiceImport. */
export function calleesOf(connections: Connection[]): Set<string> {
  return new Set(connections.map((c) => c.to));
}

function workloadActions(ctx: PlanContext, service: ServiceModel): OutboxAction[] {
  const cluster = ctx.placement[service.id];
  const clusters = cluster ? [cluster] : [];
  return [
    {
      kind: "apply-workload",
      namespace: ctx.namespace,
      graph: ctx.graph,
      service,
      clusters,
      importClusters: importClustersOf(service.id, ctx.connections, ctx.placement),
      replicas: ctx.replicas[service.id] ?? service.scaling.minReplicas,
    },
    { kind: "apply-placement", namespace: ctx.namespace, service: service.id, clusters },
  ];
}

function exportAction(ctx: PlanContext, callee: string): OutboxAction[] {
  const cluster = ctx.placement[callee];
  if (!cluster || !calleesOf(ctx.connections).has(callee)) return [];
  return [
    {
      kind: "apply-export",
      namespace: ctx.namespace,
      service: callee,
      exportCluster: cluster,
      importClusters: importClustersOf(callee, ctx.connections, ctx.placement),
    },
  ];
}

/** Deploy and start: every auto service applied, every event-triggered service armed (rules) and pending. */
export function planDeploy(ctx: PlanContext, event: { type: "deployed" | "started"; message: string }): OutboxAction[] {
  const actions: OutboxAction[] = [{ kind: "ensure-namespace", namespace: ctx.namespace }];
  const statuses: Record<string, ServiceStatus> = {};
  const auto = ctx.services.filter((s) => !isEventTriggered(s));
  for (const s of auto) actions.push(...workloadActions(ctx, s));
  for (const s of auto) actions.push(...exportAction(ctx, s.id));
  for (const s of ctx.services) {
    if (isEventTriggered(s)) {
      if (ctx.rules) for (const rule of rulesForService(ctx.graph.id, s)) actions.push({ kind: "upsert-rule", rule });
      statuses[s.id] = "pending";
    } else {
      statuses[s.id] = "deployed";
    }
  }
  actions.push({ kind: "mark-services", statuses });
  actions.push({ kind: "mark-graph", status: "running", message: null, event });
  if (ctx.dashboards) actions.push({ kind: "publish-dashboards" });
  return actions;
}

/**
 * Repair of a running graph whose Karmada objects went missing or drifted (a federation that lost its state, a
 * policy deleted by hand): re-applies what the stored statuses say is there, changing no status.
 */
export function planRepair(ctx: PlanContext, statuses: Record<string, ServiceStatus>): OutboxAction[] {
  const actions: OutboxAction[] = [{ kind: "ensure-namespace", namespace: ctx.namespace }];
  const deployed = ctx.services.filter((s) => statuses[s.id] === "deployed");
  for (const s of deployed) actions.push(...workloadActions(ctx, s));
  for (const s of deployed) actions.push(...exportAction(ctx, s.id));
  if (ctx.rules) {
    for (const s of ctx.services) {
      if (isEventTriggered(s) && statuses[s.id] === "pending") {
        for (const rule of rulesForService(ctx.graph.id, s)) actions.push({ kind: "upsert-rule", rule });
      }
    }
  }
  return actions;
}

/** An event-triggered service whose alert fired: apply it the same way an auto service is applied at deploy. */
export function planTrigger(ctx: PlanContext, serviceId: string): OutboxAction[] {
  const service = ctx.services.find((s) => s.id === serviceId);
  if (!service) return [];
  return [
    { kind: "ensure-namespace", namespace: ctx.namespace },
    ...workloadActions(ctx, service),
    ...exportAction(ctx, serviceId),
    { kind: "mark-services", statuses: { [serviceId]: "deployed" } },
    { kind: "mark-graph", status: "running", message: null },
  ];
}

/** Everything smo put into Karmada for the graph (exports, policies, workloads) plus its alert rules. */
function teardownActions(ctx: PlanContext): OutboxAction[] {
  const actions: OutboxAction[] = [];
  const callees = calleesOf(ctx.connections);
  for (const s of ctx.services) {
    if (callees.has(s.id)) actions.push({ kind: "remove-export", namespace: ctx.namespace, service: s.id });
  }
  for (const s of ctx.services) {
    actions.push({ kind: "remove-placement", namespace: ctx.namespace, service: s.id });
    actions.push({ kind: "remove-workload", namespace: ctx.namespace, graphId: ctx.graph.id, service: s });
  }
  if (ctx.rules) {
    for (const s of ctx.services) for (const rule of rulesForService(ctx.graph.id, s)) actions.push({ kind: "remove-rule", alert: rule.alert });
  }
  return actions;
}

/** Stop: workloads, policies, exports/imports and rules go; state and dashboards stay. */
export function planStop(ctx: PlanContext): OutboxAction[] {
  const statuses: Record<string, ServiceStatus> = {};
  for (const s of ctx.services) statuses[s.id] = "not-deployed";
  return [
    ...teardownActions(ctx),
    { kind: "mark-services", statuses },
    { kind: "mark-graph", status: "stopped", message: null, event: { type: "stopped", message: "graph stopped" } },
  ];
}

/** Remove: everything smo created, dashboards included, then the state itself. Namespaces are shared and kept. */
export function planRemove(ctx: PlanContext, dashboardUids: string[]): OutboxAction[] {
  return [
    ...teardownActions(ctx),
    ...dashboardUids.map((uid): OutboxAction => ({ kind: "remove-dashboard", uid })),
    { kind: "delete-graph", event: { type: "removed", message: "graph removed" } },
  ];
}

/**
 * Re-placement: patch the policy of each applied service that moved, and the export/import of each applied
 * callee whose export cluster or importing clusters changed. Workloads are not touched. `applied` are the
 * services deployed or about to be (an earlier plan's pending rows apply them first, on the old cluster).
 */
export function planReplace(ctx: PlanContext, previous: Record<string, string>, appliedServices: Set<string>): OutboxAction[] {
  const actions: OutboxAction[] = [];
  const applied = (id: string) => appliedServices.has(id);
  for (const s of ctx.services) {
    const next = ctx.placement[s.id];
    if (applied(s.id) && next && next !== previous[s.id]) {
      actions.push({ kind: "apply-placement", namespace: ctx.namespace, service: s.id, clusters: [next] });
    }
  }
  for (const callee of calleesOf(ctx.connections)) {
    if (!applied(callee)) continue;
    const before = importClustersOf(callee, ctx.connections, previous).join(",");
    const after = importClustersOf(callee, ctx.connections, ctx.placement).join(",");
    if (before !== after || previous[callee] !== ctx.placement[callee]) actions.push(...exportAction(ctx, callee));
  }
  actions.push({ kind: "mark-graph", message: null });
  return actions;
}

/**
 * The action a converge row means now: its objects rendered from `ctx` (the stored state at apply time).
 * Undefined when the service is gone or no longer needs it (e.g. nobody calls it any more: no export).
 */
export function resolveConverge(ctx: PlanContext, kind: ConvergeKind, serviceId: string): OutboxAction | undefined {
  if (kind === "apply-export") return exportAction(ctx, serviceId)[0];
  const service = ctx.services.find((s) => s.id === serviceId);
  if (!service) return undefined;
  return workloadActions(ctx, service).find((a) => a.kind === kind);
}

/** Services deployed now, plus those that pending outbox rows are about to apply. */
export function appliedServices(statuses: Record<string, ServiceStatus>, pending: OutboxRecord[]): Set<string> {
  const out = new Set(Object.keys(statuses).filter((s) => statuses[s] === "deployed"));
  for (const row of pending) {
    const a = row.action as StoredAction;
    if (a.kind === "apply-placement" || a.kind === "apply-workload") out.add(convergeService(a));
  }
  return out;
}
