// bench:scale (tables in bench/README.md). 1, 100 and 1,000 graphs under management (two services each), every service
// pushing one load sample per second; some services step their load up every second so decisions keep
// happening. Per size: the smo process's CPU % and RSS over a steady window, and the decision latency
// (actuated − observed) p95. Each size runs against a fresh `smo sim` child and a fresh smo process.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { ScalingModel } from "../../src/core/hdag/model.js";
import type { SeedGraph } from "../elasticity/seed.js";
import { startSimProcess } from "../elasticity/sim-process.js";
import { writeBenchResult } from "../results.js";
import { writeChart, type Series } from "../svg.js";
import { startChildSmo } from "../elasticity/smo-child.js";
import { startServeScaleTarget } from "./serve-target.js";
import { BENCH_PG_URL, benchSchema } from "../elasticity/postgres.js";
import { percentile, sleep, table } from "../elasticity/stats.js";
import type { DecisionView } from "../elasticity/target.js";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "1,100,1000" },
    "services-per-graph": { type: "string", default: "2" },
    "warmup-s": { type: "string", default: "10" },
    "steady-s": { type: "string", default: "30" },
    /** Share of services whose load steps up each second. */
    "step-share": { type: "string", default: "0.01" },
    "pod-start-ms": { type: "string", default: "200" },
    /** The simulator's pod model: counts keeps about one object per workload and member (docs/karmada.md). */
    "pod-model": { type: "string", default: "counts" },
    /** Graphs put under management at once. */
    "deploy-concurrency": { type: "string", default: "64" },
    target: { type: "string", default: "auto" },
    /** Stores to measure: postgres (a throw-away schema on the local server), memory (PGlite in memory). */
    db: { type: "string", default: "postgres,memory" },
    /** PGlite holds the whole database in one process's heap: larger sizes run on PostgreSQL only. */
    "pglite-max": { type: "string", default: "1000" },
    out: { type: "string" },
  },
});

const sizes = args.sizes!.split(",").map(Number);
const perGraph = Number(args["services-per-graph"]);
const warmupMs = Number(args["warmup-s"]) * 1000;
const steadyMs = Number(args["steady-s"]) * 1000;
const stepShare = Number(args["step-share"]);
const scaling: ScalingModel = { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 10 };

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface SizeResult {
  db: string;
  graphs: number;
  services: number;
  samplesPerSecond: number;
  deploySeconds: number;
  cpuPercent: number;
  rssMiB: number;
  decisions: number;
  decisionLatencyP50Ms: number;
  decisionLatencyP95Ms: number;
  reportErrors: number;
}

/** What the driver needs of smo: deploy many graphs, push without waiting, decisions, CPU/RSS. */
export interface ScaleTarget {
  description: string;
  deployMany(graphs: SeedGraph[], concurrency: number, options?: { waitReady?: boolean }): Promise<void>;
  reportNoWait(samples: { graph: string; service: string; rps: number; observedAt: Date }[]): void;
  errors(): number;
  onDecision(listener: (d: DecisionView) => void): void;
  usage(): Promise<{ userMicros: number; systemMicros: number; rss: number; at: number }>;
  close(): Promise<void>;
}

