// Real parts for the elasticity tests: the simulated Karmada federation (in-process, ephemeral port), the
// client-node adapter with the manifest deployer, PGlite in memory, the solver (inline), the cluster capacity
// from the cluster watch, metrics on a private Registry, and the controller on top. Graphs are seeded straight
// into the store and their workloads applied with the deployer, as the lifecycle would.
import { eventually } from "../helpers/poll.js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Registry } from "prom-client";
import { createKarmadaClient, createManifestDeployer, type KarmadaAdapter } from "../../src/adapters/karmada/index.js";
import { createReplicaOps } from "../../src/adapters/karmada/replicas.js";
import { openStore } from "../../src/adapters/store/index.js";
import {
  ElasticityController,
  createElasticityMetrics,
  watchClusterCapacity,
  type ElasticityConfig,
  type ElasticityMetrics,
  type Replacer,
  type ReplicaSolver,
  type WatchedCapacity,
} from "../../src/core/elasticity/index.js";
import type { KarmadaClient, ReplicaStatus } from "../../src/core/ports/karmada.js";
import type { EventRecord, Store } from "../../src/core/ports/store.js";
import { createSolver, type Solver } from "../../src/solver/index.js";
import { startSim, type Sim, type SimOptions } from "../../src/sim/index.js";
import { seedGraph, type SeedGraph } from "../../bench/elasticity/seed.js";

export type { SeedGraph } from "../../bench/elasticity/seed.js";

export const logger = pino({ level: process.env.SMO_TEST_LOG ?? "silent" });

export interface ScaleCall {
  namespace: string;
  deployment: string;
  replicas: number;
}

export interface Harness {
  sim: Sim;
  client: KarmadaAdapter;
  store: Store;
  solver: Solver;
  registry: Registry;
  metrics: ElasticityMetrics;
  capacity: WatchedCapacity;
  controller: ElasticityController;
  /** Every scale call smo made through the adapter, in order. */
  scaleCalls: ScaleCall[];
  /** Events the controller announced through onEvents. */
  events: EventRecord[];
  /** Re-placement requests the controller made. */
  replaced: { graph: string; service: string; reason: string }[];
  /** Highest number of replica solves running at once per graph/cluster problem. */
  maxConcurrentSolves(): number;
  seedGraph(graph: SeedGraph): Promise<void>;
  replicas(namespace: string, deployment: string): Promise<ReplicaStatus | undefined>;
  /** Polls until the Deployment reports `available` replicas (and that many desired). */
  waitAvailable(namespace: string, deployment: string, replicas: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { eventually };

export async function startHarness(
  options: {
    sim?: SimOptions;
    config?: Partial<ElasticityConfig>;
    withReplacer?: boolean;
    openStore?: () => Promise<Store>;
    /** Awaited before each scale call reaches the adapter (to hold a decision mid-actuation). */
    beforeScale?: (call: ScaleCall) => Promise<void>;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "smo-elasticity-test-"));
  const sim = await startSim({ clusters: 2, podStartMs: 50, ...options.sim });
  const kubeconfigPath = join(dir, "kubeconfig.yaml");
  await sim.writeKubeconfig(kubeconfigPath);
  const client = createKarmadaClient({ kubeconfig: kubeconfigPath, logger, timeoutMs: 3000, retry: { attempts: 3, baseMs: 10, maxMs: 50 } });
  const deployer = createManifestDeployer(client);
  const store = options.openStore ? await options.openStore() : await openStore("memory", { logger });
  const solver = createSolver({ workers: 0 });
  const registry = new Registry();
  const metrics = createElasticityMetrics(registry);
  const capacity = watchClusterCapacity(client);
  await eventually(() => capacity.members().length, (n) => n > 0, "the cluster inventory");

  const scaleCalls: ScaleCall[] = [];
  const karmada: KarmadaClient = {
    ...client,
    async scale(namespace, deployment, replicas) {
      scaleCalls.push({ namespace, deployment, replicas });
      await options.beforeScale?.({ namespace, deployment, replicas });
      await client.scale(namespace, deployment, replicas);
    },
  };
  let inFlight = 0;
  let maxInFlight = 0;
  const countingSolver: ReplicaSolver = {
    async decideReplicas(problem) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        // Yield once so that a second concurrent solve, if the controller allowed one, would overlap.
        await sleep(5);
        return await solver.decideReplicas(problem);
      } finally {
        inFlight--;
      }
    },
  };
  const replaced: Harness["replaced"] = [];
  const events: EventRecord[] = [];
  const replacer: Replacer = {
    async replaceForCapacity(graph, service, reason) {
      replaced.push({ graph, service, reason });
    },
  };
  const controller = new ElasticityController(
    { store, karmada, solver: countingSolver, capacity, replacer: options.withReplacer === false ? undefined : replacer, metrics, logger, onEvents: (list) => events.push(...list) },
    { stabilizationMs: 300, reconcileMs: 600_000, ...options.config },
  );
  await controller.start();

  // What the API server says now (a GET), not the informer's copy, which follows a moment later.
  const direct = createReplicaOps(client.kube);
  const replicas = (namespace: string, deployment: string) => direct.getReplicas(namespace, deployment);
  const waitAvailable = async (namespace: string, deployment: string, n: number, timeoutMs = 10_000) => {
    await eventually(
      () => replicas(namespace, deployment),
      (s) => !!s && s.desired === n && s.available === n,
      `${namespace}/${deployment} to have ${n} available replicas`,
      timeoutMs,
    );
  };
  return {
    sim,
    client,
    store,
    solver,
    registry,
    metrics,
    capacity,
    controller,
    scaleCalls,
    replaced,
    events,
    maxConcurrentSolves: () => maxInFlight,
    replicas,
    waitAvailable,
    async seedGraph(graph) {
      await seedGraph({ store, karmada: client, deployer }, graph);
      await controller.refreshGraph(graph.name);
    },
    async close() {
      await controller.stop();
      capacity.stop();
      client.close();
      await solver.close();
      await store.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
