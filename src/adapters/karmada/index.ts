// The Karmada adapter: KarmadaClient, the PrometheusRule AlertRuleSink and the workload deployers.
export { createKarmadaClient, type KarmadaAdapter, type KarmadaClientOptions } from "./client.js";
export { createPrometheusRuleSink, type PrometheusRuleSinkOptions } from "./prometheus-rule-sink.js";
export { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
export type { KubeAccess } from "./kube.js";
export * from "./deployers/index.js";
