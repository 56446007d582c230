// What backend "auto" means, decided from bench/solver (README, bench/results/solver.json):
//  - small models: GLPK answers in ~1 ms where HiGHS spends 30–80 ms in presolve and set-up (10×3: 0.7 vs 45 ms);
//  - from about 400 placement variables up HiGHS wins and keeps proving optimality: 50×10 2–4× faster,
//    100×20 and 200×20 (moves objective) optimal in 0.1–1.1 s where GLPK stops at the 10 s limit with a 20–50 % gap.
// Around the crossover (40×8 = 320 variables) both took about the same time.
import type { BackendChoice, BackendName } from "../types.js";

/** Models with at least this many decision variables (services × clusters, or services for replicas) use HiGHS. */
export const HIGHS_FROM_SIZE = 400;

export function chooseBackend(choice: BackendChoice, size: number): BackendName {
  if (choice !== "auto") return choice;
  return size >= HIGHS_FROM_SIZE ? "highs" : "glpk";
}
