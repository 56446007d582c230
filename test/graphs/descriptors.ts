// HDAG descriptors built in the tests (same shape as the fixture files in test/fixtures/hdag).

export interface ServiceSpec {
  id: string;
  cpu?: "light" | "small" | "medium" | "large";
  ram?: "light" | "small" | "medium" | "large";
  gpu?: boolean;
  connectionPoints?: string[];
  /** Event trigger: events ids, condition ANY/ALL. */
  events?: string[];
  condition?: "ANY" | "ALL";
  /** PromQL of every event (default an always-true vector) and its `for`. */
  promQuery?: string;
  gracePeriod?: string;
  minReplicas?: number;
  maxReplicas?: number;
  /** Requests per second one replica serves (the replica model's alpha; beta 0). */
  alpha?: number;
  valuesOverwrite?: Record<string, unknown>;
}

export interface GraphSpec {
  id: string;
  version?: string;
  services: ServiceSpec[];
  strategy?: string;
  energy?: boolean;
  staticPlacement?: boolean;
  description?: string;
}

export function descriptorObject(spec: GraphSpec): Record<string, unknown> {
  const intent: Record<string, unknown> = {
    useStaticPlacement: spec.staticPlacement ?? false,
    security: { enabled: false },
    highAvailability: { enabled: false },
    highPerformance: { enabled: false },
    energyEfficiency: { enabled: spec.energy ?? false },
  };
  if (spec.strategy) intent.placementStrategy = spec.strategy;
  return {
    hdaGraph: {
      imVersion: "0.4.0",
      id: spec.id,
      version: spec.version ?? "1.0.0",
      designer: "smo tests",
      description: spec.description ?? "test graph",
      hdaGraphIntent: intent,
      services: spec.services.map((s) => ({
        id: s.id,
        deployment: {
          trigger: s.events
            ? {
                event: {
                  condition: s.condition ?? "ANY",
                  events: s.events.map((e) => ({
                    id: e,
                    source: [{ serviceId: s.id, metricId: `${e}-metric` }],
                    condition: { promQuery: s.promQuery ?? "vector(1) > 0", gracePeriod: s.gracePeriod ?? "1m", description: `${e} happened` },
                  })),
                },
              }
            : { auto: { dependencies: [] } },
          intent: {
            network: {
              deviceProximity: { enabled: false },
              latencies: (s.connectionPoints ?? []).map((c) => ({ connectionPoint: c, qos: "low" })),
            },
            compute: { cpu: s.cpu ?? "small", ram: s.ram ?? "small", storage: "small", gpu: { enabled: s.gpu ?? false } },
            coLocation: [],
            connectionPoints: s.connectionPoints ?? [],
            metrics: [],
            ...(s.minReplicas || s.maxReplicas || s.alpha
              ? {
                  scaling: {
                    ...(s.alpha ? { alpha: s.alpha, beta: 0 } : {}),
                    minReplicas: s.minReplicas ?? 1,
                    maxReplicas: s.maxReplicas ?? Math.max(10, s.minReplicas ?? 1),
                  },
                }
              : {}),
          },
        },
        artifact: {
          ociImage: `oci://127.0.0.1:5000/test/${s.id}`,
          ociConfig: { type: "App", implementer: "HELM" },
          ociRun: { name: "HELM", version: "v3" },
          valuesOverwrite: s.valuesOverwrite ?? {},
        },
      })),
    },
  };
}

export function descriptor(spec: GraphSpec): string {
  return JSON.stringify(descriptorObject(spec), null, 2);
}

/** A three-service chain like the Brussels demo: front (event-triggered optional) → middle → back. */
export function chain(id: string, options: { eventFront?: boolean; description?: string } = {}): GraphSpec {
  return {
    id,
    description: options.description,
    services: [
      { id: "front", cpu: "light", connectionPoints: ["middle"], ...(options.eventFront ? { events: ["main-event"] } : {}) },
      { id: "middle", cpu: "small", connectionPoints: ["back"] },
      { id: "back", cpu: "small" },
    ],
  };
}
