// `smo serve` configuration: every flag also reads SMO_<NAME> (dashes → underscores); the flag wins.
// Parsed and validated here, so the rest of the process gets a typed object and bad values stop start-up
// with a message naming the flag.
import { parseArgs } from "node:util";
import { isLogLevel, type LogLevel } from "../observability/logger.js";

interface OptionSpec {
  default?: string;
  help: string;
}

const bool = (v: string, option: string): boolean => {
  if (/^(true|1|yes|on)$/i.test(v)) return true;
  if (/^(false|0|no|off|)$/i.test(v)) return false;
  throw new ConfigError(`--${option}: expected true or false, got "${v}"`);
};

/** The flags of `smo serve`, in the order `smo serve --help` lists them. */
export const SERVE_OPTIONS = {
  listen: { default: "127.0.0.1:50051", help: "gRPC host:port (\"none\" = no TCP listener)" },
  socket: { help: "gRPC Unix socket path, created mode 0600 (no token needed there)" },
  "socket-mode": { default: "0600", help: "mode of the socket file in octal (0660 lets the socket's group, e.g. hop3, connect)" },
  "http-listen": { default: "127.0.0.1:50052", help: "HTTP/1.1 host:port: Connect, /metrics, /healthz (\"none\" = off)" },
  db: { default: "pglite:.smo/db", help: "postgres://…, pglite:PATH or memory" },
  token: { help: "bearer token required on the TCP listeners (prefer the env var SMO_TOKEN); required when one binds beyond loopback" },
  "allowed-hosts": {
    help: "comma-separated host names the HTTP port answers to, besides loopback names and IP addresses (DNS-rebinding guard)",
  },
  "log-level": { default: "info", help: "fatal, error, warn, info, debug, trace or silent" },
  karmada: { help: "kubeconfig path of the Karmada API server, or sim for the simulated federation" },
  deployer: { default: "manifest", help: "workload driver: manifest or helm" },
  prometheus: { help: "Prometheus base URL for pulled load" },
  "prometheus-scrape-interval": {
    default: "1s",
    help: "scrape interval of the load's targets (auto = read it from Prometheus's /api/v1/status/config, 1s if refused)",
  },
  "prometheus-job": { help: "scrape job of the load's series: the default query selects it and polls follow its scrapes" },
  "prometheus-interval": { help: "Prometheus pull interval (default: one poll per scrape, just after it lands)" },
  "prometheus-query": {
    help: "PromQL template of the pulled load, grouped by service; {{project}}, {{window}} and {{job}} are filled in (escaped)",
  },
  "prometheus-window": { help: "rate window of the pulled load query (default: 3 scrape intervals)" },
  "prometheus-rules-file": {
    help: "write alert rules to this Prometheus rule file and POST /-/reload to --prometheus (default: a PrometheusRule on Karmada)",
  },
  grafana: { help: "Grafana base URL for dashboards (token in SMO_GRAFANA_TOKEN, or SMO_GRAFANA_USER/SMO_GRAFANA_PASSWORD)" },
  retention: { default: "7d", help: "how long events and scaling decisions are kept (e.g. 7d, 12h, 30m); pruned hourly in batches" },
  "retention-per-graph": { default: "10000", help: "most events, and most scaling decisions, kept per graph (newest first; 0 = no count bound); pruned with --retention" },
  "project-prefix": {
    help: "comma-separated prefixes a project (Kubernetes namespace) must start with, e.g. hop3- (default: any; kube-* and karmada-* always refused)",
  },
  "max-replicas": { default: "1000", help: "upper bound of replica counts in descriptors (at most 2147483647)" },
  "optimizer-concurrency": { default: "2", help: "OptimizerService solves running at once; more answer RESOURCE_EXHAUSTED (no queue)" },
  "optimizer-max-services": { default: "200", help: "largest OptimizerService problem: services" },
  "optimizer-max-clusters": { default: "64", help: "largest OptimizerService problem: clusters" },
  "optimizer-max-pairs": { default: "2000", help: "largest OptimizerService problem: connections, and co-location groups" },
  "optimizer-max-time-limit": { default: "30s", help: "longest solve time limit an OptimizerService request may ask for (whole seconds)" },
  registry: {
    help: "comma-separated registries (host or host:port) oci:// references may name; loopback and link-local ones are refused unless listed here or in --insecure-registries",
  },
  "insecure-registries": { help: "comma-separated registries (host:port) reached over plain HTTP (also INSECURE_REGISTRY)" },
  stabilization: { default: "30s", help: "scale-down stabilisation window" },
  "reconcile-interval": { default: "15s", help: "period of the drift-repairing reconcile" },
  "karmada-resync": { default: "60s", help: "period at which every object smo owns on Karmada is re-checked for drift (informer resync)" },
  "sim-clusters": { default: "3", help: "--karmada sim: number of member clusters" },
  "sim-gpu-clusters": { default: "1", help: "--karmada sim: how many of them (the first) have GPUs" },
  "sim-pod-start": { default: "1s", help: "--karmada sim: delay before a scheduled pod is ready" },
  "fault-kill-after-commit": {
    help: "chaos testing only: SIGKILL the process right after a mutation of this kind (deploy, start, stop, remove, replace) committed",
  },
  demo: { default: "false", help: "deploy the demo graph (project demo) at start-up if it is not there (npm start does)" },
  "shutdown-timeout": { default: "10s", help: "how long SIGTERM lets calls in flight finish" },
  "lease-duration": {
    default: "5s",
    help: "PostgreSQL, several processes: a project's owner that misses renewals (every ≤1s) this long loses it to another",
  },
  "advertise-address": { help: "host:port the other processes forward load to (default --listen; set it when --listen is not routable)" },
} satisfies Record<string, OptionSpec>;

