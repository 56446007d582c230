// The ramp scenario: load climbs linearly while samples are pushed every second, for two identical graphs, one
// with the reactive strategy and one with `scalingStrategy: forecast`. Available capacity follows the decisions'
// ready times; under-provisioned seconds are the time the true (continuous) load exceeded it.
import type { ScalingModel } from "../../src/core/hdag/model.js";
import type { DecisionLog } from "./decision-log.js";
import { sleep } from "./stats.js";
import type { SmoTarget } from "./target.js";

export interface RampResult {
  strategy: string;
  graph: string;
  underProvisionedSeconds: number;
  /** ∫ available replicas dt over the scenario: what the capacity cost. */
  replicaSeconds: number;
  decisions: number;
  firstScaleAtRps: number | undefined;
  /** When the ramp started (epoch ms), for the plot. */
  startedAt: number;
}

export interface RampRun {
  target: SmoTarget;
  log: DecisionLog;
  graphs: { strategy: string; graph: string }[];
  service: string;
  scaling: ScalingModel;
  fromRps: number;
  toRps: number;
  rampMs: number;
  holdMs: number;
  sampleEveryMs: number;
}

export async function runRamp(run: RampRun): Promise<RampResult[]> {
  const { target, log, service } = run;
  const start = Date.now();
  const end = start + run.rampMs;
  const rateAt = (t: number) => (t <= start ? run.fromRps : t >= end ? run.toRps : run.fromRps + ((run.toRps - run.fromRps) * (t - start)) / run.rampMs);
  for (let t = start; t < end + run.holdMs; t = Date.now()) {
    const now = new Date();
    await target.report(run.graphs.map((g) => ({ graph: g.graph, service, rps: rateAt(now.getTime()), observedAt: now })));
    await sleep(Math.max(0, run.sampleEveryMs - (Date.now() - t)));
  }
  const stop = Date.now();
  await sleep(500);
  return run.graphs.map(({ strategy, graph }) => {
    const decisions = log.of(graph, service).filter((d) => d.actuatedAt !== null && d.actuatedAt >= start);
    // Available replicas as a step function of the decisions' ready times (pods of one decision start together).
    const steps = decisions
      .filter((d) => d.readyAt !== null)
      .map((d) => ({ at: d.readyAt!, replicas: d.replicas }))
      .sort((a, b) => a.at - b.at);
    let under = 0;
    let replicaMs = 0;
    const dt = 10;
    let available = 1;
    let i = 0;
    for (let t = start; t < stop; t += dt) {
      while (i < steps.length && steps[i]!.at <= t) available = steps[i++]!.replicas;
      if (rateAt(t) > run.scaling.alpha * available + run.scaling.beta) under += dt;
      replicaMs += available * dt;
    }
    const first = decisions[0];
    return {
      strategy,
      graph,
      underProvisionedSeconds: under / 1000,
      replicaSeconds: replicaMs / 1000,
      decisions: decisions.length,
      firstScaleAtRps: first ? Math.round(rateAt(first.observedAt) * 10) / 10 : undefined,
      startedAt: start,
    };
  });
}
