// bench:ha (docs/ha.md): three `smo serve` processes on one PostgreSQL schema and one `smo sim` federation,
// 100 graphs over 25 projects, load reported round-robin to all processes. It reports
//  - scale-decision latency (sample sent → scale call accepted, read from the decision rows) when the sample
//    goes to the project's owner and when it goes to a non-owner (forwarded), p50/p95;
//  - SIGKILL of a process: time until one of its projects acts again (a decision through a survivor), p50/max
//    over the kills; the killed process is restarted after each kill so three stay up;
//  - replica-count reversals over every decision (must be 0: load only rises here);
//  - reads everywhere: after a StopGraph answered by one process, time until the other two show it;
//  - outbox effects: a StopGraph committed through a survivor right after each kill must be applied exactly
//    once (one `stopped` event, no Deployment left, no outbox row left): duplicated and lost counts (must be 0).
// Flags: --kills N (default 10), --graphs N (default 100), --out FILE, --quick (4 kills, 40 graphs).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { SmoClient } from "../../src/cli/client.js";
import { ElasticityService } from "../../src/gen/smo/v1/elasticity_pb.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GraphStatus } from "../../src/gen/smo/v1/types_pb.js";
import { benchSchema } from "../elasticity/postgres.js";
import type { SeedGraph } from "../elasticity/seed.js";
import { benchDescriptor } from "../elasticity/smo-serve.js";
import { cliPath, startSimProcess, stopChild } from "../elasticity/sim-process.js";
import { writeBenchResult } from "../results.js";

