// smo's elasticity core in the bench process: the controller with PGlite in memory, the client-node Karmada
// adapter (against a `smo sim` child), the solver's worker pool, and optionally the Prometheus load source.
import { pino } from "pino";
import { Registry } from "prom-client";
import { createKarmadaClient, createManifestDeployer } from "../../src/adapters/karmada/index.js";
import { createPrometheusLoadQuery } from "../../src/adapters/prometheus/index.js";
import { openStore } from "../../src/adapters/store/index.js";
import {
  ElasticityController,
  PrometheusLoadSource,
  createElasticityMetrics,
  watchClusterCapacity,
  type ElasticityConfig,
} from "../../src/core/elasticity/index.js";
import { createSolver } from "../../src/solver/index.js";
import { seedGraph } from "./seed.js";
import { sleep } from "./stats.js";
import type { DecisionView, PulledOptions, SmoTarget } from "./target.js";

export interface InProcessOptions {
  kubeconfig: string;
  /** Store URL as for `--db` (default memory: PGlite in memory). */
  db?: string;
  config?: Partial<ElasticityConfig>;
  prometheus?: PulledOptions;
}

export async function startInProcessSmo(opts: InProcessOptions): Promise<SmoTarget & { registry: Registry; controller: ElasticityController }> {
  const logger = pino({ level: process.env.SMO_BENCH_LOG ?? "silent" });
  const store = await openStore(opts.db ?? "memory", { logger });
  const client = createKarmadaClient({ kubeconfig: opts.kubeconfig, logger });
  const deployer = createManifestDeployer(client);
  const solver = createSolver();
  const registry = new Registry();
  const metrics = createElasticityMetrics(registry);
  const capacity = watchClusterCapacity(client);
  for (let i = 0; capacity.members().length === 0; i++) {
    if (i > 300) throw new Error("no member clusters seen on the simulator");
    await sleep(20);
  }
  const controller = new ElasticityController({ store, karmada: client, solver, capacity, metrics, logger }, opts.config);
  await controller.start();
  const source = opts.prometheus
    ? new PrometheusLoadSource(
        {
          query: createPrometheusLoadQuery({ ...opts.prometheus, scrapeIntervalMs: opts.prometheus.scrapeIntervalMs }),
          sink: controller,
          metrics,
          logger,
        },
        { intervalMs: opts.prometheus.intervalMs ?? opts.prometheus.scrapeIntervalMs, alignToScrapes: opts.prometheus.intervalMs === undefined },
      )
    : undefined;
  source?.start();

  const listeners: ((d: DecisionView) => void)[] = [];
  const stopWatch = new AbortController();
  const watching = (async () => {
    for await (const d of controller.watchDecisions({}, 0, stopWatch.signal)) {
      const view: DecisionView = {
        id: d.id,
        graph: d.graph,
        service: d.service,
        previousReplicas: d.previousReplicas,
        replicas: d.replicas,
        trigger: d.trigger,
        status: d.status,
        observedAt: d.observedAt.getTime(),
        receivedAt: d.receivedAt.getTime(),
        decidedAt: d.decidedAt.getTime(),
        actuatedAt: d.actuatedAt?.getTime() ?? null,
        readyAt: d.readyAt?.getTime() ?? null,
      };
      for (const l of listeners) l(view);
    }
  })();

  return {
    description: `in-process (controller, ${opts.db?.startsWith("postgres") ? "PostgreSQL" : "PGlite in memory"}, client-node adapter → \`smo sim\` child, solver worker pool)`,
    pid: process.pid,
    registry,
    controller,
    async deployGraph(graph, options) {
      await seedGraph({ store, karmada: client, deployer }, graph, options);
      await controller.refreshGraph(graph.name);
    },
    async report(samples) {
      await controller.report(samples.map((s) => ({ graph: s.graph, service: s.service, requestsPerSecond: s.rps, observedAt: s.observedAt })));
    },
    onDecision(listener) {
      listeners.push(listener);
    },
    async close() {
      source?.stop();
      stopWatch.abort();
      await controller.stop();
      await watching.catch(() => undefined);
      capacity.stop();
      client.close();
      await solver.close();
      await store.close();
    },
  };
}
