// What core code needs from persistence. Implemented by src/adapters/store (kysely on pg or PGlite).
// Owned by the store; extend it rather than reaching around it.

export type GraphStatus = "deploying" | "running" | "stopped" | "failed" | "removing";
export type ServiceStatus = "deployed" | "pending" | "not-deployed" | "failed";

export interface GraphRecord {
  name: string;
  project: string;
  status: GraphStatus;
  version: string;
  /** The whole descriptor document as parsed (unknown fields kept). */
  descriptor: unknown;
  /** sha256 of the canonical descriptor JSON: same hash = same descriptor (idempotent deploy). */
  descriptorHash: string;
  strategy: string;
  dashboardUrl: string | null;
  message: string | null;
  warnings: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceRecord {
  graph: string;
  name: string;
  status: ServiceStatus;
  cluster: string | null;
  desiredReplicas: number;
  cpu: number;
  memoryBytes: number;
  storageBytes: number;
  gpu: number;
  artifact: string;
  eventTriggered: boolean;
  minReplicas: number;
  maxReplicas: number;
  dashboardUrl: string | null;
  /** The translated service model (core/hdag/model.ts ServiceModel) as JSON. */
  spec: unknown;
}

export interface GraphRepository {
  /** Empty or undefined project lists every project, ordered by name. */
  list(filter?: { project?: string }): Promise<GraphRecord[]>;
  get(name: string): Promise<GraphRecord | undefined>;
}

export interface ServiceRepository {
  listByGraph(graph: string): Promise<ServiceRecord[]>;
}

export interface Store {
  graphs: GraphRepository;
  services: ServiceRepository;
  close(): Promise<void>;
}
