// `smo graph <subcommand>`: a table of subcommands so that deploy, start, stop, remove, replace and watch
// can be added as entries (each a module exporting `run`) without touching the others.
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { CommandIO } from "../main.js";
import { SmoClient, clientOptionsFrom, describeError } from "../client.js";
import { enumLabel, jsonOf, parseOutputFormat, table } from "../output.js";
import { GraphService, GetGraphResponseSchema, ListGraphsResponseSchema } from "../../gen/smo/v1/graph_pb.js";
import { GraphStatus, ServiceStatus, type Graph } from "../../gen/smo/v1/types_pb.js";

export interface Subcommand {
  summary: string;
  usage: string;
  run(args: string[], io: CommandIO): Promise<number>;
}

/** Flags every client subcommand accepts. */
export const CLIENT_FLAGS = {
  address: { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** Parses `args`, connects, runs `body`, and turns any failure into exit code 1 with the status on stderr. */
export async function withClient(
  args: string[],
  io: CommandIO,
  sub: Pick<Subcommand, "usage">,
  config: { options?: ParseArgsConfig["options"]; positionals?: number },
  body: (client: SmoClient, parsed: { values: Record<string, unknown>; positionals: string[] }) => Promise<void>,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...CLIENT_FLAGS, ...config.options }, allowPositionals: true, strict: true });
    if (parsed.values.help) {
      io.stdout.write(sub.usage);
      return 0;
    }
    if (parsed.positionals.length !== (config.positionals ?? 0)) throw new Error(`wrong number of arguments\n${sub.usage}`);
    parseOutputFormat(parsed.values.output as string | undefined);
  } catch (err) {
    io.stderr.write(`smo graph: ${(err as Error).message}\n`);
    return 1;
  }
  const client = new SmoClient(clientOptionsFrom({ address: parsed.values.address as string | undefined }, io.env));
  try {
    await body(client, parsed as { values: Record<string, unknown>; positionals: string[] });
    return 0;
  } catch (err) {
    io.stderr.write(`${describeError(err)}\n`);
    return 1;
  } finally {
    client.close();
  }
}

const graphStatus = (g: Graph) => enumLabel(GraphStatus[g.status], "");
const serviceStatus = (s: ServiceStatus) => enumLabel(ServiceStatus[s], "");

function graphsTable(graphs: Graph[]): string {
  if (graphs.length === 0) return "no graphs\n";
  const rows = graphs.map((g) => [g.name, g.project, graphStatus(g), g.version, String(g.services.length), g.strategy]);
  return table([["NAME", "PROJECT", "STATUS", "VERSION", "SERVICES", "STRATEGY"], ...rows]);
}

function graphDetail(g: Graph): string {
  const head = [
    `name:      ${g.name}`,
    `project:   ${g.project}`,
    `status:    ${graphStatus(g)}`,
    `version:   ${g.version}`,
    `strategy:  ${g.strategy}`,
    ...(g.dashboardUrl ? [`dashboard: ${g.dashboardUrl}`] : []),
    ...(g.message ? [`message:   ${g.message}`] : []),
  ].join("\n");
  const rows = g.services.map((s) => [
    s.name,
    serviceStatus(s.status),
    s.cluster || "-",
    `${s.readyReplicas}/${s.desiredReplicas}`,
    String(s.cpu),
    String(s.memoryBytes),
  ]);
  const services = rows.length ? table([["SERVICE", "STATUS", "CLUSTER", "READY", "CPU", "MEMORY"], ...rows]) : "no services\n";
  return `${head}\n\n${services}`;
}

const list: Subcommand = {
  summary: "list graphs (all projects unless --project)",
  usage: "usage: smo graph list [--project P] [-o json|table] [--address HOST:PORT|unix:///PATH]\n",
  run: (args, io) =>
    withClient(args, io, list, { options: { project: { type: "string" } } }, async (client, { values }) => {
      const format = parseOutputFormat(values.output as string | undefined);
      const response = await client.unary(GraphService.method.listGraphs, { project: (values.project as string | undefined) ?? "" });
      io.stdout.write(format === "json" ? jsonOf(ListGraphsResponseSchema, response) : graphsTable(response.graphs));
    }),
};

const get: Subcommand = {
  summary: "show one graph with its services",
  usage: "usage: smo graph get NAME [-o json|table] [--address HOST:PORT|unix:///PATH]\n",
  run: (args, io) =>
    withClient(args, io, get, { positionals: 1 }, async (client, { values, positionals }) => {
      const format = parseOutputFormat(values.output as string | undefined);
      const response = await client.unary(GraphService.method.getGraph, { name: positionals[0]! });
      io.stdout.write(format === "json" ? jsonOf(GetGraphResponseSchema, response) : graphDetail(response.graph!));
    }),
};

/** Other parts add deploy, start, stop, remove, replace, watch here. */
export const subcommands: Record<string, Subcommand> = { list, get };

export function graphUsage(): string {
  const lines = Object.entries(subcommands).map(([name, s]) => `  ${name.padEnd(10)} ${s.summary}`);
  return `usage: smo graph <subcommand> [options]\n\nsubcommands:\n${lines.join("\n")}\n\nThe server address comes from --address, else SMO_ADDRESS, else 127.0.0.1:50051; the token from SMO_TOKEN.\n`;
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout.write(graphUsage());
    return name ? 0 : 1;
  }
  const sub = subcommands[name];
  if (!sub) {
    io.stderr.write(`smo graph: unknown subcommand "${name}"\n${graphUsage()}`);
    return 1;
  }
  return sub.run(rest, io);
}
