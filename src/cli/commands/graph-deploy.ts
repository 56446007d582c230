// `smo graph deploy` and `smo graph replace`: the two subcommands that produce a placement decision.
import { readFile } from "node:fs/promises";
import type { CommandIO } from "../main.js";
import { jsonOf, parseOutputFormat } from "../output.js";
import { GraphService, DeployGraphResponseSchema, ReplaceGraphResponseSchema, type DeployGraphResponse } from "../../gen/smo/v1/graph_pb.js";
import { CLIENT_FLAGS_USAGE, numberFlag, UsageError, withClient, type Parsed, type Subcommand } from "./client-command.js";
import { decisionDetail, graphDetail, servicesTable, warningLines } from "./graph-format.js";

const ADDRESS = CLIENT_FLAGS_USAGE;

/** Tests pass stdin through the io object; the binary reads the process's. */
type DeployIO = CommandIO & { stdin?: NodeJS.ReadableStream };

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** FILE, `-` (stdin) or oci://REF: the text is read here and sent; an artifact is pulled by the server. */
async function source(target: string, io: DeployIO): Promise<{ descriptor: string } | { artifact: string }> {
  if (target.startsWith("oci://")) return { artifact: target };
  try {
    return { descriptor: target === "-" ? await readAll(io.stdin ?? process.stdin) : await readFile(target, "utf8") };
  } catch (err) {
    throw new Error(`smo graph deploy: cannot read ${target === "-" ? "stdin" : target}: ${(err as Error).message}`);
  }
}

function deployText(r: DeployGraphResponse, dryRun: boolean): string {
  const g = r.graph!;
  const head = dryRun
    ? `dry run: graph ${g.name} would be placed as below in project ${g.project}; nothing was written or applied`
    : r.created
      ? `graph ${g.name} deployed in project ${g.project}`
      : `graph ${g.name} is already deployed with this descriptor; nothing changed`;
  const warnings = warningLines(r.warnings);
  if (dryRun) return `${head}\n${r.decision ? `${decisionDetail(r.decision)}\n` : ""}${warnings}\n${servicesTable(g)}`;
  return `${head}\n\n${graphDetail(g)}`;
}

export const deploy: Subcommand = {
  summary: "validate, place and apply a descriptor (FILE, - for stdin, or oci://REF)",
  usage: `usage: smo graph deploy --project P FILE|-|oci://HOST/REPO[:TAG] [--dry-run] ${ADDRESS}\n`,
  run: (args, io) =>
    withClient(
      "graph",
      args,
      io,
      deploy,
      {
        options: { project: { type: "string", short: "p" }, "dry-run": { type: "boolean" } },
        positionals: 1,
        check: ({ values }) => {
          if (!values.project) throw new UsageError(`--project is required (the Kubernetes namespace)\n${deploy.usage}`);
        },
      },
      async (client, { values, positionals }: Parsed) => {
        const dryRun = values["dry-run"] === true;
        const from = await source(positionals[0]!, io as DeployIO);
        const response = await client.unary(GraphService.method.deployGraph, { project: values.project as string, dryRun, ...from });
        const json = parseOutputFormat(values.output as string | undefined) === "json";
        io.stdout.write(json ? jsonOf(DeployGraphResponseSchema, response) : deployText(response, dryRun));
      },
    ),
};

const WEIGHTS = ["moves", "energy", "traffic"] as const;

export const replace: Subcommand = {
  summary: "re-run placement and move the services whose cluster changes",
  usage: `usage: smo graph replace NAME [--strategy S] [--weight-moves N] [--weight-energy N] [--weight-traffic N] ${ADDRESS}\n`,
  run: (args, io) => {
    const weightFlags = Object.fromEntries(WEIGHTS.map((w) => [`weight-${w}`, { type: "string" as const }]));
    let weights: Partial<Record<(typeof WEIGHTS)[number], number>> | undefined;
    return withClient(
      "graph",
      args,
      io,
      replace,
      {
        options: { strategy: { type: "string" }, ...weightFlags },
        positionals: 1,
        check: ({ values }) => {
          const given = WEIGHTS.filter((w) => values[`weight-${w}`] !== undefined);
          if (given.length > 0) weights = Object.fromEntries(given.map((w) => [w, numberFlag(`weight-${w}`, values[`weight-${w}`])]));
        },
      },
      async (client, { values, positionals }) => {
        const response = await client.unary(GraphService.method.replaceGraph, {
          name: positionals[0]!,
          strategy: (values.strategy as string | undefined) ?? "",
          weights,
        });
        if (parseOutputFormat(values.output as string | undefined) === "json") {
          io.stdout.write(jsonOf(ReplaceGraphResponseSchema, response));
          return;
        }
        const d = response.decision!;
        const what = d.moved.length === 0 ? "placement unchanged" : `moved ${d.moved.join(", ")}`;
        io.stdout.write(`graph ${response.graph!.name} re-placed: ${what}\n${decisionDetail(d)}\n\n${servicesTable(response.graph!)}`);
      },
    );
  },
};
