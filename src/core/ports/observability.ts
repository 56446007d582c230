// Ports for the observability stack: alert rules (PrometheusRule or a Prometheus rule file), load queries
// (Prometheus instant queries) and dashboards (Grafana). Implemented in src/adapters/{karmada,prometheus,grafana}.

export interface AlertRule {
  /** Alert name (the event id, made unique per graph/service by the caller). */
  alert: string;
  expr: string;
  /** Prometheus duration. */
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Idempotent add/remove of one rule in smo's rule group. */
export interface AlertRuleSink {
  upsertRule(rule: AlertRule): Promise<void>;
  removeRule(alert: string): Promise<void>;
  listRules(): Promise<AlertRule[]>;
}

export interface LoadPoint {
  service: string;
  requestsPerSecond: number;
  /** Sample time as Prometheus reports it. */
  observedAt: Date;
}

/** When the scraped targets' data last landed in Prometheus, so polls can follow the scrapes. */
export interface ScrapeTimes {
  intervalMs: number;
  /** Per healthy target: last scrape start + its duration (epoch ms). Empty when nothing was scraped yet. */
  landedAt: number[];
  /** Longest recent scrape duration, ms. */
  durationMs: number;
}

export interface LoadQuery {
  /** One instant query for a project, grouped by service. Throws UnavailableError when Prometheus is down. */
  queryProject(project: string): Promise<LoadPoint[]>;
  /** The scrape timing of the load's targets; absent or throwing = polls are not aligned to scrapes. */
  scrapeTimes?(): Promise<ScrapeTimes>;
}

export interface Dashboard {
  uid: string;
  title: string;
  /** Grafana dashboard JSON model (without id). */
  model: Record<string, unknown>;
}

export interface DashboardPublisher {
  /** POST /api/dashboards/db with overwrite; returns the dashboard URL. */
  publish(dashboard: Dashboard): Promise<{ url: string }>;
  /** Idempotent. */
  remove(uid: string): Promise<void>;
}

export interface ArtifactSource {
  /** Pulls an HDAG artifact and returns the descriptor text found inside. */
  fetchDescriptor(reference: string): Promise<{ text: string; fileName: string; digest: string }>;
}
