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
  /** Upper bound of every replica count in a descriptor (default 1,000; never above int32). */
  maxReplicas?: number;
  /**
   * Deploy policy carried with the descriptor options (not used by validation itself): when non-empty, the
   * prefixes a project (namespace) must start with.
   */
  projectPrefixes?: readonly string[];
}

/** Replica counts become Kubernetes int32 fields; a descriptor asking for 1e9 replicas is a mistake or an attack. */
export const DEFAULT_MAX_REPLICAS = 1000;
export const INT32_MAX = 2 ** 31 - 1;

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
  maxReplicas: number;
}

export function resolveOptions(opts: HdagOptions = {}): ResolvedOptions {
  return {
    placementStrategies: opts.placementStrategies ?? DEFAULT_PLACEMENT_STRATEGIES,
    scalingStrategies: opts.scalingStrategies ?? DEFAULT_SCALING_STRATEGIES,
    scalingDefaults: { ...DEFAULT_SCALING, ...opts.scalingDefaults },
    maxReplicas: Math.min(opts.maxReplicas ?? DEFAULT_MAX_REPLICAS, INT32_MAX),
  };
}
