// ReplaceGraph and re-placement after a member is lost: solve again with the current placement as `current`
// (so moves cost), then patch only the policies and exports that change. Workloads are not touched.
import { ClusterInventory, type HeldCapacity } from "../clusters/inventory.js";
import { FailedPreconditionError, NotFoundError } from "../errors.js";
import type { EventRecord, PlacementRecord, ServiceRecord, ServiceStatus } from "../ports/store.js";
import type { PlacementResult } from "../../solver/types.js";
import { toStored } from "./actions.js";
import type { LifecycleCore } from "./core.js";
import { placementFields } from "./deploy.js";
import { appliedServices, planReplace } from "./plan.js";
import { solvePlacement, STATIC_STRATEGY } from "./placement.js";
import type { GraphView, ReplaceRequest } from "./types.js";

export interface ReplaceInternal {
  /** Members to leave out (a lost cluster). */
  exclude?: string[];
  /** Why the re-placement runs, recorded with the decision. */
  trigger?: string;
}

export function replaceGraph(
  core: LifecycleCore,
  name: string,
  req: ReplaceRequest,
  internal: ReplaceInternal = {},
): Promise<{ graph: GraphView; decision: PlacementRecord }> {
  return core.mutex.run(name, async () => {
    const graph = await core.store.graphs.get(name);
    if (!graph) throw new NotFoundError(`graph ${name} not found`);
    requireReplaceable(name, graph.status);
    const model = core.modelOf(graph);
    const services = await core.store.services.listByGraph(name);

    // Current replicas as the Deployment informer last saw them (the elasticity loop may have scaled since
    // deploy); stored ones otherwise. No request to Karmada.
    const synced = core.karmada.replicaCache().synced;
    const replicas: Record<string, number> = {};
    for (const s of services) {
      const live = synced && s.status === "deployed" ? core.karmada.cachedReplicas(graph.project, s.name) : undefined;
      replicas[s.name] = live?.desired ?? s.desiredReplicas;
    }
    const exclude = internal.exclude ?? [];
    const snapshot = await core.inventory.snapshot({ persist: true });
    const clusters = ClusterInventory.solverView(snapshot.clusters, { exclude, held: heldCapacity(services, replicas, exclude) });
    const known = new Set(clusters.map((c) => c.name));
    const current: Record<string, string> = {};
    for (const s of services) if (s.cluster && known.has(s.cluster)) current[s.name] = s.cluster;

    const strategy = req.strategy || (graph.strategy === STATIC_STRATEGY ? "optimal" : graph.strategy);
    const trigger = internal.trigger ?? "ReplaceGraph";
    const decision = await solvePlacement(
      core.solver,
      {
        services: model.services,
        connections: model.connections,
        coLocationGroups: model.coLocationGroups,
        clusters,
        replicas,
        current,
        weights: req.weights,
        strategy,
      },
      "strategy",
    );
    if (decision.status === "infeasible") {
      const event = await core.store.events.append({
        graph: name,
        type: "failed",
        service: null,
        message: `re-placement (${trigger}) infeasible: ${decision.reason}`,
        details: { trigger, strategy, reason: decision.reason },
      });
      core.hub.published([event]);
      throw new FailedPreconditionError(`graph ${name} cannot be re-placed: ${decision.reason}`);
    }

    const { placement, events } = await commitReplace(core, name, replicas, decision, trigger);
    await core.afterCommit(name, "replace", events);
    return { graph: await core.view(name), decision: placement };
  });
}

function requireReplaceable(name: string, status: string): void {
  if (status !== "running" && status !== "deploying") {
    throw new FailedPreconditionError(`cannot re-place graph ${name}: it is ${status} (re-placement needs running or deploying)`);
  }
}

async function commitReplace(
  core: LifecycleCore,
  name: string,
  replicas: Record<string, number>,
  decision: PlacementResult,
  trigger: string,
): Promise<{ placement: PlacementRecord; events: EventRecord[] }> {
  return core.store.transaction(async (tx) => {
    const graph = await core.requireGraph(tx, name, true);
    requireReplaceable(name, graph.status);
    const services = await tx.services.listByGraph(name);
    const previous: Record<string, string> = {};
    const statuses: Record<string, ServiceStatus> = {};
    for (const s of services) {
      if (s.cluster) previous[s.name] = s.cluster;
      statuses[s.name] = s.status;
    }
    const moved = services.filter((s) => decision.placement[s.name] && decision.placement[s.name] !== s.cluster).map((s) => s.name);
    for (const s of services) {
      const cluster = decision.placement[s.name] ?? s.cluster;
      const desired = replicas[s.name] ?? s.desiredReplicas;
      if (cluster !== s.cluster || desired !== s.desiredReplicas) {
        await tx.services.update(name, s.name, { cluster, desiredReplicas: desired });
      }
    }
    const record = { ...decision, moved };
    const placement = await tx.placements.add(placementFields(name, record, trigger));
    const event = await tx.events.append({
      graph: name,
      type: "replaced",
      service: null,
      message:
        moved.length === 0
          ? `${trigger}: placement unchanged (${decision.reason})`
          : `${trigger}: moved ${moved.map((s) => `${s} ${previous[s] ?? "-"}→${decision.placement[s]}`).join(", ")}`,
      details: { trigger, moved, placement: decision.placement, previous, objective: decision.objective, reason: decision.reason, strategy: decision.strategy },
    });
    const model = core.modelOf(graph);
    const ctx = core.planContext(graph, model, services);
    ctx.placement = { ...ctx.placement, ...decision.placement };
    await tx.outbox.enqueue(name, toStored(planReplace(ctx, previous, appliedServices(statuses, await tx.outbox.pending(name)))));
    return { placement, events: [event] };
  });
}

/** What the graph's applied services hold on each cluster, added back to its free capacity for the solve. */
function heldCapacity(services: ServiceRecord[], replicas: Record<string, number>, exclude: string[]): Map<string, HeldCapacity> {
  const held = new Map<string, HeldCapacity>();
  for (const s of services) {
    if (s.status !== "deployed" || !s.cluster || exclude.includes(s.cluster)) continue;
    const r = replicas[s.name] ?? s.desiredReplicas;
    const h = held.get(s.cluster) ?? { cpu: 0, memoryBytes: 0, gpu: 0 };
    h.cpu += s.cpu * r;
    h.memoryBytes += s.memoryBytes * r;
    h.gpu += s.gpu * r;
    held.set(s.cluster, h);
  }
  return held;
}

/** Graphs with an applied service on `cluster`: the ones a lost member forces to move. */
export async function graphsOnCluster(core: LifecycleCore, cluster: string): Promise<string[]> {
  const out: string[] = [];
  for (const g of await core.store.graphs.list()) {
    if (g.status !== "running" && g.status !== "deploying") continue;
    const services = await core.store.services.listByGraph(g.name);
    if (services.some((s) => s.cluster === cluster)) out.push(g.name);
  }
  return out;
}
