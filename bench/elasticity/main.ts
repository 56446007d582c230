// bench:elasticity (docs/elasticity.md; tables in bench/README.md). smo against a simulated Karmada federation (`smo sim` child process) and a load
// generator; ≥ 20 load steps up and down in two modes (pushed: the generator reports each change at once and
// every second; pulled: Debian's Prometheus scrapes the generator every --scrape-interval and smo pulls it on its
// defaults, which follow that interval), then a ramp with and without the forecast strategy. Prints Markdown tables, writes bench/results/elasticity.json.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ScalingModel } from "../../src/core/hdag/model.js";
import { promDurationMs } from "../../src/adapters/prometheus/index.js";
import { DecisionLog } from "./decision-log.js";
import { startLoadGenerator } from "./load-generator.js";
import { PROMETHEUS_BIN, startPrometheus, type PrometheusProcess } from "./prometheus.js";
import { runRamp, type RampResult } from "./ramp.js";
import { startSimProcess } from "./sim-process.js";
import { writeBenchResult } from "../results.js";
import { writeElasticityPlots } from "./plots.js";
import { startInProcessSmo } from "./smo-inprocess.js";
import { startServeSmo } from "./smo-serve.js";
import { startChildSmo } from "./smo-child.js";
import { sec, summarize, table, type Summary } from "./stats.js";
import { runSteps, stepLevels, type Mode, type StepResult } from "./steps.js";
import type { SmoTarget } from "./target.js";
import { freePort } from "./ports.js";

const KPI_MS = 5_000;
const RAMP_HOLD_MS = 5_000;
const GOAL_MS: Record<Mode, number> = { pushed: 1_000, pulled: 3_000 };

const { values: args } = parseArgs({
  options: {
    steps: { type: "string", default: "40" },
    "pod-start-ms": { type: "string", default: "1000" },
    "stabilization-ms": { type: "string", default: "2000" },
    modes: { type: "string", default: "pushed,pulled" },
    target: { type: "string", default: "auto" },
    "scrape-interval": { type: "string", default: "1s" },
    // Empty = smo's defaults: one poll per scrape, aligned to it; irate over 3 scrape intervals.
    "prometheus-interval-ms": { type: "string", default: "" },
    "prometheus-window": { type: "string", default: "" },
    "prometheus-template": { type: "string", default: "" },
    "ramp-seconds": { type: "string", default: "30" },
    out: { type: "string" },
  },
});

const steps = Number(args.steps);
const podStartMs = Number(args["pod-start-ms"]);
const stabilizationMs = Number(args["stabilization-ms"]);
const modes = args.modes!.split(",").filter(Boolean) as Mode[];
const promIntervalMs = args["prometheus-interval-ms"] ? Number(args["prometheus-interval-ms"]) : undefined;
const scrapeMs = promDurationMs(args["scrape-interval"]!) ?? 1000;
const scaling: ScalingModel = { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 30 };
const headroom = 0.1;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface ModeReport {
  mode: Mode;
  steps: StepResult[];
  up: Record<string, Summary>;
  down: Record<string, Summary>;
  goalMs: number;
  kpiPass: boolean;
  goalMet: boolean;
}

const STAGES = ["observe", "receive", "decide", "actuate", "ready", "firstActuate"] as const;

function summarizeSteps(results: StepResult[], direction: "up" | "down"): Record<string, Summary> {
  const mine = results.filter((r) => r.direction === direction);
  const out: Record<string, Summary> = {};
  for (const stage of STAGES) out[stage] = summarize(mine.map((r) => r[stage] ?? Number.POSITIVE_INFINITY));
  // Per-stage durations (each stage minus the previous one).
  const diff = (a: keyof StepResult, b: keyof StepResult | null) =>
    summarize(mine.map((r) => ((r[a] as number | undefined) ?? Number.POSITIVE_INFINITY) - (b ? ((r[b] as number | undefined) ?? 0) : 0)));
  out["stage:load→observe"] = diff("observe", null);
  out["stage:observe→receive"] = diff("receive", "observe");
  out["stage:receive→decide"] = diff("decide", "receive");
  out["stage:decide→actuate"] = diff("actuate", "decide");
  out["stage:actuate→ready"] = diff("ready", "actuate");
  return out;
}

