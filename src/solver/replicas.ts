// Replica decisions for the services of one cluster: exact pre-checks, then the closed form when it is exact
// (separable-optimum.ts), else the MILP, and when the time limit stops the solver without an answer, the fewest
// replicas covering each rate (always feasible after the checks).
import { relativeGap, type Backend } from "./backends/backend.js";
import { replicaCost, replicaObjective, replicaViolations, requiredReplicas } from "./evaluate.js";
import { precheckReplicas } from "./infeasibility/replicas.js";
import type { ReplicaInstance } from "./instance.js";
import { buildReplicaModel, decodeReplicas } from "./model/replicas.js";
import { separableOptimum } from "./separable-optimum.js";
import { formatNumber } from "../kernel/quantity.js";
import type { ReplicaResult, SolveStatus } from "./types.js";

export interface ReplicaSolveOptions {
  /** Answer with the closed form when it is exact (default true); false always builds the MILP (tests compare the two). */
  closedForm?: boolean;
}

/** The closed-form answer, or null when the problem needs the MILP (or is infeasible); cheap enough for any thread. */
export function solveReplicasClosedForm(inst: ReplicaInstance): ReplicaResult | null {
  const started = performance.now();
  if (precheckReplicas(inst) !== null) return null;
  const replicas = separableOptimum(inst);
  if (!replicas) return null;
  const cost = replicaCost(inst, replicas);
  const byName = Object.fromEntries(inst.services.map((s, i) => [s.name, replicas[i]!]));
  return {
    backend: "none",
    weights: inst.weights,
    status: "optimal",
    replicas: byName,
    objective: replicaObjective(inst, cost),
    reason: describe(inst, replicas, "optimal", 0, "closed form: the CPU constraint does not bind"),
    solveMs: elapsed(started),
    gap: 0,
    cost,
  };
}

export function solveReplicas(inst: ReplicaInstance, backend: Backend | null, options: ReplicaSolveOptions = {}): ReplicaResult {
  const started = performance.now();
  const base = { backend: backend?.name ?? ("none" as const), weights: inst.weights };
  const done = (status: SolveStatus, replicas: number[], gap: number | null, note: string): ReplicaResult => {
    const cost = replicaCost(inst, replicas);
    const byName = Object.fromEntries(inst.services.map((s, i) => [s.name, replicas[i]!]));
    return { ...base, status, replicas: byName, objective: replicaObjective(inst, cost), reason: describe(inst, replicas, status, gap, note), solveMs: elapsed(started), gap, cost };
  };
  const precheck = precheckReplicas(inst);
  if (precheck) {
    return { ...base, backend: "none", status: "infeasible", replicas: {}, objective: 0, reason: precheck, solveMs: elapsed(started), gap: null, cost: { util: 0, trans: 0 } };
  }
  if (inst.services.length === 0 || !backend) return done("optimal", [], 0, "");
  if (options.closedForm !== false) {
    const closed = solveReplicasClosedForm(inst);
    if (closed) return closed;
  }

  const rm = buildReplicaModel(inst);
  const solution = backend.solve(rm.model, { timeLimitMs: inst.timeLimitMs });
  const fallback = inst.services.map(requiredReplicas);
  if (solution.status === "optimal" || solution.status === "feasible") {
    const replicas = decodeReplicas(rm, solution.values);
    const broken = replicaViolations(inst, replicas);
    if (broken.length > 0) throw new Error(`${backend.name} returned invalid replicas: ${broken.join("; ")}`);
    if (solution.status === "optimal") return done("optimal", replicas, 0, "");
    const better = replicaObjective(inst, replicaCost(inst, fallback)) < replicaObjective(inst, replicaCost(inst, replicas)) ? fallback : replicas;
    return done("feasible", better, relativeGap(replicaObjective(inst, replicaCost(inst, better)), solution.bound), "time limit reached");
  }
  if (solution.status === "unknown") {
    return done("feasible", fallback, relativeGap(replicaObjective(inst, replicaCost(inst, fallback)), solution.bound), "time limit reached before the solver answered; these are the fewest replicas covering each rate");
  }
  // The pre-checks are exact, so this means a numerical disagreement with the backend: answer with the bound.
  return done("feasible", fallback, null, `${backend.name} reported infeasible although the fewest replicas covering each rate fit; answering with those`);
}

function describe(inst: ReplicaInstance, replicas: number[], status: SolveStatus, gap: number | null, note: string): string {
  const head = status === "optimal" ? "optimal" : gap === null ? "feasible" : `feasible (gap ${formatNumber(gap * 100)}%)`;
  const changes = inst.services
    .map((s, i) => ({ s, r: replicas[i]! }))
    .filter(({ s, r }) => r !== s.current)
    .map(({ s, r }) => `${s.name} ${s.current}→${r}`);
  const cpu = inst.services.reduce((a, s, i) => a + s.cpu * replicas[i]!, 0);
  const changed = changes.length === 0 ? "no change" : changes.slice(0, 6).join(", ") + (changes.length > 6 ? ", …" : "");
  return `${head}: ${changed}; CPU ${formatNumber(cpu)} of ${formatNumber(inst.clusterCpu)} cores${note ? `; ${note}` : ""}`;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
