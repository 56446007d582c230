export { ElasticityController, type ElasticityDeps } from "./controller.js";
export { PrometheusLoadSource, type LoadSink, type PollTiming, type SourceCondition } from "./prometheus-source.js";
export { delayToOffset, pollOffset } from "./scrape-align.js";
export { createElasticityMetrics, type ElasticityMetrics, type ElasticityStage } from "./metrics.js";
export { watchClusterCapacity, type WatchedCapacity } from "./cluster-capacity.js";
export { replicasNeeded, recommendedReplicas, isOverProvisioned, isUnderProvisioned } from "./capacity.js";
export { holtForecast } from "./forecast.js";
export { ScaleDownStabilizer } from "./stabilizer.js";
export * from "./types.js";
