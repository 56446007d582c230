// bench:startup (docs/operations.md#start-up; table in bench/README.md). What `npm start` does: `smo serve --db
// pglite:DIR --karmada sim --demo true`, timed from spawn to its `smo serving` line and to `start-up finished`,
// on a new data directory and on an existing one, with the RSS at serving and once settled. `--compare BIN`
// runs another build's bin.js in alternation with this one, so the two are compared within one run.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { repoRoot, writeBenchResult } from "../results.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    compare: { type: "string" },
    "settle-ms": { type: "string", default: "5000" },
    out: { type: "string" },
  },
});

interface Run {
  build: string;
  directory: "new" | "existing";
  servingMs: number;
  /** CPU seconds of smo serve (and its reaped initdb child) at the serving line. */
  cpuAtServingS: number;
  /** Spawn to the end of the start-up steps (null: a build without them, where serving comes last). */
  finishedMs: number | null;
  rssServingMiB: number;
  rssSettledMiB: number;
  loadavg: number;
}

/** CPU seconds the process (all its threads, and its children once reaped) used so far: less load-sensitive than wall time. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime, stime, cutime, cstime are fields 14–17 of /proc/PID/stat (11–14 after the command name).
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100;
}

function rssMiB(pid: number): number {
  const pages = Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]);
  return Math.round((pages * 4096) / 2 ** 20);
}

/** The node flags `npm start` runs smo with (between `node` and the bin in package.json's start script). */
function startNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.start ?? "";
  const m = /\bnode((?:\s+--\S+)*)\s+dist\/src\/cli\/bin\.js/.exec(start);
  return m?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

async function startOnce(bin: string, build: string, dir: string, directory: Run["directory"], settleMs: number): Promise<Run> {
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...startNodeFlags(), bin, "serve", "--db", `pglite:${dir}`, "--karmada", "sim", "--demo", "true", "--listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    let servingMs = NaN;
    let finishedMs: number | null = null;
    let rssServingMiB = NaN;
    let cpuAtServingS = NaN;
    await new Promise<void>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      rl.on("line", (line) => {
        let msg: unknown;
        try {
          msg = (JSON.parse(line) as { msg?: unknown }).msg;
        } catch {
          return;
        }
        if (msg === "smo serving") {
          servingMs = performance.now() - t0;
          rssServingMiB = rssMiB(child.pid!);
          cpuAtServingS = cpuSeconds(child.pid!);
          // A build from before the start-up steps converges before serving: nothing more to wait for.
          if (!builds.get(build)!.hasSteps) resolve();
        } else if (typeof msg === "string" && msg.startsWith("start-up finished")) {
          finishedMs = performance.now() - t0;
          resolve();
        }
      });
      setTimeout(() => (Number.isNaN(servingMs) ? reject(new Error(`${build}: not serving within 120 s`)) : resolve()), 120_000).unref();
      void exited.then(() => reject(new Error(`${build}: smo serve exited before serving`)));
    });
    await new Promise((r) => setTimeout(r, settleMs));
    return { build, directory, servingMs, cpuAtServingS, finishedMs, rssServingMiB, rssSettledMiB: rssMiB(child.pid!), loadavg: load };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

const builds = new Map<string, { bin: string; hasSteps: boolean }>([["this", { bin: join(repoRoot(), "dist/src/cli/bin.js"), hasSteps: true }]]);
// --compare is a build from before the start-up steps (it logs no `start-up finished`).
if (args.compare) builds.set("compare", { bin: args.compare, hasSteps: false });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  const settleMs = Number(args["settle-ms"]);
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const [build, { bin }] of builds) {
      const dir = await mkdtemp(join(tmpdir(), "smo-bench-startup-"));
      try {
        for (const directory of ["new", "existing"] as const) {
          const run = await startOnce(bin, build, join(dir, "db"), directory, settleMs);
          runs.push(run);
          process.stderr.write(
            `round ${round + 1} ${build} ${directory}: serving ${(run.servingMs / 1000).toFixed(2)} s (${run.cpuAtServingS.toFixed(2)} s CPU), finished ${run.finishedMs === null ? "-" : (run.finishedMs / 1000).toFixed(2)} s, RSS ${run.rssServingMiB}/${run.rssSettledMiB} MiB, load ${run.loadavg.toFixed(1)}\n`,
          );
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
  const lines = [
    "| build | directory | n | to `smo serving` (median, max) | CPU used by then (median) | to start-up finished (median) | RSS at serving / settled (median) | load average |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const build of builds.keys()) {
    for (const directory of ["new", "existing"] as const) {
      const mine = runs.filter((r) => r.build === build && r.directory === directory);
      const serving = mine.map((r) => r.servingMs);
      const finished = mine.flatMap((r) => (r.finishedMs === null ? [] : [r.finishedMs]));
      const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
      lines.push(
        `| ${build} | ${directory} | ${mine.length} | ${s(median(serving))}, ${s(Math.max(...serving))} | ${median(mine.map((r) => r.cpuAtServingS)).toFixed(2)} s | ${finished.length ? s(median(finished)) : "= serving"} | ${median(mine.map((r) => r.rssServingMiB))} / ${median(mine.map((r) => r.rssSettledMiB))} MiB | ${Math.min(...mine.map((r) => r.loadavg)).toFixed(1)}–${Math.max(...mine.map((r) => r.loadavg)).toFixed(1)} |`,
      );
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  const out = await writeBenchResult("startup", { compare: args.compare ?? null, settleMs, runs }, args.out);
  process.stderr.write(`wrote ${out}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:startup failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
