// `smo cluster list|sync|profile`: the member clusters as smo sees them (Karmada capacity plus the operator's
// profile), through ClusterService; `smo cluster members`: the smo processes on the database (docs/ha.md).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { CommandIO } from "../main.js";
import { jsonOf, parseOutputFormat, table } from "../output.js";
import {
  ClusterService,
  ListClustersResponseSchema,
  ListMembersResponseSchema,
  type Member,
  SetClusterProfileResponseSchema,
  SyncClustersResponseSchema,
} from "../../gen/smo/v1/cluster_pb.js";
import type { Cluster, ClusterProfile } from "../../gen/smo/v1/types_pb.js";
import { CLIENT_FLAGS_USAGE, dispatch, numberFlag, UsageError, withClient, type Parsed, type Subcommand } from "./client-command.js";

const ADDRESS = CLIENT_FLAGS_USAGE;
const json = (parsed: Parsed) => parseOutputFormat(parsed.values.output as string | undefined) === "json";

const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/\.?0+$/, ""));
const gib = (bytes: bigint) => `${num(Number(bytes) / 2 ** 30)}Gi`;

export function clustersTable(clusters: Cluster[]): string {
  if (clusters.length === 0) return "no clusters\n";
  const rows = clusters.map((c) => {
    const p = c.profile;
    return [
      c.name,
      c.ready ? "yes" : "no",
      `${num(c.cpuFree)}/${num(c.cpuAllocatable)}`,
      `${gib(c.memoryFreeBytes)}/${gib(c.memoryAllocatableBytes)}`,
      `${c.gpusFree}/${c.gpus}${p?.gpus !== undefined ? ` (profile ${p.gpus})` : ""}`,
      num(p?.energyCost ?? 0),
      num(p?.carbonIntensity ?? 0),
      num(p?.pue ?? 0),
      p?.location || "-",
    ];
  });
  return table([["NAME", "READY", "CPU FREE", "MEMORY FREE", "GPUS FREE", "ENERGY", "CARBON", "PUE", "LOCATION"], ...rows]);
}

const list: Subcommand = {
  summary: "list the member clusters with free capacity and profile",
  usage: `usage: smo cluster list ${ADDRESS}\n`,
  run: (args, io) =>
    withClient("cluster", args, io, list, {}, async (client, parsed) => {
      const response = await client.unary(ClusterService.method.listClusters, {});
      io.stdout.write(json(parsed) ? jsonOf(ListClustersResponseSchema, response) : clustersTable(response.clusters));
    }),
};

const sync: Subcommand = {
  summary: "re-read the members from Karmada and store them",
  usage: `usage: smo cluster sync ${ADDRESS}\n`,
  run: (args, io) =>
    withClient("cluster", args, io, sync, {}, async (client, parsed) => {
      const response = await client.unary(ClusterService.method.syncClusters, {});
      io.stdout.write(json(parsed) ? jsonOf(SyncClustersResponseSchema, response) : clustersTable(response.clusters));
    }),
};

type ProfileChange = Partial<Pick<ClusterProfile, "energyCost" | "carbonIntensity" | "pue" | "location">> & { gpus?: number | "auto" };

function profileChange(values: Record<string, unknown>): ProfileChange {
  const change: ProfileChange = {};
  const set = <K extends keyof ProfileChange>(key: K, value: ProfileChange[K] | undefined) => {
    if (value !== undefined) change[key] = value;
  };
  set("energyCost", numberFlag("energy-cost", values["energy-cost"]));
  set("carbonIntensity", numberFlag("carbon-intensity", values["carbon-intensity"]));
  set("pue", numberFlag("pue", values.pue));
  set("location", values.location as string | undefined);
  const gpus = values.gpus as string | undefined;
  set("gpus", gpus === "auto" ? "auto" : numberFlag("gpus", gpus, { integer: true }));
  if (Object.keys(change).length === 0) throw new UsageError(`give at least one of the profile flags\n${profile.usage}`);
  return change;
}

const profile: Subcommand = {
  summary: "set the operator profile of a cluster (unset flags keep their value)",
  usage: `usage: smo cluster profile NAME [--energy-cost N] [--carbon-intensity N] [--pue N] [--location L] [--gpus N|auto] ${ADDRESS}

  --energy-cost N       cost per core of running there (the energy term of the placement objective)
  --carbon-intensity N  gCO2/kWh, informative
  --pue N               power usage effectiveness (≥ 1; 0 = unknown)
  --location L          free text (region, site)
  --gpus N|auto         GPU count to use instead of what Karmada reports; auto = Karmada's count
`,
  run: (args, io) => {
    let change: ProfileChange = {};
    return withClient(
      "cluster",
      args,
      io,
      profile,
      {
        options: {
          "energy-cost": { type: "string" },
          "carbon-intensity": { type: "string" },
          pue: { type: "string" },
          location: { type: "string" },
          gpus: { type: "string" },
        },
        positionals: 1,
        check: ({ values }) => {
          change = profileChange(values);
        },
      },
      async (client, parsed) => {
        const name = parsed.positionals[0]!;
        // The RPC sets the whole profile; start from the current one so that unset flags keep their value.
        const { clusters } = await client.unary(ClusterService.method.listClusters, {});
        const current = clusters.find((c) => c.name === name)?.profile;
        const { gpus, ...rest } = change;
        const next = {
          energyCost: current?.energyCost ?? 1,
          carbonIntensity: current?.carbonIntensity ?? 0,
          pue: current?.pue ?? 1,
          location: current?.location ?? "",
          gpus: gpus === "auto" ? undefined : (gpus ?? current?.gpus),
          ...rest,
        };
        const response = await client.unary(ClusterService.method.setClusterProfile, { name, profile: next });
        io.stdout.write(json(parsed) ? jsonOf(SetClusterProfileResponseSchema, response) : clustersTable([response.cluster!]));
      },
    );
  },
};

const members: Subcommand = {
  summary: "list the smo processes sharing this one's database and how many projects each owns",
  usage: `usage: smo cluster members ${ADDRESS}\n`,
  run: (args, io) =>
    withClient("cluster", args, io, members, {}, async (client, parsed) => {
      const response = await client.unary(ClusterService.method.listMembers, {});
      io.stdout.write(json(parsed) ? jsonOf(ListMembersResponseSchema, response) : membersTable(response.members));
    }),
};

export function membersTable(list: Member[]): string {
  if (list.length === 0) return "no members\n";
  const at = (t: Member["startedAt"]) => (t ? timestampDate(t).toISOString().replace(/\.\d+Z$/, "Z") : "-");
  const rows = list.map((m) => [`${m.id}${m.self ? " *" : ""}`, m.address || "-", String(m.projects), at(m.startedAt), at(m.heartbeatAt)]);
  return table([["MEMBER (* = answering)", "ADDRESS", "PROJECTS", "STARTED", "HEARTBEAT"], ...rows]);
}

export const subcommands: Record<string, Subcommand> = { list, sync, profile, members };

export function run(args: string[], io: CommandIO): Promise<number> {
  return dispatch("cluster", subcommands, args, io);
}