async function runSize(n: number, dbKind: string): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), "smo-bench-scale-"));
  const services = n * perGraph;
  const schema = dbKind === "postgres" ? await benchSchema() : undefined;
  if (dbKind === "postgres" && !schema) throw new Error(`PostgreSQL does not answer at ${BENCH_PG_URL}`);
  const db = schema?.url ?? "memory";
  const podModel = args["pod-model"] === "pods" ? "pods" : "counts";
  const sim = await startSimProcess({ dir, clusters: 4, clusterCpu: 100_000, podStartMs: Number(args["pod-start-ms"]), podModel });
  let smo: ScaleTarget | undefined;
  try {
    const useServe = args.target === "serve" || (args.target === "auto" && existsSync("/work/handoff/api-ready"));
    smo = useServe ? await startServeScaleTarget({ dir, kubeconfig: sim.kubeconfig, db }) : await startChildSmo({ kubeconfig: sim.kubeconfig, db });
    const decisions: DecisionView[] = [];
    smo.onDecision((d) => {
      if (d.readyAt === null) decisions.push(d);
    });
    const graphs: SeedGraph[] = Array.from({ length: n }, (_, g) => ({
      name: `g${g}`,
      project: `proj${g % 50}`,
      services: Array.from({ length: perGraph }, (_, s) => ({ name: `g${g}-s${s}`, cluster: `member${(g % 4) + 1}`, cpu: 0.01, scaling })),
    }));
    const t0 = Date.now();
    // Pods start during the warm-up: waiting for each graph's pods would make putting 10,000 graphs under
    // management take most of the run.
    await smo.deployMany(graphs, Number(args["deploy-concurrency"]), { waitReady: false });
    const deploySeconds = (Date.now() - t0) / 1000;
    log(`  ${n} graphs (${services} services) under management in ${deploySeconds.toFixed(1)} s`);

    // Load: every service reports once per second, its graph's batch at the graph's own phase in the second.
    const level = new Map<string, number>(); // service → k (rate 9k + 4.5 needs k + 1 replicas)
    const all = graphs.flatMap((g) => g.services.map((s) => ({ graph: g.name, service: s.name })));
    for (const s of all) level.set(s.service, 0);
    let running = true;
    let stepCursor = 0;
    const slots = 100;
    const driver = (async () => {
      let tick = 0;
      const start = Date.now();
      while (running) {
        const slot = tick % slots;
        if (slot === 0) {
          // Step some services up by one replica's worth (back to one replica after nine steps).
          const stepping = Math.max(1, Math.round(all.length * stepShare));
          for (let i = 0; i < stepping; i++) {
            const s = all[stepCursor++ % all.length]!;
            level.set(s.service, (level.get(s.service)! + 1) % 9);
          }
        }
        const now = new Date();
        // One batch per slot, as a Hop3 host batches its services: one message per graph would be 10,000
        // messages a second at the largest size, and the driver's own queue would then be what is measured.
        const batch: { graph: string; service: string; rps: number; observedAt: Date }[] = [];
        for (let g = slot; g < graphs.length; g += slots) {
          const graph = graphs[g]!;
          for (const s of graph.services) batch.push({ graph: graph.name, service: s.name, rps: 9 * level.get(s.name)! + 4.5, observedAt: now });
        }
        if (batch.length > 0) smo!.reportNoWait(batch);
        tick++;
        await sleep(Math.max(0, start + tick * (1000 / slots) - Date.now()));
      }
    })();

    await sleep(warmupMs);
    const firstDecision = decisions.length;
    const u0 = await smo.usage();
    await sleep(steadyMs);
    const u1 = await smo.usage();
    running = false;
    await driver;
    const window = decisions.slice(firstDecision).filter((d) => d.trigger === "push" && d.actuatedAt !== null);
    const latencies = window.map((d) => d.actuatedAt! - d.observedAt);
    const cpuMicros = u1.userMicros + u1.systemMicros - (u0.userMicros + u0.systemMicros);
    return {
      db: dbKind,
      graphs: n,
      services,
      samplesPerSecond: services,
      deploySeconds,
      cpuPercent: (cpuMicros / 1000 / (u1.at - u0.at)) * 100,
      rssMiB: u1.rss / 2 ** 20,
      decisions: window.length,
      decisionLatencyP50Ms: percentile(latencies, 50),
      decisionLatencyP95Ms: percentile(latencies, 95),
      reportErrors: smo.errors(),
    };
  } finally {
    await smo?.close();
    await sim.stop();
    await schema?.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const results: SizeResult[] = [];
  let description = "";
  for (const db of args.db!.split(",").filter(Boolean)) for (const n of sizes) {
    if (db === "memory" && n > Number(args["pglite-max"])) {
      log(`scale: ${n} graphs on PGlite skipped (--pglite-max ${args["pglite-max"]})`);
      continue;
    }
    log(`scale: ${n} graphs, store ${db} …`);
    results.push(await runSize(n, db));
    const r = results.at(-1)!;
    log(`  CPU ${r.cpuPercent.toFixed(1)} %, RSS ${r.rssMiB.toFixed(0)} MiB, ${r.decisions} decisions, p95 ${r.decisionLatencyP95Ms.toFixed(1)} ms`);
  }
  description = existsSync("/work/handoff/api-ready") && args.target !== "child" ? "`smo serve` child process over gRPC" : "smo elasticity core in a child process (Node IPC)";
  const md = [
    `### Scale — ${description}`,
    "",
    `${perGraph} services per graph, each pushing 1 sample/s; ${(stepShare * 100).toFixed(0)} % of services step their load up each second. ` +
      `CPU and RSS of the smo process over a ${steadyMs / 1000} s steady window after ${warmupMs / 1000} s of warm-up (CPU % of one core).`,
    "",
    table(
      ["store", "graphs", "services", "samples/s", "deploy s", "smo CPU %", "smo RSS MiB", "decisions", "decision latency p50 ms", "p95 ms"],
      results.map((r) => [
        r.db === "memory" ? "PGlite (memory)" : "PostgreSQL",
        r.graphs,
        r.services,
        r.samplesPerSecond,
        r.deploySeconds.toFixed(1),
        r.cpuPercent.toFixed(1),
        r.rssMiB.toFixed(0),
        r.decisions,
        r.decisionLatencyP50Ms.toFixed(1),
        r.decisionLatencyP95Ms.toFixed(1),
      ]),
    ),
  ].join("\n");
  process.stdout.write(`${md}\n`);
  const out = await writeBenchResult(
    "scale",
    {
      smo: description,
      servicesPerGraph: perGraph,
      warmupS: warmupMs / 1000,
      steadyS: steadyMs / 1000,
      stepShare,
      results,
      runSeconds: Math.round((Date.now() - started) / 1000),
    },
    args.out,
  );
  const plot = await writeScalePlot(out, results);
  log(`wrote ${out} and ${plot} (${Math.round((Date.now() - started) / 1000)} s)`);
}

/** CPU % and decision p95 against the graph count, one line per store, beside the JSON. */
function writeScalePlot(jsonPath: string, results: SizeResult[]): Promise<string> {
  const series: Series[] = [];
  for (const db of [...new Set(results.map((r) => r.db))]) {
    const mine = results.filter((r) => r.db === db);
    const name = db === "memory" ? "PGlite" : "PostgreSQL";
    series.push({ name: `${name}: CPU % of a core`, points: mine.map((r) => [r.graphs, r.cpuPercent]) });
    series.push({ name: `${name}: decision p95 ms`, points: mine.map((r) => [r.graphs, r.decisionLatencyP95Ms]), right: true, dashed: true });
  }
  return writeChart(jsonPath.replace(/\.json$/, ".svg"), {
    title: "bench:scale — smo CPU and decision latency against graphs under management",
    xLabel: "graphs (2 services each, 1 sample/s per service), log scale",
    yLabel: "CPU % of one core",
    yRightLabel: "decision latency p95, ms",
    logX: true,
    series,
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:scale failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
