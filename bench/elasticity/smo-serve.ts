// smo as a separate `smo serve` process (the real binary, `--karmada` pointing at a `smo sim` child), driven over
// gRPC like Hop3 drives it: graphs through GraphService.DeployGraph, load through ElasticityService.ReportLoad,
// decisions from WatchDecisions. CPU and RSS are read from /proc for the serve process alone.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { timestampFromMs, timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { ElasticityConfig } from "../../src/core/elasticity/types.js";
import { SmoClient } from "../../src/cli/client.js";
import { ElasticityService } from "../../src/gen/smo/v1/elasticity_pb.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GraphStatus, ServiceStatus, SolverStatus } from "../../src/gen/smo/v1/types_pb.js";
import type { SeedGraph } from "./seed.js";
import { cliPath, stopChild } from "./sim-process.js";
import type { Usage } from "./smo-child.js";
import { sleep } from "./stats.js";
import type { DecisionView, PulledOptions, Sample, SmoTarget } from "./target.js";

export interface ServeOptions {
  kubeconfig: string;
  /** --db (default memory). */
  db?: string;
  config?: Partial<ElasticityConfig>;
  prometheus?: PulledOptions;
  /** Extra node flags for the serve process (e.g. --cpu-prof); default from SMO_BENCH_NODE_ARGS. */
  nodeArgs?: string[];
}

export interface ServeSmo extends SmoTarget {
  child: ChildProcess;
  grpcAddress: string;
  deployMany(graphs: SeedGraph[], concurrency: number): Promise<void>;
  reportNoWait(samples: Sample[]): void;
  errors(): number;
  usage(): Promise<Usage>;
}

/** An HDAG 0.4.0 descriptor for a bench graph (scaling model as an smo extension, light compute). */
export function benchDescriptor(graph: SeedGraph): string {
  const services = graph.services
    .map((s) => {
      const sc = { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 10, ...s.scaling };
      return `    - id: ${s.name}
      deployment:
        trigger: { auto: { dependencies: [] } }
        intent:
          compute: { cpu: light, ram: light, storage: small, gpu: { enabled: false } }
          scaling: { alpha: ${sc.alpha}, beta: ${sc.beta}, minReplicas: ${sc.minReplicas}, maxReplicas: ${sc.maxReplicas} }
      artifact:
        ociImage: oci://registry.example.org/bench/${s.name}
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: {}`;
    })
    .join("\n");
  return `hdaGraph:
  imVersion: 0.4.0
  id: ${graph.name}
  version: 1.0.0
  description: bench graph
  hdaGraphIntent:
    security: { enabled: false }
    highAvailability: { enabled: false }
    highPerformance: { enabled: false }
    energyEfficiency: { enabled: false }${graph.forecast ? "\n    scalingStrategy: forecast" : ""}
  services:
${services}
`;
}

function duration(ms: number): string {
  return `${Math.round(ms)}ms`;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime + stime (µs) and RSS (bytes) of a process, from /proc. */
export async function procUsage(pid: number): Promise<Usage> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const tick = 1e6 / ticksPerSecond();
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { userMicros: Number(fields[11]) * tick, systemMicros: Number(fields[12]) * tick, rss: rssKb * 1024, at: Date.now() };
}

