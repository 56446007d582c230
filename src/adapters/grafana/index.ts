// Grafana: dashboard builders (pure) and the HTTP publisher.
export { graphDashboard, serviceDashboard, clusterDashboard, type DashboardOptions } from "./dashboards.js";
export { createGrafanaPublisher, type GrafanaPublisherOptions } from "./publisher.js";
export { dashboardUid, MAX_UID_LENGTH } from "./uid.js";
