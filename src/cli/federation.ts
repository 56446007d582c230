// Composition of everything that acts on the Karmada federation under `smo serve`: the (simulated or real)
// Karmada API, the deployer, the alert-rule sink, dashboards, artifacts, the graph lifecycle and the
// elasticity loop with its Prometheus source. Built only when --karmada is given; closed in reverse order.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Registry } from "prom-client";
import { createKarmadaClient, createManifestDeployer, createHelmDeployer, createPrometheusRuleSink } from "../adapters/karmada/index.js";
import { clusterDashboard, createGrafanaPublisher, graphDashboard, serviceDashboard } from "../adapters/grafana/index.js";
import { createOciArtifactSource, insecureRegistriesFromEnv } from "../adapters/oci/index.js";
import { createAlertWebhookHandler, createRuleFileSink } from "../adapters/prometheus/index.js";
import { createWorkerDescriptorLoader } from "../adapters/hdag/index.js";
import { GraphLifecycle } from "../core/graphs/lifecycle.js";
import type { GraphLifecycleOptions } from "../core/graphs/types.js";
import { ElasticityController } from "../core/elasticity/controller.js";
import { watchClusterCapacity } from "../core/elasticity/cluster-capacity.js";
import { createElasticityMetrics } from "../core/elasticity/metrics.js";
import type { ProjectOwnership } from "../core/ports/ownership.js";
import type { Store } from "../core/ports/store.js";
import { refreshesElasticity } from "../core/events.js";
import type { HttpRoute } from "../api/http.js";
import { startSim } from "../sim/index.js";
import type { Solver } from "../solver/solver.js";
import { strategyNames } from "../solver/index.js";
import type { Logger } from "../observability/logger.js";
import type { ServeConfig } from "./serve-config.js";
import { DEMO_DESCRIPTOR, DEMO_PROJECT } from "./demo-graph.js";
import { createPrometheusSource } from "./prometheus-load.js";
import type { StartupProgress } from "./startup-progress.js";

/** What `smo serve` runs against a federation (real or simulated); the simulator itself is sim's SimulatedFederation. */
export interface FederationRuntime {
  lifecycle: GraphLifecycle;
  elasticity: ElasticityController;
  httpRoutes: HttpRoute[];
  /** URL of the simulated Karmada API when --karmada sim. */
  simUrl?: string;
  /**
   * The start-up steps that may end after serving (STARTUP_STEPS): cluster inventory, outbox resume, drift
   * repair, and (single process) the demo graph. Never rejects; close() waits for it.
   */
  finishStartup(progress: StartupProgress): Promise<void>;
  close(): Promise<void>;
}

/** The start-up steps `finishStartup` runs after the listeners are up, in order. */
export const STARTUP_STEPS = ["inventory", "resume", "repair", "demo"] as const;

/** How long start-up waits for the informers' first lists before serving with counts marked not live. */
const INFORMER_SYNC_TIMEOUT_MS = 5_000;

