// npm run bench:solver — placement solver benchmark (tables in bench/README.md#solver).
//  1. Backends: sizes 3×2 … 200×20 (services × clusters) at capacity tightness 0.7 and 0.9, for two objectives
//     (moves only = the optimal strategy's defaults; full = moves 1, energy 0.1, traffic 0.5), GLPK and HiGHS:
//     solve time (median of 5; a solve that hits the time limit is not repeated), status, objective, gap.
//  2. Against first-fit: over 10 seeds per cell, infeasibility rate, moves and energy of `optimal` vs `first-fit`.
//  3. Energy scenario (bench/solver/energy-scenario.json): the energy strategy's energy vs first-fit (KPI ≥ 15 %).
// Writes bench/results/solver.json and prints Markdown tables. Every solve is time-limited, so the run is bounded.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { measuredOn, repoRoot, writeBenchResult, writeReadmeSection } from "../results.js";
import { createSolver, placementProblemFromJson, type BackendName, type PlacementProblem, type PlacementResult } from "../../src/solver/index.js";
import { generatePlacement } from "./generate.js";
import { readmeSection, timingTable, firstFitTable, energyTable, type TimingRow, type FirstFitRow, type EnergyResult } from "./report.js";

const SIZES: [number, number][] = [[3, 2], [10, 3], [50, 10], [100, 20], [200, 20]];
const TIGHTNESS = [0.7, 0.9];
const BACKENDS: BackendName[] = ["glpk", "highs"];
const OBJECTIVES = { moves: undefined, full: { moves: 1, energy: 0.1, traffic: 0.5 } } as const;
const REPEATS = 5;
const SEEDS = 10;
const TIME_LIMIT_MS = Number(process.env.SMO_BENCH_TIME_LIMIT_MS ?? 10_000);
const COMPARE_TIME_LIMIT_MS = 2_000;

const root = `${repoRoot()}/`;

