// In-memory state of the loop: one GraphState per running graph, one ServiceState per deployed service,
// rebuilt from the store at start-up and whenever the lifecycle changes a graph (refreshGraph).
import type { ServiceModel } from "../hdag/model.js";
import type { Store } from "../ports/store.js";
import { ScaleDownStabilizer } from "./stabilizer.js";
import type { ElasticityConfig, LoadTrigger, ManagedService } from "./types.js";

/** The sample that caused a decision, carried through for the stage timings. */
export interface Cause {
  trigger: LoadTrigger;
  observedAt: number;
  receivedAt: number;
  rate: number;
  service: string;
}

export interface ServiceState extends ManagedService {
  stabilizer: ScaleDownStabilizer;
  scaleDownTimer?: NodeJS.Timeout;
  /** When the last pushed sample arrived (pushes take precedence over Prometheus samples). */
  lastPushAt?: number;
  /** After an infeasible decision on `cluster`: no new re-placement request before `until`. */
  infeasible?: { cluster: string; until: number };
}

export interface GraphState {
  name: string;
  namespace: string;
  forecast: boolean;
  services: Map<string, ServiceState>;
}

type Descriptor = { hdaGraph?: { hdaGraphIntent?: { scalingStrategy?: unknown } } } | null | undefined;

/**
 * Reads a graph and its deployed services from the store; undefined when the graph is not running. Rates,
 * history and stabiliser of services that existed before are carried over so a refresh does not forget load.
 */
export async function loadGraphState(
  store: Store,
  name: string,
  previous: GraphState | undefined,
  config: ElasticityConfig,
): Promise<GraphState | undefined> {
  const graph = await store.graphs.get(name);
  if (!graph || graph.status !== "running") return undefined;
  const services = new Map<string, ServiceState>();
  for (const rec of await store.services.listByGraph(name)) {
    if (rec.status !== "deployed" || !rec.cluster) continue;
    const spec = rec.spec as ServiceModel;
    const old = previous?.services.get(rec.name);
    services.set(rec.name, {
      graph: name,
      namespace: graph.project,
      name: rec.name,
      cluster: rec.cluster,
      cpu: rec.cpu,
      scaling: spec.scaling,
      replicas: rec.desiredReplicas,
      lastRate: old?.lastRate,
      lastObservedAt: old?.lastObservedAt,
      sources: old?.sources ?? new Map(),
      history: old?.history ?? [],
      stabilizer: old?.stabilizer ?? new ScaleDownStabilizer(config.stabilizationMs),
      infeasible: old?.infeasible,
      lastPushAt: old?.lastPushAt,
    });
  }
  const forecast = (graph.descriptor as Descriptor)?.hdaGraph?.hdaGraphIntent?.scalingStrategy === "forecast";
  return { name, namespace: graph.project, forecast, services };
}