export async function startServeSmo(opts: ServeOptions): Promise<ServeSmo> {
  const nodeArgs = opts.nodeArgs ?? (process.env.SMO_BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []);
  const args = [
    ...nodeArgs,
    cliPath(),
    "serve",
    "--db",
    opts.db ?? "memory",
    "--karmada",
    opts.kubeconfig,
    "--listen",
    "127.0.0.1:0",
    "--http-listen",
    "127.0.0.1:0",
    "--stabilization",
    duration(opts.config?.stabilizationMs ?? 30_000),
    "--reconcile-interval",
    duration(opts.config?.reconcileMs ?? 15_000),
    "--log-level",
    process.env.SMO_BENCH_LOG ?? "info",
  ];
  if (opts.prometheus) {
    const p = opts.prometheus;
    args.push("--prometheus", p.url, "--prometheus-scrape-interval", duration(p.scrapeIntervalMs));
    if (p.job) args.push("--prometheus-job", p.job);
    if (p.intervalMs !== undefined) args.push("--prometheus-interval", duration(p.intervalMs));
    if (p.window) args.push("--prometheus-window", p.window);
    if (p.template) args.push("--prometheus-query", p.template);
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, SMO_TOKEN: "" } });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
  const grpcAddress = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`smo serve not ready in 60 s:\n${stderr}`)), 60_000);
    rl.on("line", (line) => {
      if (!line.includes('"smo serving"')) return;
      try {
        const entry = JSON.parse(line) as { grpc?: string };
        clearTimeout(timer);
        resolve(entry.grpc!);
      } catch {
        // not the ready line
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`smo serve exited with ${code}:\n${stderr}`));
    });
  });
  const client = new SmoClient({ address: grpcAddress, deadlineMs: 120_000 });
  const listeners: ((d: DecisionView) => void)[] = [];
  const watching = new AbortController();
  void (async () => {
    for (;;) {
      try {
        for await (const { decision: d } of client.serverStream(ElasticityService.method.watchDecisions, {}, watching.signal)) {
          if (!d) continue;
          const t = d.times;
          const ms = (ts: Timestamp | undefined) => (ts ? timestampMs(ts) : null);
          const view: DecisionView = {
            id: Number(d.id),
            graph: d.graph,
            service: d.service,
            previousReplicas: d.previousReplicas,
            replicas: d.replicas,
            trigger: d.trigger,
            status: SolverStatus[d.status] ?? "",
            observedAt: ms(t?.observedAt) ?? 0,
            receivedAt: ms(t?.receivedAt) ?? 0,
            decidedAt: ms(t?.decidedAt) ?? 0,
            actuatedAt: ms(t?.actuatedAt),
            readyAt: ms(t?.readyAt),
          };
          for (const l of listeners) l(view);
        }
      } catch {
        // reconnect below unless closing
      }
      if (watching.signal.aborted) return;
      await sleep(200);
    }
  })();

  let errors = 0;
  const toWire = (samples: Sample[]) => ({
    samples: samples.map((s) => ({ graph: s.graph, service: s.service, requestsPerSecond: s.rps, observedAt: timestampFromMs(s.observedAt.getTime()) })),
  });

  async function deployGraph(graph: SeedGraph): Promise<void> {
    await client.unary(GraphService.method.deployGraph, { project: graph.project, descriptor: benchDescriptor(graph) });
    // Running, every service deployed, and the loop told (the lifecycle's "deployed" event refreshes it).
    for (let i = 0; ; i++) {
      const { graph: g } = await client.unary(GraphService.method.getGraph, { name: graph.name });
      if (g?.status === GraphStatus.RUNNING && g.services.every((s) => s.status === ServiceStatus.DEPLOYED)) break;
      if (i > 600) throw new Error(`graph ${graph.name} not running after 60 s`);
      await sleep(100);
    }
  }

  return {
    description: `\`smo serve\` child process (--db ${opts.db?.startsWith("postgres") ? "postgres" : (opts.db ?? "memory")}, --karmada → \`smo sim\` child), driven over gRPC`,
    pid: child.pid!,
    child,
    grpcAddress,
    deployGraph,
    async deployMany(graphs, concurrency) {
      const queue = [...graphs];
      await Promise.all(
        Array.from({ length: Math.max(1, concurrency) }, async () => {
          for (let g = queue.shift(); g; g = queue.shift()) await deployGraph(g);
        }),
      );
    },
    async report(samples) {
      await client.unary(ElasticityService.method.reportLoad, toWire(samples));
    },
    reportNoWait(samples) {
      client.unary(ElasticityService.method.reportLoad, toWire(samples)).catch(() => errors++);
    },
    errors: () => errors,
    usage: () => procUsage(child.pid!),
    onDecision(listener) {
      listeners.push(listener);
    },
    async close() {
      watching.abort();
      client.close();
      await stopChild(child);
    },
  };
}
