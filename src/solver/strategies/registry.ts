// Placement strategies by name. Adding a strategy: one file exporting a PlacementStrategy, one line here.
import type { StrategyInfo } from "../types.js";
import { energy } from "./energy.js";
import { firstFit } from "./first-fit.js";
import { optimal } from "./optimal.js";
import type { PlacementStrategy } from "./strategy.js";

const STRATEGIES: readonly PlacementStrategy[] = [optimal, energy, firstFit];

export const DEFAULT_STRATEGY = "optimal";

export function findStrategy(name: string): PlacementStrategy | undefined {
  return STRATEGIES.find((s) => s.name === name);
}

export function strategyNames(): string[] {
  return STRATEGIES.map((s) => s.name).sort();
}

export function listStrategies(): StrategyInfo[] {
  return STRATEGIES.map(({ name, description, defaultWeights }) => ({ name, description, defaultWeights: { ...defaultWeights } }));
}
