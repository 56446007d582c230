// Grafana JSON pieces: a time-series panel over the Prometheus datasource and the template variables.
// PromQL label values are always escaped; the datasource is a variable unless a fixed uid is given.

export interface PanelQuery {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  unit: string;
  queries: PanelQuery[];
  description?: string;
}

export type Datasource = { type: "prometheus"; uid: string };

export function datasourceRef(datasourceUid: string | undefined): Datasource {
  return { type: "prometheus", uid: datasourceUid ?? "${datasource}" };
}

/** Lays panels out two per row, 12 columns wide, 8 high. */
export function timeseriesPanels(specs: readonly PanelSpec[], ds: Datasource): Record<string, unknown>[] {
  return specs.map((spec, i) => ({
    id: i + 1,
    type: "timeseries",
    title: spec.title,
    ...(spec.description && { description: spec.description }),
    datasource: ds,
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: spec.unit }, overrides: [] },
    options: { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "desc" } },
    targets: spec.queries.map((q, j) => ({
      refId: String.fromCharCode(65 + j),
      datasource: ds,
      expr: q.expr,
      legendFormat: q.legend,
      range: true,
    })),
  }));
}

/** The `datasource` variable (type datasource, Prometheus plugin), omitted when a fixed uid is used. */
export function datasourceVariable(datasourceUid: string | undefined): Record<string, unknown>[] {
  if (datasourceUid) return [];
  return [{ name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", hide: 0, current: {} }];
}

/** A custom multi-value variable listing fixed values, with "All". */
export function customVariable(name: string, label: string, values: readonly string[]): Record<string, unknown> {
  // Custom variable values are comma-separated in `query`; commas inside a value are escaped by Grafana's rule.
  const query = values.map((v) => v.replace(/,/g, "\\,")).join(",");
  return {
    name,
    label,
    type: "custom",
    query,
    multi: true,
    includeAll: true,
    current: { selected: true, text: ["All"], value: ["$__all"] },
    options: values.map((v) => ({ selected: false, text: v, value: v })),
    hide: 0,
  };
}

/** Common dashboard fields (no `id`: Grafana assigns it). */
export function dashboardModel(
  uid: string,
  title: string,
  tags: string[],
  panels: Record<string, unknown>[],
  variables: Record<string, unknown>[],
): Record<string, unknown> {
  return {
    uid,
    title,
    tags: ["smo", ...tags],
    timezone: "browser",
    schemaVersion: 39,
    editable: true,
    refresh: "10s",
    time: { from: "now-1h", to: "now" },
    templating: { list: variables },
    panels,
  };
}
