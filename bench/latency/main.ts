// Latency bench: what Hop3 sees (a real `smo serve` on PostgreSQL and the simulated federation, grpc-js and Python
// grpcio clients, each read next to Health/Check on the same channel, a Flask + SQLAlchemy REST read as the
// reference; see served.ts), then the transport rows (transport.ts, docs/latency-bench.md). Writes
// bench/results/latency.json, prints Markdown, and replaces the "Latency" section of bench/README.md.
//   --quick        shorter measuring windows (about 30 s on an idle box instead of about 2 min; noisier)
//   --no-readme    leave bench/README.md alone
//   --out PATH     JSON elsewhere
import { availableParallelism, cpus, loadavg } from "node:os";
import { writeBenchResult } from "../results.js";
import { type Budget } from "./measure.js";
import { servedMarkdown, writeReadmeSection } from "./report.js";
import { PG_URL, runServed, type ServedBudget, type ServedResult } from "./served.js";
import { CONCURRENCY, markdown, runTransport } from "./transport.js";

interface Options {
  quick: boolean;
  readme: boolean;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, readme: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") options.quick = true;
    else if (arg === "--no-readme") options.readme = false;
    else if (arg === "--out" && argv[i + 1]) options.out = argv[++i];
    else throw new Error(`unknown argument ${arg} (expected --quick, --no-readme, --out PATH)`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const servedBudget: ServedBudget = options.quick
    ? { warmupRounds: 50, warmupSeconds: 0.3, serverWarmupSeconds: 1, seconds: 1, minRounds: 10 }
    : { warmupRounds: 200, warmupSeconds: 0.8, serverWarmupSeconds: 2, seconds: 2.5, minRounds: 15 };
  const transportBudget: Budget = options.quick
    ? { warmupCalls: 100, warmupMaxMs: 100, maxCalls: 5_000, maxMs: 250 }
    : { warmupCalls: 500, warmupMaxMs: 300, maxCalls: 20_000, maxMs: 600 };
  const started = performance.now();
  // Without PostgreSQL (or a broken serve) the transport rows still run; the failure is in the table.
  const served = await runServed(servedBudget, log).catch((err: unknown): ServedResult => {
    log(`served scenario failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { rows: [], skipped: [`served scenario: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`], getGraphVsRest: [], setupMs: { serve: 0, deployFirst: 0, deployMore: 0 } };
  });
  const transport = await runTransport(transportBudget, log);
  const seconds = (performance.now() - started) / 1000;

  const result = {
    mode: options.quick ? "quick" : "full",
    seconds,
    served: { store: PG_URL.replace(/\/\/[^@/]*@/, "//…@"), karmada: "sim", budget: servedBudget, ...served },
    transport: {
      rpc: "smo.v1.GraphService/ListGraphs",
      concurrency: CONCURRENCY,
      budget: transportBudget,
      scenarios: transport.map((s) => ({
        name: s.name,
        rows: s.rows.map((r) => ({ ...r, p50RatioToInProcess: r.sequential.p50Us / s.rows[0]!.sequential.p50Us })),
      })),
    },
  };
  const written = await writeBenchResult("latency", result, options.out);

  const machine = `${cpus()[0]?.model ?? "?"} × ${availableParallelism()}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the end`;
  const doc = [
    `Measured by \`npm run bench:latency${options.quick ? " -- --quick" : ""}\` on ${new Date().toISOString().slice(0, 10)} (${machine}; a box shared with other work, so read ratios within one run rather than absolute figures).`,
    "",
    "**What Hop3 sees**: a real `smo serve` (PostgreSQL store, `--karmada sim`) with a deployed one-service graph; sequential calls on one persistent channel per client, every row of a channel taking turns with the others in a shuffled order; the floor is `grpc.health.v1.Health/Check` on the same channel (for REST, `GET /healthz` on the same connection). The REST reference is `bench/latency/rest_app.py`: Flask + SQLAlchemy under gunicorn reading the same graph's rows from the same PostgreSQL, its calls taking turns with those of the Python TCP channel in the same rounds.",
    "",
    servedMarkdown(served),
    "",
    `**Transport only** (in-process PGlite store; ListGraphs of an empty store and a no-op handler; sequential and ${CONCURRENCY} in flight):`,
    "",
    ...transport.map(markdown).flatMap((t) => [t, ""]),
  ].join("\n");
  process.stdout.write(`${doc}\nwritten: ${written} (${seconds.toFixed(0)} s)\n`);
  if (options.readme) process.stdout.write(`written: ${await writeReadmeSection(doc)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:latency failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
