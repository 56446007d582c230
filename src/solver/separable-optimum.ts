// The replica MILP (model/replicas.ts) in closed form, for when it is exact. Without the CPU row the model is
// separable: each service minimises u·r + t·|r − current| over [lowest, max], where lowest is the fewest replicas
// covering its rate, u = w_util·cpu/norm and t = w_trans/max. That cost is convex and piecewise linear in r, so
// its minimum is `lowest` when current ≤ lowest or u > t, and min(current, max) when u < t. If those counts fit
// the CPU, the CPU row does not bind and they are the MILP's optimum too (an optimum of a relaxation that is
// feasible for the full problem is optimal for it). Null when the MILP must decide: the CPU row binds, or a
// service's optimum is not unique (u = t with current above lowest, or u = t = 0), where the backend's choice
// among equal-cost counts is kept rather than second-guessed.
import { requiredReplicas, utilNorm } from "./evaluate.js";
import type { ReplicaInstance } from "./instance.js";

/** Relative margin under which u and t count as equal (float noise in cpu/norm against 1/max). */
const TIE = 1e-9;

export function separableOptimum(inst: ReplicaInstance): number[] | null {
  const norm = utilNorm(inst);
  const { util, trans } = inst.weights;
  const out: number[] = [];
  let cpu = 0;
  for (const s of inst.services) {
    const lowest = requiredReplicas(s);
    if (lowest > s.max) return null; // infeasible: the pre-checks explain it
    const u = (util * s.cpu) / norm;
    const t = trans / s.max;
    const tie = Math.abs(u - t) <= TIE * Math.max(u, t);
    if (u + t <= 0) return null; // every count costs the same
    let r: number;
    if (s.current <= lowest) r = lowest;
    else if (tie) {
      if (Math.min(s.current, s.max) === lowest) r = lowest;
      else return null;
    } else r = u > t ? lowest : Math.min(s.current, s.max);
    out.push(r);
    cpu += s.cpu * r;
  }
  // The same tolerance as the pre-check and replicaViolations: a count that passes there passes here.
  if (cpu > inst.clusterCpu * (1 + 1e-12) + 1e-12) return null;
  return out;
}
