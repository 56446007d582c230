// `smo sim`: runs the simulated Karmada federation (a Kubernetes API server on loopback) until SIGINT/SIGTERM,
// printing its URL and writing a kubeconfig that kubectl and client-node can use.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { destination, pino } from "pino";
import { parse as parseYaml } from "yaml";
import { InvalidArgumentError } from "../../core/errors.js";
import { karmadaApiDir, POD_MODELS, startSim, type PodModel, type SimConfigFile, type SimOptions } from "../../sim/index.js";
import type { CommandIO } from "../main.js";

const USAGE = `usage: smo sim [options]

Runs a simulated Karmada federation speaking the Kubernetes REST API on plain HTTP.

options:
  --clusters N            member clusters member1..memberN (default 3)
  --gpu-clusters K        the first K members get GPUs (default 0)
  --gpus-per-cluster G    GPUs on each GPU member (default 4)
  --cluster-cpu CORES     CPU per member (default 16)
  --cluster-memory QTY    memory per member (default 64Gi)
  --config FILE           YAML/JSON {clusters: [{name, cpu, memory, gpus, region, labels}]} instead of --clusters
  --pod-start-ms MS       delay before a scheduled pod is ready (default 1000)
  --pod-start-jitter-ms MS  extra random start delay up to MS (default 0)
  --pod-model MODEL       pods (default): one object per pod; counts: a workload's pods on a member
                          held as counts per phase (for federations of tens of thousands of services)
  --kubeconfig-out PATH   write a kubeconfig for the simulator (default ./sim.kubeconfig)
  --listen HOST:PORT      listen address (default 127.0.0.1:0, an ephemeral port)
  --token TOKEN           require this bearer token (also SMO_SIM_TOKEN)
  --fail-rate F           fraction of resource requests answered 500/503 (default 0)
  --latency-ms MS         delay added to every resource request (default 0)
  --seed N                seed for fault injection and jitter
  --karmada-api DIR       the Karmada CRDs (and swagger.json) to enforce and serve as OpenAPI
                          (also SMO_KARMADA_API_DIR; default ../shared/karmada-api beside the repository;
                          absent: the simulator says so and accepts any Karmada object)
  --log-level LEVEL       pino level on stderr: info (default), debug logs every request, silent
`;

function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!m) throw new InvalidArgumentError(`--listen must be HOST:PORT, got "${text}"`, [{ field: "listen", description: "must be HOST:PORT" }]);
  const port = Number(m[2]);
  if (port > 65535) throw new InvalidArgumentError(`--listen port ${port} is out of range`, [{ field: "listen", description: "port must be 0..65535" }]);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

function num(values: Record<string, unknown>, name: string, integer = false): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) {
    throw new InvalidArgumentError(`--${name} must be a non-negative ${integer ? "integer" : "number"}, got "${String(v)}"`, [
      { field: name, description: `must be a non-negative ${integer ? "integer" : "number"}` },
    ]);
  }
  return n;
}

