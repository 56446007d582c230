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
