// `smo place FILE`: offline what-if placement (the same solver as OptimizerService.DecidePlacement).
// Also holds the file-solving runner `smo scale` shares: read JSON, solve with createSolver(), print JSON.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { InvalidArgumentError } from "../../core/errors.js";
import { createSolver, placementProblemFromJson, type PlacementResult, type Solver } from "../../solver/index.js";
import type { CommandIO } from "../main.js";

const USAGE = `usage: smo place FILE [--strategy NAME] [--backend auto|glpk|highs] [--time-limit SECONDS]

FILE (JSON; "-" reads stdin; every field but clusters and services optional):
  {"clusters": [{"name", "cpu", "memory": "64Gi", "gpu": 2 | true, "energyCost"}],
   "services": [{"name", "cpu", "memory": "512Mi", "gpu": true, "replicas"}],
   "current": {"svc": "cluster"}, "coLocation": [["a", "b"]],
   "connections": [{"from", "to", "qos": "ultralow" | "low" | "best-effort"}],
   "weights": {"moves", "energy", "traffic"}, "strategy": "optimal" | "energy" | "first-fit"}

Prints the decision as JSON: {"status", "placement", "objective", "reason", "solveMs", ...}.
An infeasible problem is an answer (status "infeasible", exit 0); bad input exits 1.
`;

export function run(args: string[], io: CommandIO): Promise<number> {
  return runSolveFile(
    {
      name: "place",
      usage: USAGE,
      extraOptions: ["strategy"],
      parse: (json, options) => {
        const problem = placementProblemFromJson(json);
        return options.strategy !== undefined ? { ...problem, strategy: options.strategy } : problem;
      },
      solve: async (solver, problem) => ordered(await solver.decidePlacement(problem)),
    },
    args,
    io,
  );
}

/** The fields the issue names first, then the details. */
function ordered(r: PlacementResult): object {
  const { status, placement, objective, reason, solveMs, ...rest } = r;
  return { status, placement, objective, reason, solveMs, ...rest };
}

export interface SolveFileCommand<P> {
  name: string;
  usage: string;
  /** Extra string options this command accepts (besides --backend and --time-limit). */
  extraOptions: string[];
  parse(json: unknown, options: Record<string, string | undefined>): P;
  solve(solver: Solver, problem: P): Promise<object>;
}

export async function runSolveFile<P>(cmd: SolveFileCommand<P>, args: string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        backend: { type: "string" },
        "time-limit": { type: "string" },
        help: { type: "boolean", short: "h" },
        ...Object.fromEntries(cmd.extraOptions.map((o) => [o, { type: "string" as const }])),
      },
    });
  } catch (err) {
    io.stderr.write(`smo ${cmd.name}: ${(err as Error).message}\n${cmd.usage}`);
    return 1;
  }
  if (parsed.values.help) {
    io.stdout.write(cmd.usage);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.stderr.write(`smo ${cmd.name}: expected exactly one FILE\n${cmd.usage}`);
    return 1;
  }
  const [file] = parsed.positionals as [string];
  const solver = createSolver({ workers: 0 });
  try {
    const text = file === "-" ? await readStdin() : await readFile(file, "utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InvalidArgumentError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    const options = parsed.values as Record<string, string | undefined>;
    const problem = cmd.parse(withFlags(json, options), options);
    const result = await cmd.solve(solver, problem);
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`smo ${cmd.name}: ${(err as Error).message}\n`);
    if (err instanceof InvalidArgumentError) for (const v of err.violations) io.stderr.write(`  ${v.field || "(file)"}: ${v.description}\n`);
    return 1;
  } finally {
    await solver.close();
  }
}

/** --backend and --time-limit override the file's own "backend" and "timeLimitMs". */
function withFlags(json: unknown, options: Record<string, string | undefined>): unknown {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return json;
  const out: Record<string, unknown> = { ...(json as Record<string, unknown>) };
  if (options.backend !== undefined) out.backend = options.backend;
  if (options["time-limit"] !== undefined) out.timeLimitMs = parseDuration(options["time-limit"]);
  return out;
}

/** "5" or "5s" = 5000 ms, "500ms" = 500 ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`--time-limit ${text}: expected seconds (e.g. 2, 2s) or milliseconds (500ms)`, [{ field: "--time-limit", description: "expected seconds (2, 2s) or milliseconds (500ms)" }]);
  return m[2] === "ms" ? Number(m[1]) : Number(m[1]) * 1000;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