/** Parses flags into startSim options (exported for tests). */
export async function simOptions(args: string[], env: NodeJS.ProcessEnv): Promise<{ options: SimOptions; kubeconfigOut: string; logLevel: string } | "help"> {
  const { values } = parseArgs({
    args,
    allowPositionals: false,
    strict: true,
    options: {
      clusters: { type: "string" },
      "gpu-clusters": { type: "string" },
      "gpus-per-cluster": { type: "string" },
      "cluster-cpu": { type: "string" },
      "cluster-memory": { type: "string" },
      config: { type: "string" },
      "pod-start-ms": { type: "string" },
      "pod-start-jitter-ms": { type: "string" },
      "pod-model": { type: "string" },
      "kubeconfig-out": { type: "string" },
      listen: { type: "string" },
      token: { type: "string" },
      "fail-rate": { type: "string" },
      "latency-ms": { type: "string" },
      seed: { type: "string" },
      "karmada-api": { type: "string" },
      "log-level": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const listen = parseListen(values.listen ?? "127.0.0.1:0");
  let config: SimConfigFile | undefined;
  if (values.config) {
    let text: string;
    try {
      text = await readFile(values.config, "utf8");
    } catch (err) {
      throw new InvalidArgumentError(`cannot read --config ${values.config}: ${(err as Error).message}`, [{ field: "config", description: "unreadable file" }]);
    }
    try {
      config = parseYaml(text) as SimConfigFile;
    } catch (err) {
      throw new InvalidArgumentError(`--config ${values.config} is not YAML/JSON: ${(err as Error).message}`, [{ field: "config", description: "not YAML or JSON" }]);
    }
  }
  const failRate = num(values, "fail-rate");
  if (failRate !== undefined && failRate > 1) throw new InvalidArgumentError("--fail-rate must be between 0 and 1", [{ field: "fail-rate", description: "must be between 0 and 1" }]);
  const podModel = values["pod-model"];
  if (podModel !== undefined && !(POD_MODELS as readonly string[]).includes(podModel)) {
    throw new InvalidArgumentError(`--pod-model must be one of ${POD_MODELS.join(", ")}, got "${podModel}"`, [
      { field: "pod-model", description: `one of ${POD_MODELS.join(", ")}` },
    ]);
  }
  const options: SimOptions = {
    clusters: num(values, "clusters", true),
    gpuClusters: num(values, "gpu-clusters", true),
    gpusPerCluster: num(values, "gpus-per-cluster", true),
    clusterCpu: num(values, "cluster-cpu"),
    clusterMemory: values["cluster-memory"],
    config,
    podStartMs: num(values, "pod-start-ms"),
    podStartJitterMs: num(values, "pod-start-jitter-ms"),
    podModel: podModel as PodModel | undefined,
    token: values.token ?? env.SMO_SIM_TOKEN,
    failRate,
    latencyMs: num(values, "latency-ms"),
    seed: num(values, "seed", true),
    karmadaApiDir: karmadaApiDir(values["karmada-api"], env),
    host: listen.host,
    port: listen.port,
  };
  return { options, kubeconfigOut: resolve(values["kubeconfig-out"] ?? "sim.kubeconfig"), logLevel: values["log-level"] ?? "info" };
}

/** Runs until `signal` aborts; `run` wires it to SIGINT/SIGTERM. */
export async function runSim(args: string[], io: CommandIO, signal: AbortSignal): Promise<number> {
  let parsed;
  try {
    parsed = await simOptions(args, io.env);
  } catch (err) {
    io.stderr.write(`smo sim: ${(err as Error).message}\n${err instanceof InvalidArgumentError ? "" : USAGE}`);
    return 1;
  }
  if (parsed === "help") {
    io.stdout.write(USAGE);
    return 0;
  }
  const logger = pino({ level: parsed.logLevel, base: { component: "sim" } }, destination({ dest: 2, sync: true }));
  let sim;
  try {
    sim = await startSim({ ...parsed.options, logger });
    await sim.writeKubeconfig(parsed.kubeconfigOut);
  } catch (err) {
    io.stderr.write(`smo sim: ${(err as Error).message}\n`);
    if (err instanceof InvalidArgumentError) for (const v of err.violations) io.stderr.write(`  ${v.field}: ${v.description}\n`);
    await sim?.close();
    return 1;
  }
  io.stdout.write(`simulated Karmada API server: ${sim.url}\nkubeconfig: ${parsed.kubeconfigOut}\n`);
  io.stdout.write(`schemas: ${sim.schemaSource ?? "none found (permissive)"}\n`);
  io.stdout.write(`members: ${sim.snapshot().map((m) => m.name).join(", ") || "(none)"}\n`);
  io.stdout.write(`try: kubectl --kubeconfig ${parsed.kubeconfigOut} get clusters.cluster.karmada.io\n`);
  if (!signal.aborted) await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
  await sim.close();
  io.stdout.write("simulator stopped\n");
  return 0;
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await runSim(args, io, controller.signal);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