const { values } = parseArgs({
  options: { kills: { type: "string" }, graphs: { type: "string" }, out: { type: "string" }, quick: { type: "boolean" } },
});
const KILLS = Number(values.kills ?? (values.quick ? 4 : 10));
const GRAPHS = Number(values.graphs ?? (values.quick ? 40 : 100));
const PROJECTS = Math.max(1, Math.round(GRAPHS / 4));
const LEASE = "5s";
const SCALING = { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 10 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Serve {
  child: ChildProcess;
  pid: number;
  address: string;
  client: SmoClient;
}

async function serve(db: string, kubeconfig: string): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [cliPath(), "serve", "--db", db, "--karmada", kubeconfig, "--listen", "127.0.0.1:0", "--http-listen", "none",
      "--lease-duration", LEASE, "--stabilization", "60s", "--log-level", "info"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const address = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-64_000);
      const line = out.split("\n").find((l) => l.includes('"smo serving"'));
      if (!line) return;
      // Serving: from now on its log is only drained (SMO_BENCH_LOG=1 echoes warnings and errors).
      child.stdout!.off("data", onData);
      child.stdout!.on("data", (c: Buffer) => {
        if (process.env.SMO_BENCH_LOG) for (const l of c.toString().split("\n")) if (/"level":[45]/.test(l)) console.error(l);
      });
      resolve(JSON.parse(line).grpc as string);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
    child.once("exit", (code, signal) => reject(new Error(`smo serve exited (${code ?? signal}):\n${out}`)));
  });
  return { child, pid: child.pid!, address, client: new SmoClient({ address, deadlineMs: 30_000 }) };
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const schema = await benchSchema();
  if (!schema) throw new Error("PostgreSQL does not answer (SMO_BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/test)");
  const dir = await mkdtemp(join(tmpdir(), "smo-bench-ha-"));
  const sim = await startSimProcess({ dir, clusters: 3, clusterCpu: 10_000, podStartMs: 50 });
  const db = new pg.Client({ connectionString: schema.url });
  await db.connect();
  const procs: Serve[] = [];
  try {
    for (let i = 0; i < 3; i++) procs.push(await serve(schema.url, sim.kubeconfig));
    // Service names are unique per project (they name Kubernetes objects): one per graph.
    const graphs = Array.from({ length: GRAPHS }, (_, i) => ({ name: `ha-g${i}`, project: `ha-p${i % PROJECTS}`, service: `w${i}` }));
    const started = Date.now();
    for (let i = 0; i < graphs.length; i += 6) {
      await Promise.all(
        graphs.slice(i, i + 6).map((g, j) =>
          procs[(i + j) % 3]!.client.unary(GraphService.method.deployGraph, {
            project: g.project,
            descriptor: benchDescriptor({ name: g.name, project: g.project, services: [{ name: g.service, scaling: SCALING }] } as SeedGraph),
          }),
        ),
      );
    }
    console.log(`deployed ${graphs.length} graphs in ${PROJECTS} projects through 3 processes in ${Date.now() - started} ms`);

    const holders = async () => {
      const { rows } = await db.query<{ project: string; holder: string }>("select project, holder from leases where expires_at > clock_timestamp()");
      return new Map(rows.map((r) => [r.project, Number(r.holder.split("-").at(-2))]));
    };
    const firstDecisionAfter = async (graph: string, after: number) => {
      const { rows } = await db.query<{ t: Date }>(
        "select actuated_at as t from decisions where graph = $1 and actuated_at is not null and received_at >= $2 order by id limit 1",
        [graph, new Date(after - 5)],
      );
      return rows[0]?.t.getTime();
    };

    // 1. Decision latency through the owner and through a non-owner: every graph gets one rising sample, sent
    //    alternately to its owner and to another process (round-robin over the other two).
    const owner = await holders();
    const latency = { owner: [] as number[], nonOwner: [] as number[] };
    const rpc = { owner: [] as number[], nonOwner: [] as number[] };
    for (const rate of [30, 60]) {
      for (const [i, g] of graphs.entries()) {
        const ownerPid = owner.get(g.project);
        const viaOwner = i % 2 === 0;
        const others = procs.filter((p) => p.pid !== ownerPid);
        const target = viaOwner ? procs.find((p) => p.pid === ownerPid)! : others[i % others.length]!;
        const sent = Date.now();
        const t0 = performance.now();
        await target.client.unary(ElasticityService.method.reportLoad, { samples: [{ graph: g.name, service: g.service, requestsPerSecond: rate }] });
        (viaOwner ? rpc.owner : rpc.nonOwner).push(performance.now() - t0);
        (g as { sent?: number }).sent = sent;
        await sleep(20);
      }
      await sleep(2_000);
      for (const [i, g] of graphs.entries()) {
        const at = await firstDecisionAfter(g.name, (g as { sent?: number }).sent!);
        if (at !== undefined) (i % 2 === 0 ? latency.owner : latency.nonOwner).push(Math.max(0, at - (g as { sent?: number }).sent!));
      }
    }

    // 1b. Reads everywhere: a StopGraph answered by one process, then how long until the two others' GetGraph
    //     show it (their read models are invalidated by the change feed).
    const readsMs: number[] = [];
    const stoppedForReads = new Set<string>();
    for (let i = 0; i < Math.min(15, Math.floor(graphs.length / 6)); i++) {
      const g = graphs[graphs.length - 1 - i]!;
      const writer = procs[i % 3]!;
      await writer.client.unary(GraphService.method.stopGraph, { name: g.name });
      stoppedForReads.add(g.name);
      const answered = performance.now();
      await Promise.all(
        procs
          .filter((p) => p !== writer)
          .map(async (reader) => {
            for (let n = 0; n < 2000; n++) {
              const { graph } = await reader.client.unary(GraphService.method.getGraph, { name: g.name });
              if (graph?.status === GraphStatus.STOPPED) break;
              await sleep(2);
            }
            readsMs.push(performance.now() - answered);
          }),
      );
    }

    // 2. SIGKILL → time to act again, and a stop committed through a survivor applied exactly once.
    const actAgain: number[] = [];
    const stopsIssued: string[] = [];
    const probed = new Set<string>();
    for (let k = 0; k < KILLS; k++) {
      const map = await holders();
      const victim = procs[k % procs.length]!;
      const victimProjects = [...map].filter(([, pid]) => pid === victim.pid).map(([p]) => p);
      // A graph not probed nor stopped before, at 6 replicas since step 1: a sample of 80 req/s must scale it.
      const free = (g: (typeof graphs)[number]) => !probed.has(g.name) && !stopsIssued.includes(g.name) && !stoppedForReads.has(g.name);
      const project = victimProjects.find((p) => graphs.filter((g) => g.project === p && free(g)).length >= 2);
      if (!project) {
        console.log(`kill ${k + 1}: the victim holds no project with two fresh graphs; skipped`);
        continue;
      }
      const [probe, toStop] = graphs.filter((g) => g.project === project && free(g));
      probed.add(probe!.name);
      const killedAt = Date.now();
      victim.child.kill("SIGKILL");
      victim.client.close();
      const survivors = procs.filter((p) => p !== victim);
      // Committed through a survivor at once; applied by whoever takes the project.
      const stop = toStop ? survivors[0]!.client.unary(GraphService.method.stopGraph, { name: toStop.name }) : undefined;
      if (toStop) stopsIssued.push(toStop.name);
      let acted: number | undefined;
      for (let n = 0; acted === undefined && n < 300; n++) {
        const via = survivors[n % 2]!;
        const probeGraph = probe!;
        await via.client
          .unary(ElasticityService.method.reportLoad, { samples: [{ graph: probeGraph.name, service: probeGraph.service, requestsPerSecond: 80 + (n % 2) * 0.5 }] })
          .catch(() => undefined);
        await sleep(100);
        acted = await firstDecisionAfter(probeGraph.name, killedAt);
      }
      await stop?.catch((err: Error) => console.log(`stop of ${toStop!.name} answered: ${err.message}`));
      if (acted !== undefined) actAgain.push(acted - killedAt);
      console.log(`kill ${k + 1}/${KILLS}: pid ${victim.pid} (${victimProjects.length} projects) → ${project} acted again after ${acted === undefined ? "never" : `${acted - killedAt} ms`}`);
      procs.splice(procs.indexOf(victim), 1, await serve(schema.url, sim.kubeconfig));
      await sleep(1_500); // the new member's share moves to it before the next kill
    }

    // 3. Reversals over every service's decisions; exactly-once of the stops.
    const { rows: decisions } = await db.query<{ graph: string; previous_replicas: number; replicas: number }>(
      "select graph, previous_replicas, replicas from decisions where actuated_at is not null order by id",
    );
    const byGraph = new Map<string, number[]>();
    for (const d of decisions) byGraph.set(d.graph, [...(byGraph.get(d.graph) ?? []), d.replicas]);
    let reversals = 0;
    for (const seq of byGraph.values()) for (let i = 1; i < seq.length; i++) if (seq[i]! < seq[i - 1]!) reversals++;
    await sleep(2_000);
    let duplicated = 0;
    let lost = 0;
    for (const name of stopsIssued) {
      const { rows } = await db.query<{ n: string }>("select count(*) as n from events where graph = $1 and type = 'stopped'", [name]);
      const { rows: pending } = await db.query("select id from outbox where graph = $1", [name]);
      const g = graphs.find((x) => x.name === name)!;
      const res = await fetch(`${sim.url}/apis/apps/v1/namespaces/${g.project}/deployments/${g.service}`);
      const left = res.status === 404 ? 0 : 1;
      if (Number(rows[0]!.n) > 1) duplicated++;
      if (Number(rows[0]!.n) === 0 || pending.length > 0 || left > 0) lost++;
    }
    const { rows: outboxLeft } = await db.query<{ n: string }>("select count(*) as n from outbox");

    const result = {
      processes: 3,
      graphs: GRAPHS,
      projects: PROJECTS,
      leaseDuration: LEASE,
      decisionMs: {
        viaOwner: { n: latency.owner.length, p50: round(percentile(latency.owner, 50)), p95: round(percentile(latency.owner, 95)) },
        viaNonOwner: { n: latency.nonOwner.length, p50: round(percentile(latency.nonOwner, 50)), p95: round(percentile(latency.nonOwner, 95)) },
      },
      reportLoadRpcMs: {
        owner: { p50: round(percentile(rpc.owner, 50)), p95: round(percentile(rpc.owner, 95)) },
        nonOwner: { p50: round(percentile(rpc.nonOwner, 50)), p95: round(percentile(rpc.nonOwner, 95)) },
      },
      readsElsewhereMs: { n: readsMs.length, p50: round(percentile(readsMs, 50)), p95: round(percentile(readsMs, 95)), max: round(Math.max(...readsMs)) },
      sigkill: { kills: actAgain.length, actAgainMs: { p50: percentile(actAgain, 50), max: Math.max(...actAgain) }, samples: actAgain },
      reversals,
      decisions: decisions.length,
      outbox: { stopsDuringTakeover: stopsIssued.length, duplicated, lost, rowsLeft: Number(outboxLeft[0]!.n) },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`written to ${await writeBenchResult("ha", result, values.out)}`);
  } finally {
    for (const p of procs) {
      p.client.close();
      await stopChild(p.child);
    }
    await db.end().catch(() => undefined);
    await sim.stop();
    await schema.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
