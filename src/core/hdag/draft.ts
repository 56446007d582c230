// What validation hands to translation: the descriptor with types checked, the 0.3.0 layout upgraded and
// gpu strings normalised, but before sizes, defaults and derived structure (connections, groups) are applied.
// References keep their field path so cross-service checks can report at the exact entry.
import type { ArtifactSpec, CoLocationRef, CpuClass, GraphIntent, Qos, RamClass, ScalingModel, StorageClass, TriggerSpec } from "./model.js";
import type { Path } from "./paths.js";

export interface ComputeDraft {
  cpu: CpuClass;
  ram: RamClass;
  storage: StorageClass;
  gpu: boolean;
}

export interface ServiceDraft {
  id: string;
  compute: ComputeDraft;
  trigger: TriggerSpec;
  connectionPoints: string[];
  latencies: { connectionPoint: string; qos: Qos }[];
  coLocation: CoLocationRef[];
  deviceProximity: boolean;
  /** Only what the descriptor states; translation fills the rest from options. */
  scaling: Partial<ScalingModel>;
  artifact: ArtifactSpec;
}

/** Graph intent as written; scalingStrategy/placementStrategy stay undefined when absent. */
export type GraphIntentDraft = GraphIntent;

export interface GraphDraft {
  id: string;
  version: string;
  designer?: string;
  description?: string;
  intent: GraphIntentDraft;
  services: ServiceDraft[];
}

/** A reference from one service to another service id, with where it was written. */
export interface Ref {
  id: string;
  path: Path;
}

/** Everything a service names, collected even when other parts of the service are invalid. */
export interface ServiceRefs {
  /** Index in hdaGraph.services. */
  index: number;
  id?: string;
  connectionPoints: Ref[];
  latencies: Ref[];
  coLocation: (Ref & { grounded: boolean })[];
  dependencies: Ref[];
  eventSources: Ref[];
}

export function emptyRefs(index: number): ServiceRefs {
  return { index, connectionPoints: [], latencies: [], coLocation: [], dependencies: [], eventSources: [] };
}
