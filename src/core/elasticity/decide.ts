// One replica decision for the services a graph runs on one cluster (docs/elasticity.md#the-decision): build the replica MILP from
// the live state, solve it, apply it with one scale call per changed service, and record each change with its
// stage timestamps. Infeasible on the cluster → scale at once to what fits (a partial decision), and a
// re-placement request for the rest (with a back-off).
import type { Logger } from "pino";
import type { DecisionRecord } from "../ports/store.js";
import { capacityAtMax, replicasNeeded } from "./capacity.js";
import type { ElasticityMetrics } from "./metrics.js";
import type { ReadinessTracker } from "./readiness.js";
import { deploymentKey } from "./readiness.js";
import type { DecisionRecorder } from "./recorder.js";
import { sourceRates } from "./sources.js";
import type { Cause, GraphState, ServiceState } from "./state.js";
import type { ElasticityConfig, ElasticityDeps } from "./types.js";

/** The controller's dependencies plus the state and callbacks one decision needs. */
export interface DecideContext extends Omit<ElasticityDeps, "now" | "onEvents"> {
  config: ElasticityConfig;
  readiness: ReadinessTracker;
  recorder: DecisionRecorder;
  now(): number;
  /** The rate a decision plans for (the sample, or the forecast). */
  effectiveRate(graph: GraphState, s: ServiceState): number;
  /** False while the load source of the graph's project is down: no scale-down on missing data. */
  mayScaleDown(graph: GraphState): boolean;
  /** The scale call for a service was accepted. */
  onActuated(graph: string, service: string, replicas: number): void;
  /** A scale-up took CPU the inventory does not show yet (capacity-ledger.ts). */
  holdCapacity(cluster: string, cpu: number): void;
}

/** A CPU budget that never binds, for a cluster the inventory does not know (yet). */
const UNBOUNDED_CPU = 1e9;

export interface Planned {
  s: ServiceState;
  rate: number;
  capped: boolean;
  min: number;
  max: number;
  /** The load as the decision saw it: samples arriving while it solves and scales belong to the next one. */
  seen: SeenLoad;
}

/** A service's observed rate and its sources, copied when a decision is planned. */
export interface SeenLoad {
  rate: number | undefined;
  sources: DecisionRecord["sources"];
}

export function seenLoad(s: ServiceState): SeenLoad {
  return { rate: s.lastRate, sources: sourceRates(s.sources) };
}

/** Per-service bounds: the stabilised floor, and a due scale-down pinned to the stabilised count. */
export function planService(s: ServiceState, rate: number, now: number, scaleDownAllowed: boolean): Planned {
  const model = s.scaling;
  const top = capacityAtMax(model);
  const capped = rate > top;
  const covered = capped ? top : rate;
  const needed = replicasNeeded(model, covered) ?? model.maxReplicas;
  const clamp = (n: number) => Math.min(model.maxReplicas, Math.max(model.minReplicas, n));
  const floor = clamp(scaleDownAllowed ? s.stabilizer.floor(now, s.replicas) : Math.max(s.replicas, needed));
  if (floor < s.replicas) {
    // Due scale-down: land on the stabilised count (it keeps headroom) rather than on the bare minimum.
    const target = Math.max(floor, needed);
    return { s, rate: covered, capped, min: target, max: target, seen: seenLoad(s) };
  }
  return { s, rate: covered, capped, min: floor, max: model.maxReplicas, seen: seenLoad(s) };
}

