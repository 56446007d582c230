// Elasticity metrics (docs/elasticity.md#stage-times): one histogram of stage durations, labelled by stage, plus the health of
// each load source. Built on a Registry passed in, never the global one.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Durations measured for every decision, in seconds. */
export type ElasticityStage =
  | "receive" // received − observed
  | "decide" // decided − received
  | "actuate" // actuated − decided
  | "ready" // ready − actuated
  | "load_to_actuate" // actuated − observed: the KPI figure
  | "load_to_ready"; // ready − observed

export interface ElasticityMetrics {
  observeStage(stage: ElasticityStage, seconds: number): void;
  countDecision(trigger: string, outcome: "scaled" | "unchanged" | "infeasible" | "failed"): void;
  setSourceUp(source: string, project: string, up: boolean): void;
  /** Drops the source's series for a project no longer managed. */
  removeSource?(source: string, project: string): void;
}

export function createElasticityMetrics(registry: Registry): ElasticityMetrics {
  const stages = new Histogram({
    name: "smo_elasticity_stage_seconds",
    help: "Duration of each stage of an elasticity decision (docs/elasticity.md)",
    labelNames: ["stage"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
    registers: [registry],
  });
  const decisions = new Counter({
    name: "smo_elasticity_decisions_total",
    help: "Replica decisions by trigger and outcome",
    labelNames: ["trigger", "outcome"],
    registers: [registry],
  });
  const sourceUp = new Gauge({
    name: "smo_load_source_up",
    help: "1 when the load source answered its last query for the project",
    labelNames: ["source", "project"],
    registers: [registry],
  });
  return {
    observeStage: (stage, seconds) => stages.observe({ stage }, Math.max(0, seconds)),
    countDecision: (trigger, outcome) => decisions.inc({ trigger, outcome }),
    setSourceUp: (source, project, up) => sourceUp.set({ source, project }, up ? 1 : 0),
    removeSource: (source, project) => sourceUp.remove({ source, project }),
  };
}
