// Markdown tables for the solver bench.
export interface TimingRow {
  size: string;
  tightness: number;
  objective: string;
  backend: string;
  runs: number;
  medianMs: number;
  status: string;
  objectiveValue: number | null;
  gap: number | null;
}

export interface FirstFitRow {
  size: string;
  tightness: number;
  instances: number;
  optimalInfeasible: number;
  optimalNoAnswer: number;
  optimalProven: number;
  firstFitInfeasible: number;
  compared: number;
  movesOptimal: number | null;
  movesFirstFit: number | null;
  energyOptimal: number | null;
  energyFirstFit: number | null;
}

export interface EnergyResult {
  file: string;
  services: number;
  clusters: number;
  firstFit: { status: string; energy: number; traffic: number };
  energy: { status: string; energy: number; traffic: number; solveMs: number; backend: string };
  optimal: { status: string; energy: number; traffic: number };
  reduction: number | null;
  kpi: number;
  pass: boolean;
}

const num = (x: number | null, digits = 2) => (x === null ? "–" : Number(x.toFixed(digits)).toString());
const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)} %`);

export function timingTable(rows: TimingRow[]): string {
  const key = (r: TimingRow) => `${r.size}|${r.tightness}|${r.objective}`;
  const keys = [...new Set(rows.map(key))];
  const cell = (r: TimingRow | undefined) =>
    r ? `${num(r.medianMs, 1)} ms${r.runs < 5 ? ` (${r.runs})` : ""} | ${r.status}${r.gap ? ` ${pct(r.gap)}` : ""} | ${num(r.objectiveValue)}` : "– | – | –";
  const lines = [
    "| size | tightness | objective | GLPK time | GLPK status | GLPK objective | HiGHS time | HiGHS status | HiGHS objective |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const k of keys) {
    const [size, tightness, objective] = k.split("|");
    const g = rows.find((r) => key(r) === k && r.backend === "glpk");
    const h = rows.find((r) => key(r) === k && r.backend === "highs");
    lines.push(`| ${size} | ${tightness} | ${objective} | ${cell(g)} | ${cell(h)} |`);
  }
  return lines.join("\n");
}

export function firstFitTable(rows: FirstFitRow[]): string {
  const lines = [
    "| size | tightness | optimal infeasible | optimal proven | first-fit infeasible | moves optimal / first-fit | energy optimal / first-fit |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const noAnswer = r.optimalNoAnswer ? ` (+${r.optimalNoAnswer} no answer)` : "";
    lines.push(
      `| ${r.size} | ${r.tightness} | ${r.optimalInfeasible}/${r.instances}${noAnswer} | ${r.optimalProven}/${r.instances} | ${r.firstFitInfeasible}/${r.instances} | ${num(r.movesOptimal, 1)} / ${num(r.movesFirstFit, 1)} | ${num(r.energyOptimal, 1)} / ${num(r.energyFirstFit, 1)} |`,
    );
  }
  return lines.join("\n");
}

export function energyTable(e: EnergyResult): string {
  return [
    `Energy scenario (${e.file}: ${e.services} services, ${e.clusters} clusters)`,
    "",
    "| strategy | status | energy | split traffic |",
    "|---|---|---|---|",
    `| first-fit | ${e.firstFit.status} | ${num(e.firstFit.energy, 3)} | ${e.firstFit.traffic} |`,
    `| optimal (moves only) | ${e.optimal.status} | ${num(e.optimal.energy, 3)} | ${e.optimal.traffic} |`,
    `| energy | ${e.energy.status} (${num(e.energy.solveMs, 0)} ms, ${e.energy.backend}) | ${num(e.energy.energy, 3)} | ${e.energy.traffic} |`,
    "",
    `Energy reduction of the energy strategy vs first-fit: ${pct(e.reduction)} (KPI ≥ ${pct(e.kpi)}: ${e.pass ? "PASS" : "FAIL"})`,
  ].join("\n");
}

/** The "Solver" section of bench/README.md: how it was measured, on what, and the three tables. */
export function readmeSection(r: { timing: TimingRow[]; versusFirstFit: FirstFitRow[]; energyScenario: EnergyResult; timeLimitMs: number; compareTimeLimitMs: number; durationMs: number; seeds: number }, measuredOn: string): string {
  return [
    `Measured by \`npm run bench:solver\` ${measuredOn}; the run took ${Math.round(r.durationMs / 1000)} s, raw figures in`,
    "`bench/results/solver.json`. Models, strategies and the backend choice: [docs/solver.md](../docs/solver.md).",
    "",
    "Seeded instances (`bench/solver/generate.ts`): services with 0.25–4 cores × 1–3 replicas, 10 % needing a GPU,",
    "a co-location pair per 10 services, ~0.8 connections per service with random qos, a random current placement",
    "(so services must move when capacity is short); cluster capacity = demand / tightness. Objectives: **moves**",
    `(the \`optimal\` defaults) and **full** (moves 1, energy 0.1, traffic 0.5). Time limit ${r.timeLimitMs / 1000} s per timed solve;`,
    'median of 5 runs (a run that hits the limit is not repeated: "(1)").',
    "",
    timingTable(r.timing),
    "",
    `Against \`first-fit\` (${r.seeds} seeds per cell, \`optimal\` with \`backend: auto\` and a ${r.compareTimeLimitMs / 1000} s limit; moves and energy`,
    "are means over the seeds where both answered; the default weights do not optimise energy, so energy is only reported):",
    "",
    firstFitTable(r.versusFirstFit),
    "",
    `("optimal proven" = answered with a proof within ${r.compareTimeLimitMs / 1000} s; the rest of the feasible ones returned \`feasible\` with a gap.)`,
    "",
    energyTable(r.energyScenario),
  ].join("\n");
}
