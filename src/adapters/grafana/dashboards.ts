// Dashboards smo publishes (pure functions): one per graph (with a `service` variable), one per service and
// one per member cluster, each with replicas, CPU, request rate and latency panels over Prometheus.
// Metrics: kube-state-metrics (kube_deployment_*), cAdvisor (container_cpu_usage_seconds_total), and the
// application's http_requests_total / http_request_duration_seconds (the same counter the load query reads).
// Member-cluster series are expected to carry a `cluster` label (external_labels of each member's Prometheus).
import type { Dashboard } from "../../core/ports/observability.js";
import { escapePromLabelValue as q, escapePromRegex } from "../prometheus/promql.js";
import { customVariable, dashboardModel, datasourceRef, datasourceVariable, timeseriesPanels, type PanelSpec } from "./panels.js";
import { dashboardUid } from "./uid.js";

export interface DashboardOptions {
  /** Fixed Prometheus datasource uid; by default a `datasource` variable lets the viewer choose. */
  datasourceUid?: string;
}

/** Selector for one service's pods: deployments are named after the service (manifest and helm drivers). */
function podRegex(service: string): string {
  return q(`${escapePromRegex(service)}-.*`);
}

function servicePanels(ns: string, svc: string, podRe: string): PanelSpec[] {
  const sel = `namespace="${ns}",service=~"${svc}"`;
  return [
    {
      title: "Replicas (available / desired)",
      unit: "short",
      queries: [
        { expr: `sum by (deployment, cluster) (kube_deployment_status_replicas_available{namespace="${ns}",deployment=~"${svc}"})`, legend: "available {{deployment}} @ {{cluster}}" },
        { expr: `sum by (deployment) (kube_deployment_spec_replicas{namespace="${ns}",deployment=~"${svc}"})`, legend: "desired {{deployment}}" },
      ],
    },
    {
      title: "CPU (cores)",
      unit: "short",
      queries: [{ expr: `sum by (cluster) (rate(container_cpu_usage_seconds_total{namespace="${ns}",pod=~"${podRe}",container!=""}[1m]))`, legend: "{{cluster}}" }],
    },
    {
      title: "Request rate",
      unit: "reqps",
      queries: [{ expr: `sum by (service) (rate(http_requests_total{${sel}}[1m]))`, legend: "{{service}}" }],
    },
    {
      title: "Latency (p50 / p95)",
      unit: "s",
      queries: [
        { expr: `histogram_quantile(0.5, sum by (service, le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`, legend: "p50 {{service}}" },
        { expr: `histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{${sel}}[5m])))`, legend: "p95 {{service}}" },
      ],
    },
  ];
}

/** The graph's dashboard: all its services, filtered by the `service` variable. */
export function graphDashboard(input: { graph: string; project: string; services: readonly string[] }, opts: DashboardOptions = {}): Dashboard {
  const uid = dashboardUid("g", [input.graph]);
  const title = `smo / ${input.graph}`;
  const ds = datasourceRef(opts.datasourceUid);
  // Grafana's Prometheus datasource expands a multi-value $service in =~ matchers to an escaped (a|b).
  const panels = timeseriesPanels(servicePanels(q(input.project), "$service", "($service)-.*"), ds);
  const variables = [...datasourceVariable(opts.datasourceUid), customVariable("service", "Service", input.services)];
  return { uid, title, model: dashboardModel(uid, title, ["graph", `graph:${input.graph}`], panels, variables) };
}

/** One service of a graph. */
export function serviceDashboard(input: { graph: string; project: string; service: string }, opts: DashboardOptions = {}): Dashboard {
  const uid = dashboardUid("s", [input.graph, input.service]);
  const title = `smo / ${input.graph} / ${input.service}`;
  const svc = q(escapePromRegex(input.service));
  const panels = timeseriesPanels(servicePanels(q(input.project), svc, podRegex(input.service)), datasourceRef(opts.datasourceUid));
  return {
    uid,
    title,
    model: dashboardModel(uid, title, ["service", `graph:${input.graph}`], panels, datasourceVariable(opts.datasourceUid)),
  };
}

/** One member cluster: what runs there, by namespace (project). */
export function clusterDashboard(input: { cluster: string }, opts: DashboardOptions = {}): Dashboard {
  const uid = dashboardUid("c", [input.cluster]);
  const title = `smo / cluster ${input.cluster}`;
  const c = `cluster="${q(input.cluster)}"`;
  const specs: PanelSpec[] = [
    {
      title: "Replicas available by project",
      unit: "short",
      queries: [{ expr: `sum by (namespace) (kube_deployment_status_replicas_available{${c}})`, legend: "{{namespace}}" }],
    },
    {
      title: "CPU (cores) by project",
      unit: "short",
      queries: [{ expr: `sum by (namespace) (rate(container_cpu_usage_seconds_total{${c},container!=""}[1m]))`, legend: "{{namespace}}" }],
    },
    {
      title: "Request rate by service",
      unit: "reqps",
      queries: [{ expr: `sum by (namespace, service) (rate(http_requests_total{${c}}[1m]))`, legend: "{{namespace}}/{{service}}" }],
    },
    {
      title: "Latency p95 by service",
      unit: "s",
      queries: [
        { expr: `histogram_quantile(0.95, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket{${c}}[5m])))`, legend: "{{namespace}}/{{service}}" },
      ],
    },
  ];
  const panels = timeseriesPanels(specs, datasourceRef(opts.datasourceUid));
  return { uid, title, model: dashboardModel(uid, title, ["cluster", `cluster:${input.cluster}`], panels, datasourceVariable(opts.datasourceUid)) };
}
