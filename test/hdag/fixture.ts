// A descriptor written for these tests (not from the corpus) that uses every rule's field at least once, so
// each rule test changes one field of a valid document and asserts the exact path of the finding.

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Doc = { hdaGraph: any; [k: string]: any };

export function validDoc(): Doc {
  return {
    hdaGraph: {
      imVersion: "0.4.0",
      id: "demo-graph",
      version: "1.2.0",
      designer: "smo tests",
      description: "three services using every field",
      hdaGraphIntent: {
        useStaticPlacement: false,
        placementStrategy: "optimal",
        scalingStrategy: "forecast",
        security: { enabled: false },
        highAvailability: { enabled: true, minReplicasOverall: 1, maxReplicasOverall: 10 },
        highPerformance: { enabled: false },
        energyEfficiency: { enabled: false },
      },
      services: [
        {
          id: "frontend",
          deployment: {
            trigger: { auto: { dependencies: ["backend"] } },
            intent: {
              network: { deviceProximity: { enabled: false }, latencies: [{ connectionPoint: "backend", qos: "low" }] },
              compute: { cpu: "small", ram: "small", storage: "small", gpu: { enabled: false } },
              coLocation: [{ id: "backend" }],
              connectionPoints: ["backend", "cache"],
              metrics: [],
              scaling: { alpha: 50, beta: 5, minReplicas: 2, maxReplicas: 8 },
            },
          },
          artifact: {
            ociImage: "oci://127.0.0.1:5000/demo/frontend",
            ociConfig: { type: "App", implementer: "HELM" },
            ociRun: { name: "HELM", version: "v3" },
            valuesOverwrite: {},
            container: { image: "nginx:1.25", ports: [8080], env: { MODE: "prod" } },
          },
        },
        {
          id: "backend",
          deployment: {
            trigger: { auto: { dependencies: [] } },
            intent: {
              network: { deviceProximity: { enabled: true }, latencies: [] },
              compute: { cpu: "medium", ram: "large", storage: "large", gpu: { enabled: "True" } },
              coLocation: [],
              connectionPoints: ["cache"],
              metrics: [],
            },
          },
          artifact: {
            ociImage: "oci://registry.example.org/demo/backend:1.0.0",
            ociConfig: { type: "App", implementer: "HELM" },
            ociRun: { name: "HELM", version: "v3" },
            valuesOverwrite: { replicas: 1 },
          },
        },
        {
          id: "cache",
          deployment: {
            trigger: {
              event: {
                condition: "ALL",
                events: [
                  {
                    id: "cache-needed",
                    source: [{ serviceId: "backend", metricId: "hits" }],
                    condition: { promQuery: "sum(rate(hits_total[1m])) > 10", gracePeriod: "1h30m", description: "busy" },
                  },
                ],
              },
            },
            intent: {
              network: { deviceProximity: { enabled: false }, latencies: [] },
              compute: { cpu: "light", ram: "light", gpu: { enabled: false } },
              coLocation: [{ id: "store", groundedGraphId: "other-graph" }],
              connectionPoints: [],
              metrics: [],
            },
          },
          artifact: {
            ociImage: "oci://127.0.0.1:5000/demo/cache",
            ociConfig: { type: "VO", implementer: "WOT" },
            ociRun: { name: "HELM", version: "v3" },
            valuesOverwrite: { voDescriptorOverwrite: {}, voChartOverwrite: {} },
          },
        },
      ],
    },
  };
}

/** validDoc() changed by `change`, which receives hdaGraph and the services list. */
export function variant(change: (graph: any, services: any[]) => void): Doc {
  const doc = validDoc();
  change(doc.hdaGraph, doc.hdaGraph.services);
  return doc;
}