export type ServeOptionName = keyof typeof SERVE_OPTIONS;

export interface ServeConfig {
  listen: string | null;
  socket: string | null;
  httpListen: string | null;
  db: string;
  token: string | undefined;
  allowedHosts: string[];
  logLevel: LogLevel;
  /** "sim", a kubeconfig path, or null (no federation: lifecycle RPCs answer UNAVAILABLE). */
  karmada: string | null;
  deployer: "manifest" | "helm";
  prometheus: string | null;
  /** Scrape interval of the load's targets, or "auto" to read it from Prometheus. */
  prometheusScrapeIntervalMs: number | "auto";
  prometheusJob: string | undefined;
  /** Undefined: one poll per scrape interval, aligned to the scrapes. */
  prometheusIntervalMs: number | undefined;
  prometheusQuery: string | undefined;
  /** Undefined: 3 scrape intervals. */
  prometheusWindow: string | undefined;
  prometheusRulesFile: string | null;
  grafana: string | null;
  insecureRegistries: string[];
  /** Empty: any registry except loopback/link-local addresses not listed. */
  registries: string[];
  projectPrefixes: string[];
  maxReplicas: number;
  /** OptimizerService caps (api/handlers/optimizer-limits.ts). */
  optimizerLimits: { maxConcurrent: number; maxServices: number; maxClusters: number; maxPairs: number; maxTimeLimitSeconds: number };
  retentionMs: number;
  /** Newest events (and decisions) kept per graph; 0 = no bound by count. */
  retentionPerGraph: number;
  stabilizationMs: number;
  reconcileMs: number;
  /** Informer resync period: every owned object is re-checked for drift (0 = only on watch events). */
  karmadaResyncMs: number;
  socketMode: number;
  sim: { clusters: number; gpuClusters: number; podStartMs: number };
  demo: boolean;
  faultKillAfterCommit: string | null;
  shutdownTimeoutMs: number;
  leaseDurationMs: number;
  /** --advertise-address, else --listen; null when neither (then no forwarding target). */
  advertiseAddress: string | null;
}

export class ConfigError extends Error {}

export function envName(option: string): string {
  return `SMO_${option.toUpperCase().replaceAll("-", "_")}`;
}

