// The replica MILP for the services of one cluster (docs/solver.md#replicas).
//   r_s ∈ ℤ, min_s ≤ r_s ≤ max_s                         (bounds; min defaults to 1)
//   alpha_s·r_s + beta_s ≥ rate_s                         (rate)
//   Σ_s cpu_s·r_s ≤ cpu                                   (cpu)
//   d_s ≥ r_s − current_s, d_s ≥ current_s − r_s          (trans: d_s = |r_s − current_s| at the optimum)
// minimise w_util·Σ cpu_s·r_s / norm + w_trans·Σ d_s / max_s,  norm = max_s(max_s·cpu_s) (NEPHELE's normalisation)
import type { ReplicaInstance } from "../instance.js";
import { utilNorm } from "../evaluate.js";
import { ModelBuilder, type LinearModel } from "./linear.js";

export interface ReplicaModel {
  model: LinearModel;
  /** Column of r_s per service. */
  r: number[];
}

export function buildReplicaModel(inst: ReplicaInstance): ReplicaModel {
  const b = new ModelBuilder("replicas");
  const norm = utilNorm(inst);
  const w = inst.weights;
  const r = inst.services.map((s, i) => b.addColumn(`r_${i}`, "integer", s.min, s.max, (w.util * s.cpu) / norm));
  inst.services.forEach((s, i) => b.addRow(`rate_${i}`, "rate", [[r[i]!, s.alpha]], s.rate - s.beta, Infinity));
  b.addRow("cpu", "cpu", inst.services.map((s, i) => [r[i]!, s.cpu] as const), -Infinity, inst.clusterCpu);
  if (w.trans > 0) {
    inst.services.forEach((s, i) => {
      const d = b.addColumn(`d_${i}`, "continuous", 0, Infinity, w.trans / s.max);
      b.addRow(`up_${i}`, "trans", [[d, 1], [r[i]!, -1]], -s.current, Infinity);
      b.addRow(`down_${i}`, "trans", [[d, 1], [r[i]!, 1]], s.current, Infinity);
    });
  }
  return { model: b.build(), r };
}

export function decodeReplicas(rm: ReplicaModel, values: ArrayLike<number>): number[] {
  return rm.r.map((col) => Math.round(values[col]!));
}
