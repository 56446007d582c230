// `smo scale FILE`: offline what-if replica counts (the same solver as OptimizerService.DecideReplicas).
import { replicaProblemFromJson, type ReplicaResult } from "../../solver/index.js";
import type { CommandIO } from "../main.js";
import { runSolveFile } from "./place.js";

const USAGE = `usage: smo scale FILE [--backend auto|glpk|highs] [--time-limit SECONDS]

FILE (JSON; "-" reads stdin):
  {"cluster": {"cpu"},
   "services": [{"name", "cpu", "alpha", "beta", "rate", "current", "max", "min"}],
   "weights": {"util", "trans"}}
  alpha·r + beta ≥ rate for each service, min (default 1) ≤ r ≤ max, Σ cpu·r ≤ cluster.cpu.

Prints the decision as JSON: {"status", "replicas", "objective", "reason", "solveMs", ...}.
An infeasible problem is an answer (status "infeasible", exit 0); bad input exits 1.
`;

export function run(args: string[], io: CommandIO): Promise<number> {
  return runSolveFile(
    {
      name: "scale",
      usage: USAGE,
      extraOptions: [],
      parse: (json) => replicaProblemFromJson(json),
      solve: async (solver, problem) => ordered(await solver.decideReplicas(problem)),
    },
    args,
    io,
  );
}

function ordered(r: ReplicaResult): object {
  const { status, replicas, objective, reason, solveMs, ...rest } = r;
  return { status, replicas, objective, reason, solveMs, ...rest };
}
