// The load-step scenario (docs/elasticity.md#stage-times): the generator changes the rate of one service (t_load); smo observes it
// (pushed: the generator reports it at once; pulled: Prometheus scrapes it), decides and scales. For each step
// the bench reads the stage times of the decision that reached the replica count the new rate needs, and of
// the first decision that moved in the step's direction.
import { recommendedReplicas, replicasNeeded } from "../../src/core/elasticity/capacity.js";
import type { ScalingModel } from "../../src/core/hdag/model.js";
import type { DecisionLog } from "./decision-log.js";
import type { LoadGenerator } from "./load-generator.js";
import { sleep } from "./stats.js";
import type { SmoTarget } from "./target.js";

export type Mode = "pushed" | "pulled";

export interface StepResult {
  index: number;
  direction: "up" | "down";
  fromRps: number;
  toRps: number;
  /** Scale-up: the fewest replicas serving the new rate; scale-down: the count it lands on (with headroom). */
  target: number;
  tLoad: number;
  /** Times relative to t_load, ms (undefined = not reached within the step timeout). */
  observe?: number;
  receive?: number;
  decide?: number;
  actuate?: number;
  ready?: number;
  firstActuate?: number;
  decisions: number;
}

/** Rates 9k + 4.5: with 10 req/s per replica and 10 % headroom they sit mid-way between replica steps. */
export function stepLevels(count: number, seed: number): number[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const levels: number[] = [];
  let k = 1;
  for (let i = 0; i < count; i++) {
    // Alternate up and down, by 2 to 12 replicas, within 1..24 replicas.
    const up = i % 2 === 0;
    const delta = 2 + Math.floor(rnd() * 11);
    k = up ? Math.min(23, k + delta) : Math.max(0, k - delta);
    if (levels.length && 9 * k + 4.5 === levels.at(-1)) k = up ? k - 1 : k + 1;
    levels.push(9 * k + 4.5);
  }
  return levels;
}

export interface StepRun {
  target: SmoTarget;
  log: DecisionLog;
  mode: Mode;
  gen: LoadGenerator;
  graph: string;
  project: string;
  service: string;
  scaling: ScalingModel;
  headroom: number;
  levels: number[];
  startRps: number;
  stepTimeoutMs: number;
  /** Pause after a step completes (pulled: lets the scraped rate settle before the next change). */
  settleMs: number;
  /** Range of the random delay before each step: the longest cycle it must not stay in phase with (push, scrape). */
  phaseMs: number;
  seed: number;
  onStep?(r: StepResult): void;
}

export async function runSteps(run: StepRun): Promise<StepResult[]> {
  const { target, log, graph, service } = run;
  let rate = run.startRps;
  // Pushed mode reports like Hop3 would: at once on a change, and every second anyway.
  let pushing = run.mode === "pushed";
  const push = (observedAt: Date) => target.report([{ graph, service, rps: rate, observedAt }]);
  const pusher = (async () => {
    while (pushing) {
      await push(new Date()).catch(() => undefined);
      await sleep(1000);
    }
  })();
  // Only the pulled mode's series is exposed to Prometheus: two sources for one service would interleave.
  if (run.mode === "pulled") run.gen.setRate(run.project, service, rate);
  let a = run.seed >>> 0;
  const jitter = () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
  const results: StepResult[] = [];
  try {
    // Pulled: irate needs two scrapes of the starting rate before the first step means anything.
    await sleep(run.mode === "pulled" ? Math.max(3000, 3 * run.phaseMs) : 300);
    for (const [index, toRps] of run.levels.entries()) {
      // A random phase against the push / scrape / poll cycles, so steps do not all land in the same spot of them.
      await sleep(Math.floor(jitter() * run.phaseMs));
      const lastId = Math.max(0, ...log.of(graph, service).map((d) => d.id));
      const fromRps = rate;
      const direction = toRps > fromRps ? "up" : "down";
      // Up: done once the replicas serve the new rate. Down: once they fell to the count kept with headroom.
      const want = direction === "up" ? (replicasNeeded(run.scaling, toRps) ?? run.scaling.maxReplicas) : recommendedReplicas(run.scaling, toRps, run.headroom);
      const done = (replicas: number) => (direction === "up" ? replicas >= want : replicas <= want);
      rate = toRps;
      const tLoad = run.mode === "pulled" ? run.gen.setRate(run.project, service, toRps) : Date.now();
      if (run.mode === "pushed") await push(new Date(tLoad));
      const reached = await log.until(
        () => log.of(graph, service).find((d) => d.id > lastId && done(d.replicas) && d.actuatedAt !== null),
        run.stepTimeoutMs,
      );
      const withReady = reached && (await log.until(() => log.of(graph, service).find((d) => d.id === reached.id && d.readyAt !== null), run.stepTimeoutMs));
      const after = log.of(graph, service).filter((d) => d.id > lastId && d.actuatedAt !== null);
      const first = after.find((d) => (direction === "up" ? d.replicas > d.previousReplicas : d.replicas < d.previousReplicas));
      const rel = (t: number | null | undefined) => (t === null || t === undefined ? undefined : t - tLoad);
      const r: StepResult = {
        index,
        direction,
        fromRps,
        toRps,
        target: want,
        tLoad,
        observe: rel(reached?.observedAt),
        receive: rel(reached?.receivedAt),
        decide: rel(reached?.decidedAt),
        actuate: rel(reached?.actuatedAt),
        ready: rel(withReady?.readyAt),
        firstActuate: rel(first?.actuatedAt),
        decisions: after.length,
      };
      results.push(r);
      run.onStep?.(r);
      await sleep(run.settleMs);
    }
  } finally {
    pushing = false;
    await pusher;
  }
  return results;
}
