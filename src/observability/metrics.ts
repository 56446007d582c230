// prom-client metrics. Every component receives the process `Registry` (never prom-client's global default
// registry, so that tests and benchmarks can run several servers in one process). Factories here return
// the existing metric when a registry already has it, so that two servers sharing a registry do not collide.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** A fresh registry with Node's process metrics (CPU, memory, event loop lag) and the `smo_` prefix free. */
export function createRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Labels of the per-RPC metrics. transport: grpc (TCP), grpc-uds (Unix socket), connect (HTTP/1.1). */
export type RpcLabels = "service" | "method" | "code" | "transport";
export type RpcLabelValues = Record<RpcLabels, string>;
export type RpcCallLabelValues = Record<Exclude<RpcLabels, "code">, string>;

/** A count a call moves with plain arithmetic; the registry reads it when scraped. */
export interface RpcCount {
  value: number;
}

export interface RpcMetrics {
  duration: Histogram<RpcLabels>;
  /** smo_rpc_total of these labels: calls completed. The same object for the same labels. */
  completed(labels: RpcLabelValues): RpcCount;
  /** smo_rpc_in_flight of these labels: calls started and not finished (streams included); what a SIGTERM drains. */
  inFlight(labels: RpcCallLabelValues): RpcCount;
}

// Loopback RPCs take tens of microseconds; solver calls take up to seconds.
const RPC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Counts of one registry's RPC counter and gauge. Every call moves them, and a prom-client inc/dec costs ~1 µs
 * (label validation and hashing) where the call itself costs tens: the counter and gauge read these plain
 * numbers when scraped instead.
 */
class RpcCounts<L extends Record<string, string>> {
  readonly #counts = new Map<string, { labels: L; count: RpcCount }>();

  get(labels: L): RpcCount {
    const key = Object.keys(labels).sort().map((name) => labels[name]).join("\u0000");
    let entry = this.#counts.get(key);
    if (!entry) this.#counts.set(key, (entry = { labels: { ...labels }, count: { value: 0 } }));
    return entry.count;
  }

  entries(): Iterable<{ labels: L; count: RpcCount }> {
    return this.#counts.values();
  }
}

const countsByRegistry = new WeakMap<Registry, { completed: RpcCounts<RpcLabelValues>; inFlight: RpcCounts<RpcCallLabelValues> }>();

export function rpcMetrics(registry: Registry): RpcMetrics {
  const labelNames: RpcLabels[] = ["service", "method", "code", "transport"];
  const duration =
    (registry.getSingleMetric("smo_rpc_duration_seconds") as Histogram<RpcLabels> | undefined) ??
    new Histogram({
      name: "smo_rpc_duration_seconds",
      help: "Time from request received to status sent, per RPC (whole stream for streaming RPCs).",
      labelNames,
      buckets: RPC_BUCKETS,
      registers: [registry],
    });
  let counts = countsByRegistry.get(registry);
  if (!counts) {
    const completed = new RpcCounts<RpcLabelValues>();
    const inFlight = new RpcCounts<RpcCallLabelValues>();
    countsByRegistry.set(registry, (counts = { completed, inFlight }));
    new Counter({
      name: "smo_rpc_total",
      help: "RPCs completed, by status code.",
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, count } of completed.entries()) this.inc(labels, count.value);
      },
    });
    new Gauge({
      name: "smo_rpc_in_flight",
      help: "RPCs started and not finished yet.",
      labelNames: ["service", "method", "transport"],
      registers: [registry],
      collect() {
        for (const { labels, count } of inFlight.entries()) this.set(labels, count.value);
      },
    });
  }
  const { completed, inFlight } = counts;
  return { duration, completed: (labels) => completed.get(labels), inFlight: (labels) => inFlight.get(labels) };
}

/**
 * smo_event_loop_delay_seconds{quantile="0.5"|"0.99"|"max"}: how late timers fired since the previous scrape
 * (monitorEventLoopDelay, 10 ms resolution). A handler that blocks the loop shows here as a max near its
 * duration, so blocking is visible in production without profiling. Returns a stop function.
 */
export function eventLoopDelayMetric(registry: Registry): () => void {
  const name = "smo_event_loop_delay_seconds";
  if (registry.getSingleMetric(name)) return () => undefined;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  new Gauge({
    name,
    help: "Event-loop delay since the previous scrape (quantile 0.5, 0.99 and max), in seconds",
    labelNames: ["quantile"],
    registers: [registry],
    collect() {
      const seconds = (ns: number): number => (Number.isFinite(ns) ? ns / 1e9 : 0);
      this.set({ quantile: "0.5" }, histogram.count > 0 ? seconds(histogram.percentile(50)) : 0);
      this.set({ quantile: "0.99" }, histogram.count > 0 ? seconds(histogram.percentile(99)) : 0);
      this.set({ quantile: "max" }, histogram.count > 0 ? seconds(histogram.max) : 0);
      histogram.reset();
    },
  });
  return () => {
    histogram.disable();
    registry.removeSingleMetric(name);
  };
}
