// The elasticity bench's plots, beside its JSON: replicas (decided, as steps) and offered load over time for
// the step runs of each mode, and for the ramp with and without the forecast strategy.
import type { ScalingModel } from "../../src/core/hdag/model.js";
import { writeChart, type Series } from "../svg.js";
import type { DecisionLog } from "./decision-log.js";
import type { StepResult } from "./steps.js";

export interface PlotInputs {
  jsonPath: string;
  decisions: DecisionLog;
  modes: { mode: string; graph: string; steps: StepResult[] }[];
  ramp?: { graphs: { strategy: string; graph: string }[]; startedAt: number; rampMs: number; holdMs: number; fromRps: number; toRps: number };
  scaling: ScalingModel;
}

/** Replicas as decided (actuated) over time for `graph`, seconds after `t0`, starting from `initial`. */
function replicaSeries(name: string, log: DecisionLog, graph: string, t0: number, t1: number, initial: number): Series {
  const points: [number, number][] = [[0, initial]];
  for (const d of log.of(graph, "web")) {
    if (d.actuatedAt === null || d.actuatedAt < t0 || d.actuatedAt > t1) continue;
    points.push([(d.actuatedAt - t0) / 1000, d.replicas]);
  }
  const last = points.at(-1)!;
  points.push([(t1 - t0) / 1000, last[1]]);
  return { name, points, step: true };
}

export async function writeElasticityPlots(p: PlotInputs): Promise<string[]> {
  const written: string[] = [];
  const base = p.jsonPath.replace(/\.json$/, "");
  for (const m of p.modes) {
    if (m.steps.length === 0) continue;
    const t0 = m.steps[0]!.tLoad - 1000;
    const t1 = m.steps.at(-1)!.tLoad + 20_000;
    const load: [number, number][] = [[0, m.steps[0]!.fromRps]];
    for (const s of m.steps) {
      load.push([(s.tLoad - t0) / 1000, s.fromRps], [(s.tLoad - t0) / 1000, s.toRps]);
    }
    load.push([(t1 - t0) / 1000, m.steps.at(-1)!.toRps]);
    const decided = replicaSeries(`${m.mode}: replicas`, p.decisions, m.graph, t0, t1, 1);
    written.push(
      await writeChart(`${base}-steps-${m.mode}.svg`, {
        title: `Load steps, ${m.mode}: replicas and offered load`,
        xLabel: "seconds",
        yLabel: "replicas",
        yRightLabel: "req/s",
        series: [decided, { name: "offered load", points: load, right: true, dashed: true }],
      }),
    );
  }
  if (p.ramp) {
    const r = p.ramp;
    const t0 = r.startedAt;
    const t1 = r.startedAt + r.rampMs + r.holdMs;
    const load: [number, number][] = [
      [0, r.fromRps],
      [r.rampMs / 1000, r.toRps],
      [(r.rampMs + r.holdMs) / 1000, r.toRps],
    ];
    written.push(
      await writeChart(`${base}-ramp.svg`, {
        title: "Ramp: reactive vs forecast",
        xLabel: "seconds",
        yLabel: "replicas",
        yRightLabel: "req/s",
        series: [
          ...r.graphs.map((g) => replicaSeries(`${g.strategy}: replicas`, p.decisions, g.graph, t0, t1, 1)),
          { name: "offered load", points: load, right: true, dashed: true },
          { name: "replicas needed", points: load.map(([x, y]) => [x, Math.ceil((y - p.scaling.beta) / p.scaling.alpha)]), dashed: true },
        ],
      }),
    );
  }
  return written;
}
