// Human-readable output of the graph commands (the `-o table` form); `-o json` prints the proto JSON instead.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { enumLabel, table } from "../output.js";
import { GraphStatus, ServiceStatus, SolverStatus, type Graph, type GraphEvent, type PlacementDecision } from "../../gen/smo/v1/types_pb.js";

const graphStatus = (g: Graph) => enumLabel(GraphStatus[g.status], "");
const serviceStatus = (s: ServiceStatus) => enumLabel(ServiceStatus[s], "");
const solverStatus = (s: SolverStatus) => enumLabel(SolverStatus[s], "");

export function graphsTable(graphs: Graph[]): string {
  if (graphs.length === 0) return "no graphs\n";
  const rows = graphs.map((g) => [g.name, g.project, graphStatus(g), g.version, String(g.services.length), g.strategy]);
  return table([["NAME", "PROJECT", "STATUS", "VERSION", "SERVICES", "STRATEGY"], ...rows]);
}

const fixed = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(3).replace(/\.?0+$/, ""));

/** 536870912 → 512Mi, 1073741824 → 1Gi (binary units, as Kubernetes writes them). */
export function bytesLabel(bytes: bigint | number): string {
  const n = Number(bytes);
  if (n >= 2 ** 30 && n % 2 ** 27 === 0) return `${fixed(n / 2 ** 30)}Gi`;
  if (n >= 2 ** 20) return `${fixed(n / 2 ** 20)}Mi`;
  return String(n);
}

/** Warnings from the HDAG module start with "warning: " already. */
const warningLine = (w: string) => `warning:   ${w.replace(/^warning:\s*/, "")}`;

/** One line: `optimal (optimal, glpk): objective 1.5 in 3.2 ms`. */
export function decisionLine(d: PlacementDecision): string {
  const via = [d.strategy, d.backend].filter((x) => x).join(", ");
  const gap = d.status === SolverStatus.FEASIBLE && d.gap > 0 ? `, gap ${fixed(d.gap)}` : "";
  return `${solverStatus(d.status)}${via ? ` (${via})` : ""}: objective ${fixed(d.objective)} in ${fixed(d.solveMs)} ms${gap}`;
}

export function decisionDetail(d: PlacementDecision, label = "decision"): string {
  const pad = (s: string) => `${s}:`.padEnd(11);
  const lines = [`${pad(label)}${decisionLine(d)}`];
  if (d.reason) lines.push(`${pad("reason")}${d.reason}`);
  if (d.moved.length > 0) lines.push(`${pad("moved")}${d.moved.join(", ")}`);
  if (d.decidedAt) lines.push(`${pad("decided")}${timestampDate(d.decidedAt).toISOString()}`);
  return lines.join("\n");
}

export function servicesTable(g: Graph): string {
  const rows = g.services.map((s) => [
    s.name,
    serviceStatus(s.status),
    s.cluster || "-",
    // Replica counts mean something only for a service that has a workload.
    s.status === ServiceStatus.DEPLOYED ? `${s.readyReplicas}/${s.desiredReplicas}` : "-",
    fixed(s.cpu),
    bytesLabel(s.memoryBytes),
  ]);
  return rows.length ? table([["SERVICE", "STATUS", "CLUSTER", "READY", "CPU", "MEMORY"], ...rows]) : "no services\n";
}

export function graphDetail(g: Graph): string {
  const head = [
    `name:      ${g.name}`,
    `project:   ${g.project}`,
    `status:    ${graphStatus(g)}`,
    `version:   ${g.version}`,
    `strategy:  ${g.strategy}`,
    ...(g.dashboardUrl ? [`dashboard: ${g.dashboardUrl}`] : []),
    ...(g.message ? [`message:   ${g.message}`] : []),
    ...(g.lastDecision ? [decisionDetail(g.lastDecision, "placed")] : []),
    ...g.warnings.map(warningLine),
  ].join("\n");
  return `${head}\n\n${servicesTable(g)}`;
}

/** `#12  2025-06-01T10:00:00.000Z  replaced  -  ReplaceGraph: moved back member1→member2` */
export function warningLines(warnings: string[]): string {
  return warnings.map((w) => `${warningLine(w)}\n`).join("");
}

export function eventLine(e: GraphEvent): string {
  const at = e.occurredAt ? timestampDate(e.occurredAt).toISOString() : "-";
  return `#${e.id}  ${at}  ${e.type}  ${e.service || "-"}  ${e.message}\n`;
}
