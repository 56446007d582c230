// Applies outbox rows. Karmada, rule and dashboard actions are idempotent calls followed by completing the row
// (a crash in between re-applies them harmlessly); state actions write and complete in one transaction.
import type { Logger } from "../../observability/logger.js";
import type { Deployer, KarmadaClient } from "../ports/karmada.js";
import type { AlertRuleSink } from "../ports/observability.js";
import type { ProjectOwnership } from "../ports/ownership.js";
import type { EventRecord, OutboxRecord, Repositories, Store } from "../ports/store.js";
import { convergeService, isConvergeKind, type EventSpecForAction, type OutboxAction, type StoredAction } from "./actions.js";
import type { DashboardBuilder, DashboardTarget } from "./types.js";
import type { DashboardPublisher } from "../ports/observability.js";

export interface ExecutorDeps {
  store: Store;
  karmada: KarmadaClient;
  deployer: Deployer;
  rules?: AlertRuleSink;
  dashboards?: { publisher: DashboardPublisher; builder: DashboardBuilder };
  logger: Logger;
  /** Several processes on one database: every action is fenced by the project's lease. Absent: one process. */
  ownership?: ProjectOwnership;
  /** Events appended by state actions, after their transaction committed. */
  onEvents(events: EventRecord[]): void;
  /** The graph's state was deleted (last action of a remove). */
  onGraphDeleted(graph: string, finalEvents: EventRecord[]): void;
  /**
   * A converge action as the graph's stored state says now (objects rendered at apply time); undefined when the
   * graph or service is gone or no longer needs it.
   */
  resolve(graph: string, kind: OutboxAction["kind"], service: string): Promise<OutboxAction | undefined>;
}

const STATE_ACTIONS = new Set<OutboxAction["kind"]>(["mark-services", "mark-graph", "delete-graph"]);

export class ActionExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  /** `project` is the graph's (its lease fences the action). */
  async apply(row: OutboxRecord, project: string): Promise<void> {
    const stored = row.action as StoredAction;
    let action: OutboxAction;
    if (isConvergeKind(stored.kind)) {
      // Level-triggered: what to converge comes from the row, the desired objects from the state now.
      const resolved = await this.deps.resolve(row.graph, stored.kind, convergeService(stored));
      if (!resolved) return this.complete(row, project);
      action = resolved;
    } else {
      action = stored as OutboxAction;
    }
    const { karmada, deployer, ownership } = this.deps;
    // Karmada cannot check a fencing token: prove the lease just before the call, and again when completing.
    if (ownership && !STATE_ACTIONS.has(action.kind)) await ownership.fence(project);
    switch (action.kind) {
      case "ensure-namespace":
        await karmada.ensureNamespace(action.namespace);
        break;
      case "apply-workload":
        await deployer.apply(
          action.namespace,
          action.graph,
          action.service,
          { clusters: action.clusters, importClusters: action.importClusters },
          action.replicas,
        );
        break;
      case "remove-workload":
        await deployer.remove(action.namespace, action.graphId, action.service);
        break;
      case "apply-placement":
        await karmada.applyPlacement(action.namespace, action.service, action.clusters);
        break;
      case "remove-placement":
        await karmada.removePlacement(action.namespace, action.service);
        break;
      case "apply-export":
        await karmada.applyServiceExport(action.namespace, action.service, action.exportCluster, action.importClusters);
        break;
      case "remove-export":
        await karmada.removeServiceExport(action.namespace, action.service);
        break;
      case "upsert-rule":
        if (this.deps.rules) await this.deps.rules.upsertRule(action.rule);
        break;
      case "remove-rule":
        if (this.deps.rules) await this.deps.rules.removeRule(action.alert);
        break;
      case "remove-dashboard":
        if (this.deps.dashboards) await this.deps.dashboards.publisher.remove(action.uid);
        break;
      case "publish-dashboards":
        return this.publishDashboards(row, project);
      case "mark-services":
      case "mark-graph":
      case "delete-graph":
        return this.applyState(row, action, project);
    }
    await this.complete(row, project);
  }

  /** Completes an applied row; with several processes, only under a lease still held (same transaction). */
  private async complete(row: OutboxRecord, project: string): Promise<void> {
    const { ownership, store } = this.deps;
    if (!ownership) return store.outbox.complete(row.id);
    await store.transaction(async (tx) => {
      if (!(await tx.outbox.claim(row.id))) return; // applied meanwhile (or being completed elsewhere)
      await ownership.fence(project, tx.leases);
      await tx.outbox.complete(row.id);
    });
  }

  private async applyState(row: OutboxRecord, action: OutboxAction, project: string): Promise<void> {
    const appended: EventRecord[] = [];
    let deleted = false;
    await this.deps.store.transaction(async (tx) => {
      const graph = await tx.graphs.lock(row.graph);
      if (!graph) return; // removed meanwhile: its outbox went with it
      if (this.deps.ownership) {
        if (!(await tx.outbox.claim(row.id))) return;
        await this.deps.ownership.fence(project, tx.leases);
      }
      switch (action.kind) {
        case "mark-services":
          for (const [service, status] of Object.entries(action.statuses)) {
            if (await tx.services.get(row.graph, service)) await tx.services.update(row.graph, service, { status });
          }
          break;
        case "mark-graph":
          await tx.graphs.update(row.graph, { ...(action.status ? { status: action.status } : {}), message: action.message });
          if (action.event) appended.push(await appendEvent(tx, row.graph, action.event));
          break;
        case "delete-graph":
          appended.push(await appendEvent(tx, row.graph, action.event));
          await tx.graphs.delete(row.graph);
          deleted = true;
          return; // the row went with the graph
      }
      await tx.outbox.complete(row.id);
    });
    if (deleted) this.deps.onGraphDeleted(row.graph, appended);
    else if (appended.length > 0) this.deps.onEvents(appended);
  }

  private async publishDashboards(row: OutboxRecord, project: string): Promise<void> {
    const { store, dashboards, ownership } = this.deps;
    if (!dashboards) return this.complete(row, project);
    const graph = await store.graphs.get(row.graph);
    if (!graph) return;
    const target = dashboardTarget(graph.name, graph.project, await store.services.listByGraph(graph.name));
    const graphUrl = (await dashboards.publisher.publish(dashboards.builder.graphDashboard(target))).url;
    const serviceUrls = new Map<string, string>();
    for (const s of target.services) {
      serviceUrls.set(s.name, (await dashboards.publisher.publish(dashboards.builder.serviceDashboard(target, s.name))).url);
    }
    await store.transaction(async (tx) => {
      if (!(await tx.graphs.lock(row.graph))) return;
      if (ownership) await ownership.fence(project, tx.leases);
      await tx.graphs.update(row.graph, { dashboardUrl: graphUrl });
      for (const [service, url] of serviceUrls) {
        if (await tx.services.get(row.graph, service)) await tx.services.update(row.graph, service, { dashboardUrl: url });
      }
      await tx.outbox.complete(row.id);
    });
  }
}

export function dashboardTarget(
  graph: string,
  project: string,
  services: { name: string; cluster: string | null }[],
): DashboardTarget {
  return { graph, project, services: services.map((s) => ({ name: s.name, cluster: s.cluster })) };
}

export function appendEvent(tx: Repositories, graph: string, event: EventSpecForAction): Promise<EventRecord> {
  return tx.events.append({
    graph,
    type: event.type,
    service: event.service ?? null,
    message: event.message,
    details: event.details ?? null,
  });
}
