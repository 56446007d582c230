// The linear capacity model (docs/solver.md#replicas): `alpha·r + beta` requests/s are served by r replicas.
import type { ScalingModel } from "../hdag/model.js";

/** Smallest replica count that serves `rate`, within [min, max]; `undefined` when even max cannot. */
export function replicasNeeded(model: ScalingModel, rate: number): number | undefined {
  const raw = Math.ceil((rate - model.beta) / model.alpha - 1e-9);
  const needed = Math.max(model.minReplicas, raw);
  return needed > model.maxReplicas ? undefined : needed;
}

/** Requests/s the service serves at its maximum replica count. */
export function capacityAtMax(model: ScalingModel): number {
  return model.alpha * model.maxReplicas + model.beta;
}

/**
 * The count the scale-down stabiliser records for `rate`: enough replicas to serve it with `headroom` to spare,
 * capped at max. It is the count a scale-down lands on, so a rate hovering just under a step does not make
 * the service flap between two counts.
 */
export function recommendedReplicas(model: ScalingModel, rate: number, headroom: number): number {
  return replicasNeeded(model, rate / (1 - headroom)) ?? model.maxReplicas;
}

/** True when `replicas` do not serve `rate`. */
export function isUnderProvisioned(model: ScalingModel, replicas: number, rate: number): boolean {
  return model.alpha * replicas + model.beta < rate - 1e-9;
}

/**
 * True when one replica fewer would still serve `rate` with `headroom` to spare (hysteresis): equivalent to
 * `recommendedReplicas(model, rate, headroom) < replicas`.
 */
export function isOverProvisioned(model: ScalingModel, replicas: number, rate: number, headroom: number): boolean {
  if (replicas <= model.minReplicas) return false;
  return (model.alpha * (replicas - 1) + model.beta) * (1 - headroom) >= rate;
}
