// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for so that it can show the same
// columns as against a real server: READY / UP-TO-DATE / AVAILABLE for Deployments, Karmada's VERSION / MODE /
// READY printer columns for Clusters, and so on. Cells use the server's human-readable ages ("5m", "3h2m").
import type { ResourceType } from "../resources.js";
import type { KObject } from "../store.js";

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((p) => p.includes("as=Table") && p.includes("g=meta.k8s.io"));
}

interface Column {
  name: string;
  type: string;
  priority?: number;
  description: string;
  cell(o: KObject, now: number): string | number;
}

/** Kubernetes' duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return d % 365 === 0 || y >= 8 ? `${y}y` : `${y}y${d % 365}d`;
}

const NAME: Column = { name: "Name", type: "string", description: "Name must be unique within a namespace.", cell: (o) => o.metadata.name };
const AGE: Column = {
  name: "Age",
  type: "string",
  description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
  cell: (o, now) => (o.metadata.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : "<unknown>"),
};

function condition(o: KObject, type: string): string {
  const c = (o.status?.conditions ?? []).find((x: KObject) => x.type === type);
  return c?.status ?? "Unknown";
}

function ports(o: KObject): string {
  const list = (o.spec?.ports ?? []) as KObject[];
  if (list.length === 0) return "<none>";
  return list.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",");
}

const COLUMNS: Record<string, Column[]> = {
  Namespace: [NAME, { name: "Status", type: "string", description: "The status of the namespace", cell: (o) => o.status?.phase ?? "Active" }, AGE],
  Deployment: [
    NAME,
    { name: "Ready", type: "string", description: "Number of the pod with ready state", cell: (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}` },
    { name: "Up-to-date", type: "string", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: "Available", type: "string", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", cell: (o) => o.status?.availableReplicas ?? 0 },
    AGE,
    { name: "Containers", type: "string", priority: 1, description: "Names of each container in the template.", cell: (o) => (o.spec?.template?.spec?.containers ?? []).map((c: KObject) => c.name).join(",") },
    { name: "Images", type: "string", priority: 1, description: "Images referenced by each container in the template.", cell: (o) => (o.spec?.template?.spec?.containers ?? []).map((c: KObject) => c.image).join(",") },
    {
      name: "Selector",
      type: "string",
      priority: 1,
      description: "Label selector for pods.",
      cell: (o) => Object.entries(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(",") || "<none>",
    },
  ],
  Service: [
    NAME,
    { name: "Type", type: "string", description: "The type of the service.", cell: (o) => o.spec?.type ?? "ClusterIP" },
    { name: "Cluster-IP", type: "string", description: "The cluster IP of the service.", cell: (o) => o.spec?.clusterIP ?? "<none>" },
    { name: "External-IP", type: "string", description: "The external IP of the service.", cell: () => "<none>" },
    { name: "Port(s)", type: "string", description: "The ports of the service.", cell: ports },
    AGE,
  ],
  Cluster: [
    NAME,
    { name: "Version", type: "string", description: "Kubernetes version of the member.", cell: (o) => o.status?.kubernetesVersion ?? "" },
    { name: "Mode", type: "string", description: "Sync mode.", cell: (o) => o.spec?.syncMode ?? "" },
    { name: "Ready", type: "string", description: "Ready condition.", cell: (o) => condition(o, "Ready") },
    AGE,
  ],
  ResourceBinding: [
    NAME,
    { name: "Scheduled", type: "string", description: "Scheduled condition.", cell: (o) => condition(o, "Scheduled") },
    { name: "FullyApplied", type: "string", description: "FullyApplied condition.", cell: (o) => condition(o, "FullyApplied") },
    AGE,
  ],
};

export function tableFor(t: ResourceType, items: KObject[], resourceVersion: string, includeObject: string, withColumns: boolean): KObject {
  const cols = COLUMNS[t.kind] ?? [NAME, AGE];
  const now = Date.now();
  const rows = items.map((o) => {
    const row: KObject = { cells: cols.map((c) => c.cell(o, now)) };
    if (includeObject === "Object") row.object = o;
    else if (includeObject !== "None") row.object = { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
    return row;
  });
  const table: KObject = { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion } };
  table.columnDefinitions = withColumns
    ? cols.map((c) => ({ name: c.name, type: c.type, format: c.name === "Name" ? "name" : "", description: c.description, priority: c.priority ?? 0 }))
    : [];
  table.rows = rows;
  return table;
}
