// The accepted shape as data: which fields each object of an HDAG may carry and which values its enums take.
// Rules read these tables instead of hard-coding lists, so the README, the rules and the unknown-field
// warnings cannot drift apart.
import type { ArtifactType, CpuClass, Implementer, Qos, RamClass, StorageClass } from "./model.js";

export const IM_VERSION = "0.4.0";
export const LEGACY_IM_VERSION = "0.3.0";
export const IM_VERSIONS = [IM_VERSION, LEGACY_IM_VERSION] as const;

export const CPU_CLASSES: readonly CpuClass[] = ["light", "small", "medium", "large"];
export const RAM_CLASSES: readonly RamClass[] = ["light", "small", "medium", "large"];
export const STORAGE_CLASSES: readonly StorageClass[] = ["small", "medium", "large"];
export const QOS_LEVELS: readonly Qos[] = ["ultralow", "low", "best-effort"];
export const ARTIFACT_TYPES: readonly ArtifactType[] = ["App", "VO", "cVO"];
export const IMPLEMENTERS: readonly Implementer[] = ["HELM", "WOT"];
export const EVENT_CONDITIONS = ["ANY", "ALL"] as const;
/** gpu.enabled: real descriptors were read by SMOs that compared it with the string "True". */
export const GPU_BOOLEAN_STRINGS: Readonly<Record<string, boolean>> = { True: true, False: false };

export const DEFAULT_PLACEMENT_STRATEGIES = ["first-fit", "optimal", "energy"] as const;
export const DEFAULT_SCALING_STRATEGIES = ["reactive", "forecast"] as const;
export const DEFAULT_SCALING_STRATEGY = "reactive";

/** Graph intent flags: each an object `{enabled: boolean}`; absent means false. */
export const INTENT_FLAGS = ["security", "highAvailability", "highPerformance", "energyEfficiency"] as const;

/** Fields each object kind may carry (HDAG 0.4.0 plus the smo extensions). Anything else is warned about. */
export const KNOWN_FIELDS = {
  document: ["hdaGraph"],
  graph: ["imVersion", "id", "version", "designer", "description", "hdaGraphIntent", "services"],
  graphIntent: [...INTENT_FLAGS, "useStaticPlacement", "placementStrategy", "scalingStrategy"],
  flag: ["enabled"],
  highAvailability: ["enabled", "minReplicasOverall", "maxReplicasOverall"],
  service: ["id", "deployment", "artifact"],
  deployment: ["trigger", "intent"],
  trigger: ["auto", "event"],
  auto: ["dependencies"],
  event: ["condition", "events"],
  eventItem: ["id", "source", "condition"],
  eventCondition: ["promQuery", "gracePeriod", "description"],
  eventSource: ["serviceId", "metricId"],
  intent: ["network", "compute", "coLocation", "connectionPoints", "metrics", "scaling"],
  legacyIntent: ["network", "compute", "resources", "coLocation", "connectionPoints", "metrics", "scaling"],
  network: ["deviceProximity", "latencies"],
  latency: ["connectionPoint", "qos"],
  compute: ["cpu", "ram", "storage", "gpu"],
  gpu: ["enabled"],
  coLocation: ["id", "groundedGraphId"],
  scaling: ["alpha", "beta", "minReplicas", "maxReplicas"],
  artifact: ["ociImage", "ociConfig", "ociRun", "valuesOverwrite", "container"],
  ociConfig: ["type", "implementer"],
  ociRun: ["name", "version"],
  container: ["image", "ports", "env"],
} as const satisfies Record<string, readonly string[]>;

export type ObjectKind = keyof typeof KNOWN_FIELDS;

/** Fields met in real descriptors that are not where smo reads them: the warning says where they belong. */
export const MISPLACED_FIELD_HINTS: Partial<Record<ObjectKind, Record<string, string>>> = {
  service: {
    connectionPoints: "service.connectionPoints is the 2024 form; use deployment.intent.connectionPoints",
  },
  network: {
    connectionPoints: "smo, like NEPHELE's SMO, reads deployment.intent.connectionPoints",
  },
  intent: {
    resources: "intent.resources is the imVersion 0.3.0 form; 0.4.0 uses intent.compute {cpu, ram, storage, gpu}",
  },
  artifact: {
    ref: "artifact.ref is the 2024 form; use artifact.ociImage",
    spec: "artifact.spec is the 2024 form; use artifact.ociConfig",
  },
};
