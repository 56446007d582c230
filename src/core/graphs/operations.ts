// StartGraph, StopGraph, RemoveGraph. Each commits its plan (superseding any actions still pending) under the
// graph's row lock, then applies it. State rules:
//   start  needs stopped or failed       (running/deploying/removing → FAILED_PRECONDITION)
//   stop   needs running, deploying or failed (stopped/removing → FAILED_PRECONDITION)
//   remove works from any state, and again on a graph already being removed (it resumes the removal)
// Retrying a call whose apply step failed is safe: the plan is recomputed and every action is idempotent.
import { FailedPreconditionError } from "../errors.js";
import type { GraphStatus } from "../ports/store.js";
import type { LifecycleCore } from "./core.js";
import { planDeploy, planRemove, planStop } from "./plan.js";
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
      await tx.outbox.enqueue(name, planDeploy(ctx, { type: "started", message: "graph started" }));
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
      await tx.outbox.enqueue(name, planStop(ctx));
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
      await tx.outbox.enqueue(name, planRemove(ctx, core.dashboardUids(graph, services)));
    });
    await core.afterCommit(name, "remove", []);
  });
}