async function chooseTarget(kubeconfig: string, prometheusUrl: string | undefined): Promise<SmoTarget> {
  const config = { stabilizationMs, reconcileMs: 15_000 };
  const prometheus = prometheusUrl
    ? {
        url: prometheusUrl,
        scrapeIntervalMs: scrapeMs,
        job: "load",
        template: args["prometheus-template"] || undefined,
        window: args["prometheus-window"] || undefined,
        intervalMs: promIntervalMs,
      }
    : undefined;
  const wantServe = args.target === "serve" || (args.target === "auto" && existsSync("/work/handoff/api-ready"));
  if (wantServe) return startServeSmo({ kubeconfig, config, prometheus, db: "memory" });
  if (args.target === "inprocess") return startInProcessSmo({ kubeconfig, config, prometheus });
  return startChildSmo({ kubeconfig, config, prometheus });
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), "smo-bench-elasticity-"));
  const cleanup: (() => Promise<void>)[] = [async () => rm(dir, { recursive: true, force: true })];
  try {
    log(`starting smo sim (pod start ${podStartMs} ms) …`);
    const sim = await startSimProcess({ dir, clusters: 2, clusterCpu: 256, podStartMs });
    cleanup.unshift(() => sim.stop());
    const gen = await startLoadGenerator();
    cleanup.unshift(() => gen.close());
    let prom: PrometheusProcess | undefined;
    if (modes.includes("pulled")) {
      if (!existsSync(PROMETHEUS_BIN)) {
        log(`${PROMETHEUS_BIN} not installed: the pulled mode is skipped`);
        modes.splice(modes.indexOf("pulled"), 1);
      } else {
        prom = await startPrometheus({ dir, port: await freePort(), targets: [gen.target], scrapeInterval: args["scrape-interval"] });
        cleanup.unshift(() => prom!.stop());
      }
    }
    const target = await chooseTarget(sim.kubeconfig, prom?.url);
    cleanup.unshift(() => target.close());
    const decisions = new DecisionLog();
    target.onDecision((d) => decisions.add(d));
    log(`smo: ${target.description}`);

    const reports: ModeReport[] = [];
    for (const mode of modes) {
      const project = `bench-${mode}`;
      const graph = `steps-${mode}`;
      await target.deployGraph({ name: graph, project, services: [{ name: "web", cluster: "member1", cpu: 0.1, scaling }] });
      log(`${mode}: ${steps} load steps …`);
      const results = await runSteps({
        target,
        log: decisions,
        mode,
        gen,
        graph,
        project,
        service: "web",
        scaling,
        headroom,
        levels: stepLevels(steps, mode === "pushed" ? 7 : 11),
        startRps: 4.5,
        stepTimeoutMs: stabilizationMs + 15_000 + (mode === "pulled" ? 4 * scrapeMs : 0),
        settleMs: mode === "pulled" ? 1.2 * scrapeMs : 200,
        phaseMs: mode === "pulled" ? Math.max(1000, scrapeMs) : 1000,
        seed: 42,
        onStep: (r) =>
          log(`  ${mode} step ${r.index + 1} ${r.direction} ${r.fromRps}→${r.toRps} req/s (→${r.target}): actuate ${sec(r.actuate ?? Infinity)} s, ready ${sec(r.ready ?? Infinity)} s`),
      });
      const up = summarizeSteps(results, "up");
      const down = summarizeSteps(results, "down");
      reports.push({
        mode,
        steps: results,
        up,
        down,
        goalMs: GOAL_MS[mode],
        kpiPass: up.actuate!.max <= KPI_MS,
        goalMet: up.actuate!.p95 <= GOAL_MS[mode],
      });
    }

    const rampMs = Number(args["ramp-seconds"]) * 1000;
    const ramp: RampResult[] = rampMs > 0 ? await rampRun(target, decisions, rampMs) : [];

    const md = render(reports, ramp, target.description);
    process.stdout.write(`${md}\n`);
    const out = await writeBenchResult(
      "elasticity",
      {
        smo: target.description,
        podStartMs,
        stabilizationMs,
        prometheus: modes.includes("pulled")
          ? {
              scrapeIntervalS: scrapeMs / 1000,
              pollIntervalMs: promIntervalMs ?? "aligned to scrapes",
              window: args["prometheus-window"] || "smo default (3 scrape intervals)",
              template: args["prometheus-template"] || "smo default (irate)",
            }
          : null,
        kpiMs: KPI_MS,
        modes: reports,
        ramp,
        runSeconds: Math.round((Date.now() - started) / 1000),
      },
      args.out,
    );
    const plots = await writeElasticityPlots({
      jsonPath: out,
      decisions,
      modes: reports.map((r) => ({ mode: r.mode, graph: `steps-${r.mode}`, steps: r.steps })),
      ramp: ramp.length > 0 ? { graphs: ramp, startedAt: ramp[0]!.startedAt, rampMs, holdMs: RAMP_HOLD_MS, fromRps: 5, toRps: 5 + 6 * (rampMs / 1000) } : undefined,
      scaling,
    });
    log(`wrote ${out} and ${plots.join(", ")} (${Math.round((Date.now() - started) / 1000)} s)`);
  } finally {
    for (const c of cleanup) await c().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  }
}

