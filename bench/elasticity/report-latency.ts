// bench:report — ReportLoad is Hop3's hottest call. Its round trip next to grpc.health.v1.Health/Check on the
// same gRPC channel to an `smo serve` child (PGlite in memory, `smo sim` child), for a sample that changes
// nothing (the path the goal speaks of: no SQL, no decision). The two calls alternate in rounds so load on the
// shared machine hits both alike. Writes bench/results/report-latency.json.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { SmoClient } from "../../src/cli/client.js";
import { ElasticityService } from "../../src/gen/smo/v1/elasticity_pb.js";
import { Health } from "../../src/gen/grpc/health/v1/health_pb.js";
import { writeBenchResult } from "../results.js";
import { startSimProcess } from "./sim-process.js";
import { startServeSmo } from "./smo-serve.js";
import { percentile, table } from "./stats.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "10" },
    "calls-per-round": { type: "string", default: "500" },
    out: { type: "string" },
  },
});
const rounds = Number(args.rounds);
const perRound = Number(args["calls-per-round"]);

async function time(call: () => Promise<unknown>, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    into.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "smo-bench-report-"));
  const sim = await startSimProcess({ dir, clusters: 1, clusterCpu: 64, podStartMs: 50 });
  const smo = await startServeSmo({ kubeconfig: sim.kubeconfig, db: "memory", config: { stabilizationMs: 30_000 } });
  const client = new SmoClient({ address: smo.grpcAddress });
  try {
    await smo.deployGraph({ name: "hot", project: "p-hot", services: [{ name: "web", cluster: "member1" }] });
    // 5 req/s: the one replica serves it, nothing to scale down (min 1). Two hosts report, as Hop3 on two hosts does.
    let i = 0;
    const report = () =>
      client.unary(ElasticityService.method.reportLoad, {
        samples: [{ graph: "hot", service: "web", requestsPerSecond: 2 + (i % 2), source: `host-${i++ % 2}`, observedAt: timestampFromMs(Date.now()) }],
      });
    const health = () => client.unary(Health.method.check, { service: "" });
    const reportUs: number[] = [];
    const healthUs: number[] = [];
    await time(report, 500, []);
    await time(health, 500, []);
    for (let r = 0; r < rounds; r++) {
      await time(health, perRound, healthUs);
      await time(report, perRound, reportUs);
    }
    const row = (name: string, us: number[]) => ({ call: name, calls: us.length, p50Us: Math.round(percentile(us, 50)), p99Us: Math.round(percentile(us, 99)) });
    const rows = [row("Health/Check", healthUs), row("ReportLoad", reportUs)];
    const ratio = Math.round((rows[1]!.p50Us / rows[0]!.p50Us) * 100) / 100;
    process.stdout.write(`${table(["call", "calls", "p50 µs", "p99 µs"], rows.map((r) => [r.call, r.calls, r.p50Us, r.p99Us]))}\n\nReportLoad p50 / Health p50 = ${ratio}\n`);
    const path = await writeBenchResult("report-latency", { setup: smo.description, rows, p50Ratio: ratio }, args.out);
    process.stderr.write(`wrote ${path}\n`);
  } finally {
    client.close();
    await smo.close();
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
