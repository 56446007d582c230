// Level-triggered drift repair (docs/elasticity.md#the-decision): Karmada's desired count must equal the count smo decided. The
// Deployment watch already holds every status, so a pass costs no API call unless a service looks drifted;
// then a fresh read confirms it before anything is scaled back.
import type { Logger } from "pino";
import type { KarmadaClient } from "../ports/karmada.js";
import { decisionOf, seenLoad } from "./decide.js";
import type { ReadinessTracker } from "./readiness.js";
import { deploymentKey } from "./readiness.js";
import type { DecisionRecorder } from "./recorder.js";
import type { Cause, GraphState, ServiceState } from "./state.js";

export interface ReconcileContext {
  karmada: KarmadaClient;
  readiness: ReadinessTracker;
  recorder: DecisionRecorder;
  logger: Logger;
  now(): number;
  /** True while a decision for that graph and cluster is in flight (its scale calls are not drift). */
  busy(graph: string, cluster: string): boolean;
}

/** Restores one service's decided count when Karmada holds another; true when it had drifted. */
export async function repairDrift(ctx: ReconcileContext, graph: GraphState, s: ServiceState): Promise<boolean> {
  const key = deploymentKey(graph.namespace, s.name);
  const cached = ctx.readiness.status(key);
  if (cached && cached.desired === s.replicas) return false;
  if (ctx.busy(graph.name, s.cluster)) return false;
  const status = await ctx.karmada.getReplicas(graph.namespace, s.name);
  const expected = s.replicas;
  // Re-check after the read: a decision may have started (or finished) meanwhile.
  if (!status || status.desired === expected || ctx.busy(graph.name, s.cluster) || s.replicas !== expected) return false;
  const t = ctx.now();
  ctx.logger.warn({ graph: graph.name, service: s.name, found: status.desired, expected }, "replica drift; restoring the decided count");
  const cause: Cause = { trigger: "reconcile", observedAt: t, receivedAt: t, rate: s.lastRate ?? 0, service: s.name };
  const wait = ctx.readiness.expect(key, status.desired, expected, t, "reconcile");
  try {
    await ctx.karmada.scale(graph.namespace, s.name, expected);
  } catch (err) {
    ctx.readiness.cancel(wait);
    throw err;
  }
  const actuatedAt = ctx.now();
  const decision = decisionOf(graph, s, seenLoad(s), s.cluster, status.desired, expected, cause, t, actuatedAt, "optimal", `drift: found ${status.desired} replicas on Karmada, restored ${expected}`);
  const rec = await ctx.recorder.applied(decision);
  ctx.readiness.actuated(wait, actuatedAt, rec?.id);
  return true;
}
