// Messages between the pool and its worker threads (structured-cloned plain data).
import type { PlacementInstance, ReplicaInstance } from "./instance.js";
import type { PlacementResult, ReplicaResult } from "./types.js";

export type WorkerRequest =
  | { id: number; kind: "placement"; instance: PlacementInstance }
  | { id: number; kind: "replicas"; instance: ReplicaInstance };

export type WorkerResponse =
  | { id: number; ok: true; result: PlacementResult | ReplicaResult }
  | { id: number; ok: false; error: { name: string; message: string } };
