// StartGraph, StopGraph, RemoveGraph. Each commits its plan (superseding any actions still pending) under the
// graph's row lock, then applies it. State rules:
//   start  needs stopped or failed       (running/deploying/removing → FAILED_PRECONDITION)
//   stop   needs running, deploying or failed (stopped/removing → FAILED_PRECONDITION)
//   remove works from any state, and again on a graph already being removed (it resumes the removal)
// Retrying a call whose apply step failed is safe: the plan is recomputed and every action is idempotent.
import { FailedPreconditionError } from "../errors.js";
import type { GraphStatus } from "../ports/store.js";
import { toStored } from "./actions.js";
import type { LifecycleCore } from "./core.js";
import { expectedObjects, findDrift } from "./drift.js";
import { planDeploy, planRemove, planRepair, planStop } from "./plan.js";
import type { GraphView } from "./types.js";

function requireStatus(name: string, status: GraphStatus, allowed: GraphStatus[], operation: string): void {
  if (!allowed.includes(status)) {
    throw new FailedPreconditionError(`cannot ${operation} graph ${name}: it is ${status} (${operation} needs ${allowed.join(" or ")})`);
  }
}

export function startGraph(core: LifecycleCore, name: string): Promise<GraphView> {
  return core.mutex.run(name, async () => {
    const events = await core.store.transaction(async (tx) => {
      const graph = await core.requireGraph(tx, name, true);
      requireStatus(name, graph.status, ["stopped", "failed"], "start");
      const services = await tx.services.listByGraph(name);
      await core.discardPending(tx, name);
      const ctx = core.planContext(graph, core.modelOf(graph), services);
      await tx.graphs.update(name, { status: "deploying", message: null });
      await tx.outbox.enqueue(name, toStored(planDeploy(ctx, { type: "started", message: "graph started" })));
      return [];
    });
    await core.afterCommit(name, "start", events);
    return core.view(name);
  });
}

export function stopGraph(core: LifecycleCore, name: string): Promise<GraphView> {
  return core.mutex.run(name, async () => {
    await core.store.transaction(async (tx) => {
      const graph = await core.requireGraph(tx, name, true);
      requireStatus(name, graph.status, ["running", "deploying", "failed"], "stop");
      const services = await tx.services.listByGraph(name);
      await core.discardPending(tx, name);
      const ctx = core.planContext(graph, core.modelOf(graph), services);
      await tx.graphs.update(name, { message: "stopping" });
      await tx.outbox.enqueue(name, toStored(planStop(ctx)));
    });
    await core.afterCommit(name, "stop", []);
    return core.view(name);
  });
}

export function removeGraph(core: LifecycleCore, name: string): Promise<void> {
  return core.mutex.run(name, async () => {
    await core.store.transaction(async (tx) => {
      const graph = await core.requireGraph(tx, name, true);
      const services = await tx.services.listByGraph(name);
      await core.discardPending(tx, name);
      const ctx = core.planContext(graph, core.modelOf(graph), services);
      await tx.graphs.update(name, { status: "removing", message: null });
      await tx.outbox.enqueue(name, toStored(planRemove(ctx, core.dashboardUids(graph, services))));
    });
    await core.afterCommit(name, "remove", []);
  });
}

/**
 * Level-triggered repair of a running graph with nothing pending: the objects its repair plan would apply are
 * compared with what the informers hold (no request to Karmada); when one is missing, or a policy names other
 * clusters than the stored placement, or `forced` says someone else changed an object, the graph's objects are
 * re-applied (every action is idempotent; server-side apply restores the fields smo owns). Returns whether a
 * repair was applied.
 */
export function repairGraph(core: LifecycleCore, name: string, forced?: string): Promise<boolean> {
  return core.mutex.run(name, async () => {
    await core.readModel.load();
    const state = core.readModel.state(name);
    if (!state || state.graph.status !== "running" || state.pending > 0) return false;
    const statuses = Object.fromEntries(state.services.map((s) => [s.name, s.status]));
    const plan = planRepair(core.planContext(state.graph, core.modelOf(state.graph), [...state.services]), statuses);
    const drift =
      forced ??
      findDrift(expectedObjects(plan, { workloadService: core.deployer.name === "manifest" }), (kind, ns) => core.karmada.observedObjects(kind, ns));
    if (!drift) return false;
    core.logger.warn({ graph: name, drift }, "graph drifted on Karmada; re-applying its objects");
    await core.store.transaction(async (tx) => {
      const locked = await core.requireGraph(tx, name, true);
      const current = await tx.services.listByGraph(name);
      const currentStatuses = Object.fromEntries(current.map((s) => [s.name, s.status]));
      await tx.outbox.enqueue(name, toStored(planRepair(core.planContext(locked, core.modelOf(locked), current), currentStatuses)));
      await tx.events.append({ graph: name, type: "repaired", service: null, message: `re-applied: ${drift}`, details: { drift } });
    });
    await core.afterCommit(name, "repair", []);
    return true;
  });
}