/** "1s", "500ms", "2.5s", "1m" or a bare number of seconds → milliseconds. */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new ConfigError(`--${option}: expected a duration like 500ms, 1s or 2m, got "${value}"`);
  const n = Number(match[1]);
  const ms = match[2] === "ms" ? n : match[2] === "m" ? n * 60_000 : n * 1000;
  if (ms <= 0) throw new ConfigError(`--${option}: must be positive, got "${value}"`);
  return ms;
}

function optional<T>(value: string | undefined, parse: (v: string) => T): T | undefined {
  return value ? parse(value) : undefined;
}

function hostPort(value: string, option: string): string | null {
  if (value === "" || value === "none") return null;
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(value) || Number(value.slice(value.lastIndexOf(":") + 1)) > 65535) {
    throw new ConfigError(`--${option}: expected host:port (e.g. 127.0.0.1:50051) or none, got "${value}"`);
  }
  return value;
}

/** "7d", "12h" or any parseDuration form. */
function retention(value: string): number {
  const m = /^(\d+)(d|h)$/.exec(value.trim());
  return m ? Number(m[1]) * (m[2] === "d" ? 86_400_000 : 3_600_000) : parseDuration(value, "retention");
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** host:port whose host is a loopback name or address. */
export function isLoopbackAddress(address: string): boolean {
  const host = address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function url(value: string | undefined, option: string): string | null {
  if (!value) return null;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    throw new ConfigError(`--${option}: expected an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

function octal(value: string, option: string): number {
  if (!/^0?[0-7]{3}$/.test(value)) throw new ConfigError(`--${option}: expected an octal mode like 0600 or 0660, got "${value}"`);
  const mode = parseInt(value, 8);
  if (mode & 0o007) throw new ConfigError(`--${option}: refusing a mode that lets every local user connect (${value})`);
  return mode;
}

function count(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`--${option}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

function wholeSeconds(value: string, option: string): number {
  const ms = parseDuration(value, option);
  if (ms < 1000 || ms % 1000 !== 0) throw new ConfigError(`--${option}: expected whole seconds of at least 1s, got "${value}"`);
  return ms / 1000;
}

export function serveUsage(): string {
  const lines = Object.entries(SERVE_OPTIONS).map(([name, spec]: [string, OptionSpec]) => {
    const def = spec.default ? ` (default ${spec.default})` : "";
    return `  --${name.padEnd(20)} ${spec.help}${def}\n  ${"".padEnd(22)} env ${envName(name)}`;
  });
  return `usage: smo serve [options]\n\n${lines.join("\n")}\n`;
}

/** Parses argv + env. Throws ConfigError with a message naming the flag. `help` set when --help was given. */
export function parseServeConfig(args: string[], env: NodeJS.ProcessEnv): ServeConfig | "help" {
  const options = Object.fromEntries(Object.keys(SERVE_OPTIONS).map((k) => [k, { type: "string" as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return "help";
  const get = (name: ServeOptionName): string | undefined => {
    const spec: OptionSpec = SERVE_OPTIONS[name];
    return (values[name] as string | undefined) ?? env[envName(name)] ?? spec.default;
  };
  const logLevel = get("log-level")!;
  if (!isLogLevel(logLevel)) throw new ConfigError(`--log-level: expected fatal, error, warn, info, debug, trace or silent, got "${logLevel}"`);
  const deployer = get("deployer")!;
  if (deployer !== "manifest" && deployer !== "helm") throw new ConfigError(`--deployer: expected manifest or helm, got "${deployer}"`);
  const config: ServeConfig = {
    listen: hostPort(get("listen")!, "listen"),
    socket: get("socket") || null,
    httpListen: hostPort(get("http-listen")!, "http-listen"),
    db: get("db")!,
    token: get("token") || undefined,
    allowedHosts: list(get("allowed-hosts")),
    logLevel,
    karmada: get("karmada") || null,
    deployer,
    prometheus: url(get("prometheus"), "prometheus"),
    prometheusScrapeIntervalMs:
      get("prometheus-scrape-interval") === "auto" ? "auto" : parseDuration(get("prometheus-scrape-interval")!, "prometheus-scrape-interval"),
    prometheusJob: get("prometheus-job") || undefined,
    prometheusIntervalMs: optional(get("prometheus-interval"), (v) => parseDuration(v, "prometheus-interval")),
    prometheusQuery: get("prometheus-query") || undefined,
    prometheusWindow: get("prometheus-window") || undefined,
    prometheusRulesFile: get("prometheus-rules-file") || null,
    grafana: url(get("grafana"), "grafana"),
    insecureRegistries: list(get("insecure-registries")),
    registries: list(get("registry")),
    projectPrefixes: list(get("project-prefix")),
    retentionMs: retention(get("retention")!),
    retentionPerGraph: count(get("retention-per-graph")!, "retention-per-graph", 0),
    maxReplicas: count(get("max-replicas")!, "max-replicas", 1),
    optimizerLimits: {
      maxConcurrent: count(get("optimizer-concurrency")!, "optimizer-concurrency", 1),
      maxServices: count(get("optimizer-max-services")!, "optimizer-max-services", 1),
      maxClusters: count(get("optimizer-max-clusters")!, "optimizer-max-clusters", 1),
      maxPairs: count(get("optimizer-max-pairs")!, "optimizer-max-pairs", 0),
      maxTimeLimitSeconds: wholeSeconds(get("optimizer-max-time-limit")!, "optimizer-max-time-limit"),
    },
    stabilizationMs: parseDuration(get("stabilization")!, "stabilization"),
    reconcileMs: parseDuration(get("reconcile-interval")!, "reconcile-interval"),
    karmadaResyncMs: parseDuration(get("karmada-resync")!, "karmada-resync"),
    socketMode: octal(get("socket-mode")!, "socket-mode"),
    sim: {
      clusters: count(get("sim-clusters")!, "sim-clusters", 1),
      gpuClusters: count(get("sim-gpu-clusters")!, "sim-gpu-clusters", 0),
      podStartMs: parseDuration(get("sim-pod-start")!, "sim-pod-start"),
    },
    demo: bool(get("demo")!, "demo"),
    faultKillAfterCommit: get("fault-kill-after-commit") || null,
    shutdownTimeoutMs: parseDuration(get("shutdown-timeout")!, "shutdown-timeout"),
    leaseDurationMs: parseDuration(get("lease-duration")!, "lease-duration"),
    advertiseAddress: hostPort(get("advertise-address") ?? "", "advertise-address") ?? hostPort(get("listen")!, "listen"),
  };
  if (config.leaseDurationMs < 1_000) throw new ConfigError("--lease-duration: at least 1s (renewals run up to every second)");
  if (config.prometheusRulesFile && !config.prometheus) {
    throw new ConfigError("--prometheus-rules-file needs --prometheus (the server to reload)");
  }
  const faultOps = ["deploy", "start", "stop", "remove", "replace"];
  if (config.faultKillAfterCommit && !faultOps.includes(config.faultKillAfterCommit)) {
    throw new ConfigError(`--fault-kill-after-commit: expected one of ${faultOps.join(", ")}, got "${config.faultKillAfterCommit}"`);
  }
  if (config.demo && !config.karmada) throw new ConfigError("--demo needs --karmada (sim or a kubeconfig)");
  if (config.sim.gpuClusters > config.sim.clusters) {
    throw new ConfigError("--sim-gpu-clusters cannot exceed --sim-clusters");
  }
  // Without a token, a listener reachable from other machines would let any of them deploy and remove graphs.
  for (const [option, address] of [["listen", config.listen], ["http-listen", config.httpListen]] as const) {
    if (address && !config.token && !isLoopbackAddress(address)) {
      throw new ConfigError(`--${option} ${address} is reachable beyond loopback: set a token (SMO_TOKEN) or bind to 127.0.0.1`);
    }
  }
  if (config.maxReplicas > 2 ** 31 - 1) throw new ConfigError("--max-replicas: at most 2147483647 (Kubernetes replicas are int32)");
  if (!config.listen && !config.socket && !config.httpListen) {
    throw new ConfigError("nothing to serve: --listen and --http-listen are none and no --socket is given");
  }
  return config;
}