/** Ramp (--ramp-seconds 0 skips it): pushed load rising 6 req/s every second, with and without the forecast. */
async function rampRun(target: SmoTarget, decisions: DecisionLog, rampMs: number): Promise<RampResult[]> {
  log("ramp: reactive vs forecast …");
  const rampGraphs = [
    { strategy: "reactive", graph: "ramp-reactive", project: "bench-ramp-r", forecast: false },
    { strategy: "forecast", graph: "ramp-forecast", project: "bench-ramp-f", forecast: true },
  ];
  for (const g of rampGraphs) {
    await target.deployGraph({ name: g.graph, project: g.project, forecast: g.forecast, services: [{ name: "web", cluster: "member2", cpu: 0.1, scaling }] });
  }
  return runRamp({
    target,
    log: decisions,
    graphs: rampGraphs,
    service: "web",
    scaling,
    fromRps: 5,
    toRps: 5 + 6 * (rampMs / 1000),
    rampMs,
    holdMs: RAMP_HOLD_MS,
    sampleEveryMs: 1000,
  });
}

function render(reports: ModeReport[], ramp: RampResult[], smo: string): string {
  const lines: string[] = [];
  lines.push(`### Elasticity — ${smo}`, "");
  lines.push(
    `Pod start delay ${podStartMs} ms, stabilisation window ${stabilizationMs} ms, capacity 10 req/s per replica (10 % headroom). ` +
      `Times are seconds after t_load (the generator changing its rate); a step is done when the replica count the new rate needs is actuated.`,
    "",
  );
  const rows: (string | number)[][] = [];
  for (const r of reports) {
    for (const dir of ["up", "down"] as const) {
      const s = r[dir];
      const verdict = dir === "up" ? `${r.kpiPass ? "PASS" : "FAIL"} (max ≤ 5 s); goal p95 ≤ ${r.goalMs / 1000} s ${r.goalMet ? "met" : "missed"}` : `includes the ${stabilizationMs / 1000} s window`;
      rows.push([r.mode, dir, s.actuate!.n, sec(s.actuate!.p50), sec(s.actuate!.p95), sec(s.actuate!.max), sec(s.ready!.p50), sec(s.ready!.p95), sec(s.ready!.max), verdict]);
    }
  }
  lines.push(
    table(["mode", "steps", "n", "actuate p50", "actuate p95", "actuate max", "ready p50", "ready p95", "ready max", "verdict"], rows),
    "",
  );
  lines.push("Per stage (p50 / p95, seconds), scale-up steps:", "");
  const stageRows = reports.map((r) => {
    const s = r.up;
    const cell = (k: string) => `${sec(s[k]!.p50)} / ${sec(s[k]!.p95)}`;
    return [r.mode, cell("stage:load→observe"), cell("stage:observe→receive"), cell("stage:receive→decide"), cell("stage:decide→actuate"), cell("stage:actuate→ready"), cell("firstActuate")];
  });
  lines.push(table(["mode", "load→observe", "observe→receive", "receive→decide", "decide→actuate", "actuate→ready", "first scale call"], stageRows), "");
  lines.push("Ramp (pushed, one sample per second, load rising 6 req/s every second):", "");
  lines.push(
    table(
      ["strategy", "under-provisioned s", "replica·s", "scale decisions", "first scale at req/s"],
      ramp.map((r) => [r.strategy, r.underProvisionedSeconds.toFixed(1), r.replicaSeconds.toFixed(0), r.decisions, r.firstScaleAtRps ?? "-"]),
    ),
  );
  return lines.join("\n");
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:elasticity failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