export async function startFederationRuntime(
  config: ServeConfig,
  deps: { store: Store; solver: Solver; logger: Logger; registry: Registry; env: NodeJS.ProcessEnv; ownership?: ProjectOwnership },
): Promise<FederationRuntime> {
  const { store, solver, logger, registry, env, ownership } = deps;
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) {
      await Promise.resolve()
        .then(fn)
        .catch((err: unknown) => logger.warn({ err }, "federation shutdown step failed"));
    }
  };
  try {
    let kubeconfig = config.karmada!;
    let kubeconfigPath = config.karmada!;
    let simUrl: string | undefined;
    if (config.karmada === "sim") {
      const sim = await startSim({
        clusters: config.sim.clusters,
        gpuClusters: config.sim.gpuClusters,
        podStartMs: config.sim.podStartMs,
        logger: logger.child({ component: "sim" }),
      });
      closers.push(() => sim.close());
      simUrl = sim.url;
      kubeconfig = sim.kubeconfig();
      // helm and kubectl need a file: keep one for as long as the simulator runs.
      const dir = await mkdtemp(join(tmpdir(), "smo-sim-"));
      kubeconfigPath = join(dir, "kubeconfig.yaml");
      await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
      closers.push(() => rm(dir, { recursive: true, force: true }));
      logger.info({ url: sim.url, kubeconfig: kubeconfigPath, clusters: config.sim.clusters }, "simulated Karmada federation started");
    }
    const karmada = createKarmadaClient({ kubeconfig, logger: logger.child({ component: "karmada" }), resyncMs: config.karmadaResyncMs });
    closers.push(() => karmada.close());

    const deployer =
      config.deployer === "helm"
        ? createHelmDeployer({ kubeconfigPath, logger, plainHttp: config.insecureRegistries.length > 0 })
        : createManifestDeployer(karmada);
    const rules = config.prometheusRulesFile
      ? createRuleFileSink({ path: config.prometheusRulesFile, prometheusUrl: config.prometheus ?? undefined })
      : createPrometheusRuleSink(karmada);
    const dashboards: GraphLifecycleOptions["dashboards"] = config.grafana
      ? {
          publisher: createGrafanaPublisher({
            url: config.grafana,
            token: env.SMO_GRAFANA_TOKEN || undefined,
            basic: env.SMO_GRAFANA_USER ? { user: env.SMO_GRAFANA_USER, password: env.SMO_GRAFANA_PASSWORD ?? "" } : undefined,
            logger,
          }),
          builder: {
            graphDashboard: (t) => graphDashboard({ graph: t.graph, project: t.project, services: t.services.map((s) => s.name) }),
            serviceDashboard: (t, s) => serviceDashboard({ graph: t.graph, project: t.project, service: s }),
            clusterDashboard: (c) => clusterDashboard({ cluster: c }),
          },
        }
      : undefined;
    const artifacts = createOciArtifactSource({
      insecureRegistries: [...config.insecureRegistries, ...insecureRegistriesFromEnv(env)],
      allowedRegistries: config.registries,
      refusePrivateAddresses: true,
      logger,
    });

    // Large descriptors are parsed on worker threads, away from the event loop (docs/security.md).
    const descriptors = createWorkerDescriptorLoader();
    closers.push(() => descriptors.close());
    const lifecycle = new GraphLifecycle({
      store,
      karmada,
      deployer,
      solver,
      logger,
      rules,
      dashboards,
      artifacts,
      hdagOptions: { placementStrategies: strategyNames(), maxReplicas: config.maxReplicas, projectPrefixes: config.projectPrefixes },
      descriptors,
      hooks: config.faultKillAfterCommit ? killAfterCommit(config.faultKillAfterCommit, logger) : undefined,
      ownership,
    });
    closers.push(() => lifecycle.close());

    const capacity = watchClusterCapacity(karmada);
    closers.push(() => capacity.stop());
    const metrics = createElasticityMetrics(registry);
    const elasticity = new ElasticityController(
      {
        store,
        karmada,
        solver,
        capacity,
        metrics,
        logger,
        ownership,
        // `scaled` events wake WatchGraph readers like the lifecycle's own events.
        onEvents: (list) => lifecycle.notify(list),
        replacer: {
          // A direct call, never an RPC to ourselves (docs/architecture.md#reportload).
          replaceForCapacity: async (graph) => {
            await lifecycle.replace(graph, {});
          },
        },
      },
      { stabilizationMs: config.stabilizationMs, reconcileMs: config.reconcileMs },
    );
    const events = lifecycle.subscribe((list) => {
      for (const graph of new Set(list.filter((e) => refreshesElasticity(e.type)).map((e) => e.graph))) {
        elasticity.refreshGraph(graph).catch((err: unknown) => logger.warn({ err, graph }, "elasticity refresh failed"));
      }
    });
    closers.push(() => events.stop());

    // Start-up: the shared informers' first lists and the read model, so that reads answer from memory from the
    // first request. An unreachable Karmada delays start by at most the sync timeout: reads then say not live.
    // Inventory, outbox resume and drift repair follow in finishStartup, once serving.
    if (!(await lifecycle.loadReadModel(INFORMER_SYNC_TIMEOUT_MS))) {
      logger.warn({ timeoutMs: INFORMER_SYNC_TIMEOUT_MS }, "Karmada informers not synced yet; replica counts are not live until they are");
    }
    // Level-triggered reconcile: owned objects deleted or changed by others, and every informer resync (only the
    // projects this process owns).
    const drift = lifecycle.watchDrift();
    closers.push(() => drift.stop());
    const clusterWatch = lifecycle.watchClusters();
    closers.push(() => clusterWatch.stop());
    await elasticity.start();
    closers.push(() => elasticity.stop());

    if (config.prometheus) {
      const source = await createPrometheusSource({ ...config, prometheus: config.prometheus }, { sink: elasticity, metrics, logger });
      source.start();
      closers.push(() => source.stop());
    }

    const httpRoutes: HttpRoute[] = [
      {
        method: "POST",
        path: "/v1/alerts",
        handle: createAlertWebhookHandler(async (payload) => {
          const outcome = await lifecycle.handleAlerts(payload.alerts);
          logger.info({ ...outcome, alerts: payload.alerts.length }, "alertmanager webhook");
        }),
      },
    ];
    let closing = false;
    let startup: Promise<void> = Promise.resolve();
    const finishStartup = (progress: StartupProgress): Promise<void> => {
      const step = (name: string, fn: () => Promise<void>) => (closing ? progress.finish(name) : progress.run(name, fn));
      startup = (async () => {
        await step("inventory", async () => {
          await lifecycle.inventory.sync().catch((err: unknown) => logger.warn({ err }, "cluster sync at start-up failed; will retry on use"));
        });
        // With several processes (ownership given), each project is resumed and repaired by whoever takes its
        // lease, and the demo waits for the leases (serve-app deploys it after they started).
        if (ownership) {
          for (const name of ["resume", "repair", "demo"]) progress.finish(name);
          return;
        }
        await step("resume", async () => {
          const resumed = await lifecycle.resume();
          if (resumed.graphs.length) logger.info(resumed, "resumed pending Karmada actions");
        });
        await step("repair", async () => {
          const repaired = await lifecycle.repairAll();
          if (repaired.length) logger.info({ graphs: repaired }, "re-applied graphs that drifted on Karmada");
        });
        await step("demo", async () => {
          if (config.demo) await deployDemo(lifecycle, logger);
        });
      })();
      return startup;
    };
    // The start-up steps first: they act through the lifecycle, closed right after.
    closers.push(async () => {
      closing = true;
      await startup;
    });
    return { lifecycle, elasticity, httpRoutes, simUrl, finishStartup, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Chaos testing (--fault-kill-after-commit): dies between a mutation's commit and its Karmada actions. */
function killAfterCommit(operation: string, logger: Logger): GraphLifecycleOptions["hooks"] {
  return {
    afterCommit: (graph, op) => {
      if (op !== operation) return;
      logger.fatal({ graph, operation: op }, "fault injection: SIGKILL after commit");
      process.kill(process.pid, "SIGKILL");
    },
  };
}

export async function deployDemo(lifecycle: GraphLifecycle, logger: Logger): Promise<void> {
  try {
    const result = await lifecycle.deploy({ project: DEMO_PROJECT, descriptor: DEMO_DESCRIPTOR });
    logger.info({ graph: result.graph.name, created: result.created, placement: result.graph.placement }, "demo graph ready");
  } catch (err) {
    // A demo that cannot deploy (e.g. a real federation without a GPU member) must not stop the sidecar.
    logger.warn({ err }, "demo graph not deployed");
  }
}
