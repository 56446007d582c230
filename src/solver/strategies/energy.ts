// energy: the placement MILP with the energy term on (chosen when hdaGraphIntent.energyEfficiency.enabled).
// Weight 1 on energy next to 1 per move: a service moves when that saves more than one unit of
// energyCost × cores.
import { placeWithMilp } from "./milp.js";
import type { PlacementStrategy } from "./strategy.js";

export const energy: PlacementStrategy = {
  name: "energy",
  description: "placement MILP with the energy term on: minimise moves + energyCost·cores (defaults 1, 1, 0)",
  defaultWeights: { moves: 1, energy: 1, traffic: 0 },
  usesBackend: true,
  place: placeWithMilp,
};
