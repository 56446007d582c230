// The MILP path shared by `optimal` and `energy`: pre-checks, model, solve within the deadline, then either the
// proven optimum, the best answer found (status feasible, with its gap), or the explained infeasibility.
import { TimeoutError } from "../../kernel/errors.js";
import { relativeGap } from "../backends/backend.js";
import { placementCost, placementObjective, placementViolations } from "../evaluate.js";
import { diagnosePlacement, precheckPlacement } from "../infeasibility/placement.js";
import type { PlacementInstance } from "../instance.js";
import { buildPlacementModel, decodePlacement, encodePlacement } from "../model/placement.js";
import { firstFitAssignment } from "./first-fit.js";
import { warmStart } from "./warm-start.js";
import type { StrategyContext, StrategyOutcome } from "./strategy.js";

export function placeWithMilp(inst: PlacementInstance, ctx: StrategyContext): StrategyOutcome {
  const backend = ctx.backend;
  if (!backend) throw new Error("the MILP strategies need a backend");
  const precheck = precheckPlacement(inst);
  if (precheck) return { status: "infeasible", assignment: null, reason: precheck, gap: null, backend: "none" };
  if (inst.services.length === 0) return { status: "optimal", assignment: [], reason: "", gap: 0, backend: "none" };

  const pm = buildPlacementModel(inst);
  const greedy = bestOf(inst, [warmStart(inst, true), warmStart(inst, false), firstFitAssignment(inst).assignment]);
  const start = greedy ? encodePlacement(pm, inst, greedy) : undefined;
  const solution = backend.solve(pm.model, { timeLimitMs: remaining(ctx), start });

  if (solution.status === "infeasible") {
    return { status: "infeasible", assignment: null, reason: diagnosePlacement(inst, backend, remaining(ctx)), gap: null, backend: backend.name };
  }
  if (solution.status === "unknown") {
    if (!greedy) throw new TimeoutError(`no placement found within the ${inst.timeLimitMs} ms time limit (not proven infeasible)`);
    return {
      status: "feasible",
      assignment: greedy,
      reason: `time limit reached before ${backend.name} found a placement; this is the greedy answer`,
      gap: relativeGap(placementObjective(inst, placementCost(inst, greedy)), solution.bound),
      backend: backend.name,
    };
  }

  let assignment = decodePlacement(pm, solution.values);
  const broken = placementViolations(inst, assignment);
  if (broken.length > 0) throw new Error(`${backend.name} returned an invalid placement: ${broken.join("; ")}`);
  if (solution.status === "optimal") return { status: "optimal", assignment, reason: "", gap: 0, backend: backend.name };

  // Stopped at the time limit: keep the better of the solver's incumbent and the greedy answer.
  let objective = placementObjective(inst, placementCost(inst, assignment));
  if (greedy) {
    const greedyObjective = placementObjective(inst, placementCost(inst, greedy));
    if (greedyObjective < objective) {
      assignment = greedy;
      objective = greedyObjective;
    }
  }
  const gap = relativeGap(objective, solution.bound);
  if (gap === 0) return { status: "optimal", assignment, reason: "", gap, backend: backend.name };
  return { status: "feasible", assignment, reason: `time limit of ${inst.timeLimitMs} ms reached`, gap, backend: backend.name };
}

function bestOf(inst: PlacementInstance, candidates: (number[] | null)[]): number[] | null {
  let best: number[] | null = null;
  let bestObjective = Infinity;
  for (const a of candidates) {
    if (!a) continue;
    const z = placementObjective(inst, placementCost(inst, a));
    if (z < bestObjective) {
      best = a;
      bestObjective = z;
    }
  }
  return best;
}

/** Milliseconds left before the deadline, never less than a small floor so the solver can return an answer. */
export function remaining(ctx: StrategyContext): number {
  return Math.max(50, ctx.deadline - performance.now());
}
