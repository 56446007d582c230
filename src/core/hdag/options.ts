// Options of validation and translation. Strategy names come from the caller (the solver's registry passes
// its own) so that validation of `placementStrategy` follows what is actually registered.
import type { ScalingModel } from "./model.js";
import { DEFAULT_PLACEMENT_STRATEGIES, DEFAULT_SCALING_STRATEGIES } from "./schema.js";

export interface HdagOptions {
  /** Accepted `hdaGraphIntent.placementStrategy` names (default first-fit, optimal, energy). */
  placementStrategies?: readonly string[];
  /** Accepted `hdaGraphIntent.scalingStrategy` names (default reactive, forecast). */
  scalingStrategies?: readonly string[];
  /** Scaling model of services whose descriptor does not state one (see DEFAULT_SCALING). */
  scalingDefaults?: Partial<ScalingModel>;
}

/**
 * Defaults of the linear capacity model `alpha·replicas + beta ≥ rate`: 10 requests/s per replica, no
 * replica-independent capacity, 1 to 10 replicas. Deliberately modest: a service whose real capacity is
 * unknown scales out early rather than late.
 */
export const DEFAULT_SCALING: Readonly<ScalingModel> = { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 10 };

export interface ResolvedOptions {
  placementStrategies: readonly string[];
  scalingStrategies: readonly string[];
  scalingDefaults: ScalingModel;
}

export function resolveOptions(opts: HdagOptions = {}): ResolvedOptions {
  return {
    placementStrategies: opts.placementStrategies ?? DEFAULT_PLACEMENT_STRATEGIES,
    scalingStrategies: opts.scalingStrategies ?? DEFAULT_SCALING_STRATEGIES,
    scalingDefaults: { ...DEFAULT_SCALING, ...opts.scalingDefaults },
  };
}
