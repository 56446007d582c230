// Prometheus and Alertmanager: PromQL escaping, the load query, the rule-file sink, the webhook parser/handler.
export {
  escapePromLabelValue,
  escapePromRegex,
  isPromDuration,
  renderTemplate,
  renderLoadQuery,
  DEFAULT_LOAD_TEMPLATE,
  defaultLoadTemplate,
} from "./promql.js";
export { formatPromDuration, landedTimes, promDurationMs, readScrapeInterval, readScrapeTimes, scrapeIntervalOf } from "./scrape-timing.js";
export { createPrometheusLoadQuery, parseVectorResult, type PrometheusLoadQueryOptions } from "./load-query.js";
export { createRuleFileSink, validateRule, type RuleFileSinkOptions } from "./rule-file.js";
export {
  parseAlertmanagerWebhook,
  createAlertWebhookHandler,
  type AlertmanagerWebhook,
  type WebhookAlert,
  type AlertStatus,
  type AlertWebhookHandlerOptions,
} from "./alertmanager.js";
