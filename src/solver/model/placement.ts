// The placement MILP (docs/solver.md#placement).
//   x[s,c] ∈ {0,1}                                   service s on cluster c
//   Σ_c x[s,c] = 1                                   each service on exactly one cluster            (assign)
//   Σ_s cpu_s·r_s·x[s,c] ≤ cpu_c                     free CPU, replicas counted                      (cpu)
//   Σ_s mem_s·r_s·x[s,c] ≤ mem_c                     free memory, in GiB for conditioning           (memory)
//   x[s,c] = 0 if s needs a GPU and c has none; Σ_s gpu_s·r_s·x[s,c] ≤ gpus_c                      (gpu)
//   x[a,c] = x[b,c] for a, b in one co-location group                                              (coLocation)
//   u[k,c] ≥ x[a,c] − x[b,c], u ≥ 0 per connection k = (a,b): Σ_c u[k,c] = 1 iff a, b are split  (traffic)
// minimise w_moves·Σ_{s with current y_s} (1 − x[s,y_s]) + w_energy·Σ e_c·cpu_s·r_s·x[s,c]
//          + w_traffic·Σ_k qos_k·Σ_c u[k,c]
// The moves term is symmetric (every service leaving its cluster counts once), unlike NEPHELE's, whose first
// term was a constant. Pairs (s,c) that a single family already forbids get no column at all.
import { GONE, NO_CURRENT, gpuAllowed, serviceCpu, serviceGpus, serviceMemory, type PlacementInstance } from "../instance.js";
import { ModelBuilder, type LinearModel } from "./linear.js";

export type PlacementFamily = "cpu" | "memory" | "gpu" | "coLocation";
export const PLACEMENT_FAMILIES: readonly PlacementFamily[] = ["gpu", "coLocation", "cpu", "memory"];

export interface PlacementModelOptions {
  /** Families left out, to find which one makes an infeasible problem infeasible. */
  relax?: ReadonlySet<PlacementFamily>;
  /** Zero objective: only feasibility matters (diagnosis). */
  feasibilityOnly?: boolean;
}

export interface PlacementModel {
  model: LinearModel;
  /** x[s][c]: column index, or -1 when the pair is excluded. */
  x: number[][];
}

const GIB = 2 ** 30;

export function buildPlacementModel(inst: PlacementInstance, options: PlacementModelOptions = {}): PlacementModel {
  const relax = options.relax ?? new Set<PlacementFamily>();
  const w = options.feasibilityOnly ? { moves: 0, energy: 0, traffic: 0 } : inst.weights;
  const b = new ModelBuilder("placement");
  const { services, clusters } = inst;

  const x = services.map((s, i) =>
    clusters.map((c, j) => {
      if (!relax.has("gpu") && (!gpuAllowed(s, c) || serviceGpus(s) > c.gpus)) return -1;
      if (!relax.has("cpu") && serviceCpu(s) > c.cpu) return -1;
      if (!relax.has("memory") && serviceMemory(s) > c.memoryBytes) return -1;
      return b.addColumn(`x_${i}_${j}`, "binary", 0, 1, w.energy * c.energyCost * serviceCpu(s));
    }),
  );

  services.forEach((_, i) => {
    const y = inst.current[i]!;
    if (y === NO_CURRENT || w.moves === 0) return;
    b.offset += w.moves;
    if (y !== GONE && x[i]![y]! >= 0) b.columns[x[i]![y]!]!.cost -= w.moves;
  });

  services.forEach((_, i) => b.addRow(`assign_${i}`, "assign", cols(x[i]!).map((col) => [col, 1] as const), 1, 1));

  clusters.forEach((c, j) => {
    const on = services.map((s, i) => [s, x[i]![j]!] as const).filter(([, col]) => col >= 0);
    if (!relax.has("cpu")) b.addRow(`cpu_${j}`, "cpu", on.map(([s, col]) => [col, serviceCpu(s)] as const), -Infinity, c.cpu);
    if (!relax.has("memory") && Number.isFinite(c.memoryBytes)) {
      b.addRow(`memory_${j}`, "memory", on.map(([s, col]) => [col, serviceMemory(s) / GIB] as const), -Infinity, c.memoryBytes / GIB);
    }
    if (!relax.has("gpu") && Number.isFinite(c.gpus)) {
      const gpuTerms = on.filter(([s]) => s.gpus > 0).map(([s, col]) => [col, serviceGpus(s)] as const);
      if (gpuTerms.length > 0) b.addRow(`gpu_${j}`, "gpu", gpuTerms, -Infinity, c.gpus);
    }
  });

  if (!relax.has("coLocation")) {
    inst.coLocation.forEach((group, g) => {
      const [head, ...rest] = group;
      for (const m of rest) {
        clusters.forEach((_, j) => {
          const terms: (readonly [number, number])[] = [];
          if (x[head!]![j]! >= 0) terms.push([x[head!]![j]!, 1]);
          if (x[m]![j]! >= 0) terms.push([x[m]![j]!, -1]);
          if (terms.length > 0) b.addRow(`coloc_${g}_${m}_${j}`, "coLocation", terms, 0, 0);
        });
      }
    });
  }

  if (w.traffic > 0) {
    inst.connections.forEach((k, n) => {
      clusters.forEach((_, j) => {
        const xa = x[k.from]![j]!;
        if (xa < 0) return;
        const u = b.addColumn(`u_${n}_${j}`, "continuous", 0, 1, w.traffic * k.weight);
        const terms: (readonly [number, number])[] = [[u, 1], [xa, -1]];
        if (x[k.to]![j]! >= 0) terms.push([x[k.to]![j]!, 1]);
        b.addRow(`split_${n}_${j}`, "traffic", terms, 0, Infinity);
      });
    });
  }

  return { model: b.build(), x };
}

/** Cluster index per service from a solution vector (the column at 1). */
export function decodePlacement(pm: PlacementModel, values: ArrayLike<number>): number[] {
  return pm.x.map((row) => {
    let best = -1;
    let bestValue = 0.5;
    row.forEach((col, j) => {
      if (col >= 0 && values[col]! > bestValue) {
        best = j;
        bestValue = values[col]!;
      }
    });
    return best;
  });
}

/** A solution vector for an assignment (cluster index per service), e.g. a first-fit start for the solver. */
export function encodePlacement(pm: PlacementModel, inst: PlacementInstance, assignment: readonly number[]): Float64Array | undefined {
  const values = new Float64Array(pm.model.columns.length);
  for (let i = 0; i < assignment.length; i++) {
    const col = pm.x[i]![assignment[i]!]!;
    if (col === undefined || col < 0) return undefined;
    values[col] = 1;
  }
  const colIndex = new Map(pm.model.columns.map((c, j) => [c.name, j]));
  inst.connections.forEach((k, n) => {
    if (assignment[k.from] === assignment[k.to]) return;
    const u = colIndex.get(`u_${n}_${assignment[k.from]}`);
    if (u !== undefined) values[u] = 1;
  });
  return values;
}

function cols(row: number[]): number[] {
  return row.filter((col) => col >= 0);
}