export async function decideCluster(ctx: DecideContext, graph: GraphState, cluster: string, cause: Cause): Promise<void> {
  const log = ctx.logger.child({ graph: graph.name, cluster });
  const members = [...graph.services.values()].filter((s) => s.cluster === cluster && s.lastRate !== undefined);
  const origin = graph.services.get(cause.service);
  if (!origin || origin.cluster !== cluster) return; // moved or removed meanwhile
  const now = ctx.now();
  const plans = members.map((s) => planService(s, ctx.effectiveRate(graph, s), now, ctx.mayScaleDown(graph)));
  const originSeen = plans.find((p) => p.s === origin)?.seen ?? seenLoad(origin);
  const free = ctx.capacity.cpuFree(cluster);
  // The members' own replicas are part of the cluster's allocation: give them back to the budget.
  const budget = free === undefined ? UNBOUNDED_CPU : free + members.reduce((sum, s) => sum + s.cpu * s.replicas, 0);
  const result = await ctx.solver.decideReplicas({
    cluster: { cpu: Math.max(0, budget) },
    services: plans.map((p) => ({
      name: p.s.name,
      cpu: p.s.cpu,
      alpha: p.s.scaling.alpha,
      beta: p.s.scaling.beta,
      rate: p.rate,
      current: p.s.replicas,
      min: p.min,
      max: p.max,
    })),
    weights: ctx.config.replicaWeights,
  });
  const decidedAt = ctx.now();
  if (result.status === "infeasible") {
    const fits = partialFit(plans, origin, Math.max(0, budget));
    if (fits.length === 0) {
      await onInfeasible(ctx, graph, origin, originSeen, cluster, cause, decidedAt, result.reason, log, true);
      return;
    }
    // Capacity exists for part of the load: take it now, and ask for a re-placement for the rest, rather than
    // leaving the service short until the placement solver answers.
    await Promise.all(
      fits.map(({ p, target, wanted }) => {
        const reason = `partial: ${target} of ${wanted} replicas fit the cluster's free CPU; a re-placement is asked for the rest (${result.reason})`;
        return actuate(ctx, graph, cluster, p, target, { status: "feasible", reason }, cause, decidedAt, log, true);
      }),
    );
    await onInfeasible(ctx, graph, origin, originSeen, cluster, cause, decidedAt, result.reason, log, false);
    return;
  }
  for (const s of members) if (s.infeasible?.cluster === cluster) s.infeasible = undefined;
  const changed = plans.filter((p) => (result.replicas[p.s.name] ?? p.s.replicas) !== p.s.replicas);
  if (changed.length === 0) {
    ctx.metrics.countDecision(cause.trigger, "unchanged");
    return;
  }
  const outcome = { status: result.status, reason: result.reason };
  await Promise.all(
    changed.map((p) => actuate(ctx, graph, cluster, p, result.replicas[p.s.name]!, outcome, cause, decidedAt, log)),
  );
}

/**
 * When the replicas the rates need do not fit: the most replicas the CPU budget holds, the service whose sample
 * caused the decision first, then the others in order. Nobody scales down here (a due scale-down stays pinned);
 * empty when no service can gain a replica.
 */
export function partialFit(plans: Planned[], origin: ServiceState, budget: number): { p: Planned; target: number; wanted: number }[] {
  const base = (p: Planned) => Math.min(p.s.replicas, p.max);
  let left = budget - plans.reduce((sum, p) => sum + p.s.cpu * base(p), 0);
  const ordered = [...plans].sort((a, b) => Number(b.s === origin) - Number(a.s === origin));
  const out: { p: Planned; target: number; wanted: number }[] = [];
  for (const p of ordered) {
    const wanted = Math.min(p.max, Math.max(p.min, replicasNeeded(p.s.scaling, p.rate) ?? p.s.scaling.maxReplicas));
    const from = base(p);
    if (wanted <= from || p.s.cpu <= 0) continue;
    const add = Math.min(wanted - from, Math.floor(left / p.s.cpu + 1e-9));
    if (add <= 0) continue;
    left -= add * p.s.cpu;
    out.push({ p, target: from + add, wanted });
  }
  return out;
}