function instance(services: number, clusters: number, tightness: number, seed: number, weights?: PlacementProblem["weights"]): PlacementProblem {
  return generatePlacement({ services, clusters, tightness, seed, coLocation: Math.floor(services / 10), current: true, weights });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function timing(): Promise<TimingRow[]> {
  const solver = createSolver({ workers: 1 });
  const rows: TimingRow[] = [];
  try {
    // Load both wasm modules in the worker first so no measurement includes a load.
    for (const backend of BACKENDS) await solver.decidePlacement({ clusters: [{ name: "a", cpu: 1 }], services: [{ name: "x", cpu: 1 }], backend });
    for (const [n, m] of SIZES) {
      for (const tightness of TIGHTNESS) {
        for (const [objective, weights] of Object.entries(OBJECTIVES)) {
          const p = instance(n, m, tightness, 1000 + n * 7 + m, weights);
          for (const backend of BACKENDS) {
            const runs: PlacementResult[] = [];
            for (let k = 0; k < REPEATS; k++) {
              const r = await solver.decidePlacement({ ...p, backend, timeLimitMs: TIME_LIMIT_MS }).catch((err: Error) => err);
              if (r instanceof Error) {
                rows.push({ size: `${n}×${m}`, tightness, objective, backend, runs: k + 1, medianMs: TIME_LIMIT_MS, status: "no answer", objectiveValue: null, gap: null });
                break;
              }
              runs.push(r);
              if (r.status !== "optimal" && r.status !== "infeasible") break; // hit the time limit: repeating only costs time
            }
            if (runs.length === 0) continue;
            const last = runs[runs.length - 1]!;
            rows.push({ size: `${n}×${m}`, tightness, objective, backend, runs: runs.length, medianMs: median(runs.map((r) => r.solveMs)), status: last.status, objectiveValue: last.status === "infeasible" ? null : last.objective, gap: last.gap });
            process.stderr.write(`  ${n}×${m} t=${tightness} ${objective} ${backend}: ${last.status} ${median(runs.map((r) => r.solveMs)).toFixed(1)} ms\n`);
          }
        }
      }
    }
  } finally {
    await solver.close();
  }
  return rows;
}

async function versusFirstFit(): Promise<FirstFitRow[]> {
  // Timing is not measured here, so two workers share the seeds.
  const solver = createSolver({ workers: Math.min(2, availableParallelism()) });
  const rows: FirstFitRow[] = [];
  try {
    for (const [n, m] of SIZES) {
      for (const tightness of TIGHTNESS) {
        const seeds = Array.from({ length: SEEDS }, (_, i) => 1 + i);
        const pairs = await Promise.all(
          seeds.map(async (seed) => {
            const p = instance(n, m, tightness, seed);
            const [opt, ff] = await Promise.all([
              solver.decidePlacement({ ...p, timeLimitMs: COMPARE_TIME_LIMIT_MS }).catch(() => null),
              solver.decidePlacement({ ...p, strategy: "first-fit" }),
            ]);
            return { opt, ff };
          }),
        );
        const answered = (r: PlacementResult | null): r is PlacementResult => r !== null && r.status !== "infeasible";
        const both = pairs.filter((x) => answered(x.opt) && answered(x.ff));
        const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
        rows.push({
          size: `${n}×${m}`,
          tightness,
          instances: SEEDS,
          optimalInfeasible: pairs.filter((x) => x.opt?.status === "infeasible").length,
          optimalNoAnswer: pairs.filter((x) => x.opt === null).length,
          optimalProven: pairs.filter((x) => x.opt?.status === "optimal").length,
          firstFitInfeasible: pairs.filter((x) => x.ff.status === "infeasible").length,
          compared: both.length,
          movesOptimal: mean(both.map((x) => x.opt!.cost.moves)),
          movesFirstFit: mean(both.map((x) => x.ff.cost.moves)),
          energyOptimal: mean(both.map((x) => x.opt!.cost.energy)),
          energyFirstFit: mean(both.map((x) => x.ff.cost.energy)),
        });
        process.stderr.write(`  vs first-fit ${n}×${m} t=${tightness} done\n`);
      }
    }
  } finally {
    await solver.close();
  }
  return rows;
}

async function energyScenario(): Promise<EnergyResult> {
  const file = `${root}bench/solver/energy-scenario.json`;
  const problem = placementProblemFromJson(JSON.parse(readFileSync(file, "utf8")));
  const solver = createSolver({ workers: 1 });
  try {
    const ff = await solver.decidePlacement({ ...problem, strategy: "first-fit" });
    const energy = await solver.decidePlacement({ ...problem, strategy: "energy", timeLimitMs: TIME_LIMIT_MS });
    const optimal = await solver.decidePlacement({ ...problem, strategy: "optimal", timeLimitMs: TIME_LIMIT_MS });
    const reduction = ff.status === "infeasible" || energy.status === "infeasible" ? null : (ff.cost.energy - energy.cost.energy) / ff.cost.energy;
    return {
      file: "bench/solver/energy-scenario.json",
      services: problem.services.length,
      clusters: problem.clusters.length,
      firstFit: { status: ff.status, energy: ff.cost.energy, traffic: ff.cost.traffic },
      energy: { status: energy.status, energy: energy.cost.energy, traffic: energy.cost.traffic, solveMs: energy.solveMs, backend: energy.backend },
      optimal: { status: optimal.status, energy: optimal.cost.energy, traffic: optimal.cost.traffic },
      reduction,
      kpi: 0.15,
      pass: reduction !== null && reduction >= 0.15,
    };
  } finally {
    await solver.close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stderr.write(`solver bench: time limit ${TIME_LIMIT_MS} ms per timed solve, ${COMPARE_TIME_LIMIT_MS} ms per comparison solve\n`);
  const timingRows = await timing();
  const firstFitRows = await versusFirstFit();
  const energy = await energyScenario();
  const result = {
    timeLimitMs: TIME_LIMIT_MS,
    compareTimeLimitMs: COMPARE_TIME_LIMIT_MS,
    timing: timingRows,
    versusFirstFit: firstFitRows,
    energyScenario: energy,
    durationMs: Date.now() - started,
  };
  await writeBenchResult("solver", result);
  // Tables go into bench/README.md with the date and machine, unless --no-readme (e.g. a trial run).
  if (!process.argv.includes("--no-readme")) await writeReadmeSection("Solver", readmeSection({ ...result, seeds: SEEDS }, measuredOn()));
  process.stdout.write(`${timingTable(timingRows)}\n\n${firstFitTable(firstFitRows)}\n\n${energyTable(energy)}\n\nbench took ${Math.round(result.durationMs / 1000)} s; results in bench/results/solver.json and bench/README.md\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`solver bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
