// `smo graph <subcommand>`: a table of subcommands, each a small entry; deploy/replace and watch live in their
// own modules (graph-deploy.ts, graph-watch.ts), the table/text output in graph-format.ts.
import type { CommandIO } from "../main.js";
import { jsonOf, parseOutputFormat } from "../output.js";
import {
  GraphService,
  GetGraphResponseSchema,
  ListGraphsResponseSchema,
  RemoveGraphResponseSchema,
  StartGraphResponseSchema,
  StopGraphResponseSchema,
} from "../../gen/smo/v1/graph_pb.js";
import { CLIENT_FLAGS_USAGE, dispatch, usageOf, withClient as withCommandClient, type Parsed, type Subcommand } from "./client-command.js";
import { graphDetail, graphsTable } from "./graph-format.js";
import { deploy, replace } from "./graph-deploy.js";
import { watch } from "./graph-watch.js";

export { CLIENT_FLAGS, type Subcommand } from "./client-command.js";

/** withClient of client-command.ts with the `smo graph:` prefix on usage errors. */
export function withClient(
  args: string[],
  io: CommandIO,
  sub: Pick<Subcommand, "usage">,
  config: Parameters<typeof withCommandClient>[4],
  body: Parameters<typeof withCommandClient>[5],
): Promise<number> {
  return withCommandClient("graph", args, io, sub, config, body);
}

const format = (parsed: Parsed) => parseOutputFormat(parsed.values.output as string | undefined);
const ADDRESS = CLIENT_FLAGS_USAGE;

const list: Subcommand = {
  summary: "list graphs (all projects unless --project)",
  usage: `usage: smo graph list [--project P] ${ADDRESS}\n`,
  run: (args, io) =>
    withClient(args, io, list, { options: { project: { type: "string" } } }, async (client, parsed) => {
      const response = await client.unary(GraphService.method.listGraphs, { project: (parsed.values.project as string | undefined) ?? "" });
      io.stdout.write(format(parsed) === "json" ? jsonOf(ListGraphsResponseSchema, response) : graphsTable(response.graphs));
    }),
};

const get: Subcommand = {
  summary: "show one graph: status, last decision, services with cluster and replicas",
  usage: `usage: smo graph get NAME ${ADDRESS}\n`,
  run: (args, io) =>
    withClient(args, io, get, { positionals: 1 }, async (client, parsed) => {
      const response = await client.unary(GraphService.method.getGraph, { name: parsed.positionals[0]! });
      io.stdout.write(format(parsed) === "json" ? jsonOf(GetGraphResponseSchema, response) : graphDetail(response.graph!));
    }),
};

const start: Subcommand = {
  summary: "re-apply the workloads of a stopped graph (same placement)",
  usage: `usage: smo graph start NAME ${ADDRESS}\n`,
  run: (args, io) =>
    withClient(args, io, start, { positionals: 1 }, async (client, parsed) => {
      const response = await client.unary(GraphService.method.startGraph, { name: parsed.positionals[0]! });
      io.stdout.write(format(parsed) === "json" ? jsonOf(StartGraphResponseSchema, response) : `graph ${response.graph!.name} started\n\n${graphDetail(response.graph!)}`);
    }),
};

const stop: Subcommand = {
  summary: "remove the workloads and policies of a graph, keep its state",
  usage: `usage: smo graph stop NAME ${ADDRESS}\n`,
  run: (args, io) =>
    withClient(args, io, stop, { positionals: 1 }, async (client, parsed) => {
      const response = await client.unary(GraphService.method.stopGraph, { name: parsed.positionals[0]! });
      io.stdout.write(format(parsed) === "json" ? jsonOf(StopGraphResponseSchema, response) : `graph ${response.graph!.name} stopped\n\n${graphDetail(response.graph!)}`);
    }),
};

const remove: Subcommand = {
  summary: "delete everything smo created for a graph, then its state",
  usage: `usage: smo graph remove NAME ${ADDRESS}\n`,
  run: (args, io) =>
    withClient(args, io, remove, { positionals: 1 }, async (client, parsed) => {
      const response = await client.unary(GraphService.method.removeGraph, { name: parsed.positionals[0]! });
      io.stdout.write(format(parsed) === "json" ? jsonOf(RemoveGraphResponseSchema, response) : `graph ${response.name} removed\n`);
    }),
};

export const subcommands: Record<string, Subcommand> = { deploy, list, get, start, stop, replace, remove, watch };

export function graphUsage(): string {
  return usageOf("graph", subcommands);
}

export function run(args: string[], io: CommandIO): Promise<number> {
  return dispatch("graph", subcommands, args, io);
}
