// optimal (default): the placement MILP with the caller's weights (default: fewest moves).
import { placeWithMilp } from "./milp.js";
import type { PlacementStrategy } from "./strategy.js";

export const optimal: PlacementStrategy = {
  name: "optimal",
  description: "placement MILP: minimise w.moves·moves + w.energy·energy + w.traffic·split traffic (defaults 1, 0, 0)",
  defaultWeights: { moves: 1, energy: 0, traffic: 0 },
  usesBackend: true,
  place: placeWithMilp,
};
