// The translated HDAG: what the rest of smo works with. Plain types, independent of the proto and of the
// descriptor's YAML shape (0.3.0 descriptors are upgraded into this same model).

export type CpuClass = "light" | "small" | "medium" | "large";
export type RamClass = "light" | "small" | "medium" | "large";
export type StorageClass = "small" | "medium" | "large";
export type Qos = "ultralow" | "low" | "best-effort";
export type ArtifactType = "App" | "VO" | "cVO";
export type Implementer = "HELM" | "WOT";

export interface GraphIntent {
  security: boolean;
  highAvailability: boolean;
  highPerformance: boolean;
  energyEfficiency: boolean;
  /** smo extension: skip the solver and keep the chart's own placement. */
  useStaticPlacement: boolean;
  /** smo extension: name of a registered placement strategy. */
  placementStrategy?: string;
  /** smo extension: replica strategy of the elasticity loop (e.g. "forecast"). */
  scalingStrategy?: string;
  minReplicasOverall?: number;
  maxReplicasOverall?: number;
}

export interface ServiceResources {
  cpuClass: CpuClass;
  ramClass: RamClass;
  storageClass: StorageClass;
  /** Cores per replica. */
  cpu: number;
  memoryBytes: number;
  storageBytes: number;
  /** GPUs per replica (0 or 1). */
  gpu: number;
}

export interface EventSource {
  serviceId: string;
  metricId: string;
}

export interface EventSpec {
  id: string;
  promQuery: string;
  /** Prometheus duration, e.g. "2m". */
  gracePeriod: string;
  description?: string;
  sources: EventSource[];
}

export type TriggerSpec =
  | { kind: "auto"; dependencies: string[] }
  | { kind: "event"; condition: "ANY" | "ALL"; events: EventSpec[] };

export interface Connection {
  /** Caller. */
  from: string;
  /** Callee (a connectionPoint of `from`). */
  to: string;
  qos: Qos;
}

export interface CoLocationRef {
  /** A service of this graph... */
  service?: string;
  /** ...or of another graph. */
  groundedGraphId?: string;
}

export interface ScalingModel {
  /** Requests/s served per replica. */
  alpha: number;
  /** Requests/s served independently of replicas. */
  beta: number;
  minReplicas: number;
  maxReplicas: number;
}

export interface ContainerSpec {
  image: string;
  ports: number[];
  env: Record<string, string>;
}

export interface ArtifactSpec {
  ociImage: string;
  type: ArtifactType;
  implementer: Implementer;
  ociRun: { name?: string; version?: string };
  valuesOverwrite: Record<string, unknown>;
  /** smo extension: a workload smo renders itself (manifest deployer). */
  container?: ContainerSpec;
}

export interface ServiceModel {
  id: string;
  resources: ServiceResources;
  trigger: TriggerSpec;
  /** Services this one connects to (intent.connectionPoints). */
  connectionPoints: string[];
  latencies: { connectionPoint: string; qos: Qos }[];
  coLocation: CoLocationRef[];
  deviceProximity: boolean;
  scaling: ScalingModel;
  artifact: ArtifactSpec;
}

export interface GraphModel {
  id: string;
  version: string;
  imVersion: "0.4.0";
  designer?: string;
  description?: string;
  intent: GraphIntent;
  services: ServiceModel[];
  /** Every caller→callee pair from connectionPoints, with the qos of the matching latency intent. */
  connections: Connection[];
  /** Groups of services of this graph that must share a cluster. */
  coLocationGroups: string[][];
}