async function actuate(
  ctx: DecideContext,
  graph: GraphState,
  cluster: string,
  p: Planned,
  target: number,
  result: { status: "optimal" | "feasible"; reason: string },
  cause: Cause,
  decidedAt: number,
  log: Logger,
  partial = false,
): Promise<void> {
  const s = p.s;
  const previous = s.replicas;
  const wait = ctx.readiness.expect(deploymentKey(graph.namespace, s.name), previous, target, cause.observedAt, cause.trigger);
  try {
    // Several processes: prove the lease right before the scale call (a stale owner is refused and logged).
    await ctx.ownership?.fence(graph.namespace);
  } catch (err) {
    ctx.readiness.cancel(wait);
    ctx.metrics.countDecision(cause.trigger, "failed");
    log.warn({ err: (err as Error).message, service: s.name, target }, "scale refused: not the owner");
    return;
  }
  try {
    await ctx.karmada.scale(graph.namespace, s.name, target);
  } catch (err) {
    ctx.readiness.cancel(wait);
    ctx.metrics.countDecision(cause.trigger, "failed");
    log.error({ err, service: s.name, target }, "scale call failed; the reconcile retries the decision");
    return;
  }
  const actuatedAt = ctx.now();
  ctx.holdCapacity(cluster, (target - previous) * s.cpu);
  s.replicas = target;
  ctx.onActuated(graph.name, s.name, target);
  ctx.metrics.countDecision(cause.trigger, "scaled");
  observeStages(ctx.metrics, cause, decidedAt, actuatedAt);
  const rate = p.seen.rate ?? cause.rate;
  log.info({ service: s.name, previous, replicas: target, rate, trigger: cause.trigger }, "scaled");
  const note = p.capped ? `; rate exceeds what ${s.scaling.maxReplicas} replicas serve, capped at max` : "";
  const decision = decisionOf(graph, s, p.seen, cluster, previous, target, cause, decidedAt, actuatedAt, result.status, `rate ${round(rate)} req/s; ${result.reason}${note}`, partial);
  // The decision, the `scaled` event and the desired count, grouped with concurrent decisions' (recorder.ts).
  const rec = await ctx.recorder.applied(decision);
  ctx.readiness.actuated(wait, actuatedAt, rec?.id);
}

async function onInfeasible(
  ctx: DecideContext,
  graph: GraphState,
  s: ServiceState,
  seen: SeenLoad,
  cluster: string,
  cause: Cause,
  decidedAt: number,
  reason: string,
  log: Logger,
  /** False after a partial scale, which is the decision's record. */
  record: boolean,
): Promise<void> {
  if (record) ctx.metrics.countDecision(cause.trigger, "infeasible");
  // One record and one re-placement request per back-off period, not one per sample.
  if (s.infeasible?.cluster === cluster && decidedAt < s.infeasible.until) return;
  s.infeasible = { cluster, until: decidedAt + ctx.config.replaceBackoffMs };
  log.warn({ service: s.name, reason }, "replicas do not fit the cluster; asking for a re-placement");
  if (record) await ctx.recorder.add(decisionOf(graph, s, seen, cluster, s.replicas, s.replicas, cause, decidedAt, null, "infeasible", reason));
  if (!ctx.replacer) return;
  try {
    await ctx.replacer.replaceForCapacity(graph.name, s.name, reason);
  } catch (err) {
    log.error({ err, service: s.name }, "re-placement for capacity failed");
  }
}

export function decisionOf(
  graph: GraphState,
  s: ServiceState,
  seen: SeenLoad,
  cluster: string,
  previous: number,
  replicas: number,
  cause: Cause,
  decidedAt: number,
  actuatedAt: number | null,
  status: DecisionRecord["status"],
  reason: string,
  partial = false,
): Omit<DecisionRecord, "id"> {
  return {
    graph: graph.name,
    service: s.name,
    cluster,
    previousReplicas: previous,
    replicas,
    requestsPerSecond: seen.rate ?? cause.rate,
    status,
    reason,
    trigger: cause.trigger,
    observedAt: new Date(cause.observedAt),
    receivedAt: new Date(cause.receivedAt),
    decidedAt: new Date(decidedAt),
    actuatedAt: actuatedAt === null ? null : new Date(actuatedAt),
    readyAt: null,
    sources: seen.sources,
    partial,
  };
}

function observeStages(m: ElasticityMetrics, cause: Cause, decidedAt: number, actuatedAt: number): void {
  m.observeStage("receive", (cause.receivedAt - cause.observedAt) / 1000);
  m.observeStage("decide", (decidedAt - cause.receivedAt) / 1000);
  m.observeStage("actuate", (actuatedAt - decidedAt) / 1000);
  m.observeStage("load_to_actuate", (actuatedAt - cause.observedAt) / 1000);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
