// The graph `npm start` deploys on the simulated federation, so a newcomer has something to inspect at once:
// a web front end calling an API that calls a GPU inference service, plus an event-triggered batch job.
export const DEMO_PROJECT = "demo";

export const DEMO_DESCRIPTOR = `hdaGraph:
  imVersion: 0.4.0
  id: demo-graph
  version: 1.0.0
  designer: smo
  description: Demo graph deployed by npm start on the simulated federation.
  hdaGraphIntent:
    security: { enabled: false }
    highAvailability: { enabled: false }
    highPerformance: { enabled: false }
    energyEfficiency: { enabled: false }
  services:
    - id: web
      deployment:
        trigger: { auto: { dependencies: [] } }
        intent:
          network:
            latencies: [{ connectionPoint: api, qos: low }]
          compute: { cpu: small, ram: small, storage: small, gpu: { enabled: false } }
          connectionPoints: [api]
          scaling: { alpha: 50, beta: 0, minReplicas: 1, maxReplicas: 8 }
      artifact:
        ociImage: oci://registry.example.org/demo/web
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}
    - id: api
      deployment:
        trigger: { auto: { dependencies: [] } }
        intent:
          network:
            latencies: [{ connectionPoint: inference, qos: ultralow }]
          compute: { cpu: small, ram: medium, storage: small, gpu: { enabled: false } }
          connectionPoints: [inference]
          scaling: { alpha: 40, beta: 0, minReplicas: 1, maxReplicas: 10 }
      artifact:
        ociImage: oci://registry.example.org/demo/api
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}
    - id: inference
      deployment:
        trigger: { auto: { dependencies: [] } }
        intent:
          compute: { cpu: medium, ram: medium, storage: medium, gpu: { enabled: true } }
          scaling: { alpha: 20, beta: 0, minReplicas: 1, maxReplicas: 4 }
      artifact:
        ociImage: oci://registry.example.org/demo/inference
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}
    - id: report
      deployment:
        trigger:
          event:
            condition: ANY
            events:
              - id: high-latency
                source: [{ serviceId: api, metricId: latency }]
                condition:
                  promQuery: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="demo",service="api"}[1m]))) > 0.5'
                  gracePeriod: 1m
                  description: API p99 latency above 500 ms
        intent:
          compute: { cpu: light, ram: light, storage: small, gpu: { enabled: false } }
      artifact:
        ociImage: oci://registry.example.org/demo/report
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}
`;
