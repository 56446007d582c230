// The real pieces wired together for lifecycle tests: the simulated Karmada federation (in-process, ephemeral
// port), the client-node Karmada adapter with the manifest deployer and the PrometheusRule sink, the solver
// (inline, no worker threads), a store (PGlite in memory, or any URL), and the lifecycle on top.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { createKarmadaClient, createManifestDeployer, createPrometheusRuleSink, type KarmadaAdapter } from "../../src/adapters/karmada/index.js";
import { clusterDashboard, graphDashboard, serviceDashboard } from "../../src/adapters/grafana/index.js";
import { openStore } from "../../src/adapters/store/index.js";
import { GraphLifecycle, type DashboardBuilder, type GraphLifecycleOptions } from "../../src/core/graphs/index.js";
import type { Dashboard, DashboardPublisher } from "../../src/core/ports/observability.js";
import type { Store } from "../../src/core/ports/store.js";
import { createSolver, strategyNames, type Solver } from "../../src/solver/index.js";
import { startSim, type Sim, type SimOptions } from "../../src/sim/index.js";

export const logger = pino({ level: process.env.SMO_TEST_LOG ?? "silent" });

/** Dashboards kept in memory, with the uids the lifecycle published and removed (a stand-in for Grafana). */
export class MemoryDashboards implements DashboardPublisher {
  readonly published = new Map<string, Dashboard>();
  async publish(d: Dashboard): Promise<{ url: string }> {
    this.published.set(d.uid, d);
    return { url: `http://grafana.test/d/${d.uid}` };
  }
  async remove(uid: string): Promise<void> {
    this.published.delete(uid);
  }
}

/** The real Grafana builders behind the lifecycle's DashboardBuilder port (what `serve` wires too). */
export const grafanaBuilder: DashboardBuilder = {
  graphDashboard: (t) => graphDashboard({ graph: t.graph, project: t.project, services: t.services.map((s) => s.name) }),
  serviceDashboard: (t, service) => serviceDashboard({ graph: t.graph, project: t.project, service }),
  clusterDashboard: (cluster) => clusterDashboard({ cluster }),
};

export interface Harness {
  sim: Sim;
  kubeconfigPath: string;
  client: KarmadaAdapter;
  store: Store;
  solver: Solver;
  dashboards: MemoryDashboards;
  lifecycle: GraphLifecycle;
  /** A new lifecycle on the same store and federation (a "restart"). */
  newLifecycle(extra?: Partial<GraphLifecycleOptions>): GraphLifecycle;
  close(): Promise<void>;
}

export async function startHarness(
  options: { sim?: SimOptions; db?: string; lifecycle?: Partial<GraphLifecycleOptions>; resyncMs?: number } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "smo-graphs-test-"));
  const sim = await startSim({ clusters: 3, gpuClusters: 1, podStartMs: 30, ...options.sim });
  const kubeconfigPath = join(dir, "kubeconfig.yaml");
  await sim.writeKubeconfig(kubeconfigPath);
  const client = createKarmadaClient({
    kubeconfig: kubeconfigPath,
    logger,
    timeoutMs: 3000,
    retry: { attempts: 3, baseMs: 10, maxMs: 50 },
    resyncMs: options.resyncMs,
  });
  const store = await openStore(options.db ?? "memory", { logger });
  const solver = createSolver({ workers: 0 });
  const dashboards = new MemoryDashboards();
  const lifecycles: GraphLifecycle[] = [];
  const newLifecycle = (extra: Partial<GraphLifecycleOptions> = {}) => {
    const l = new GraphLifecycle({
      store,
      karmada: client,
      deployer: createManifestDeployer(client),
      solver,
      logger,
      rules: createPrometheusRuleSink(client),
      dashboards: { publisher: dashboards, builder: grafanaBuilder },
      retry: { initialMs: 50, maxMs: 200 },
      watchPollMs: 200,
      hdagOptions: { placementStrategies: strategyNames() },
      ...options.lifecycle,
      ...extra,
    });
    lifecycles.push(l);
    return l;
  };
  const lifecycle = newLifecycle();
  return {
    sim,
    kubeconfigPath,
    client,
    store,
    solver,
    dashboards,
    lifecycle,
    newLifecycle,
    async close() {
      for (const l of lifecycles) await l.close();
      client.close();
      await solver.close();
      await store.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const NAMESPACED = {
  deployments: "/apis/apps/v1/namespaces/NS/deployments",
  services: "/api/v1/namespaces/NS/services",
  propagationpolicies: "/apis/policy.karmada.io/v1alpha1/namespaces/NS/propagationpolicies",
  serviceexports: "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/NS/serviceexports",
  serviceimports: "/apis/multicluster.x-k8s.io/v1alpha1/namespaces/NS/serviceimports",
} as const;

export type ResourceKind = keyof typeof NAMESPACED;

/** A write by another client than smo (its own field manager), as an operator or another controller would. */
export async function foreignRequest(sim: Sim, method: "DELETE" | "PATCH", kind: ResourceKind, namespace: string, name: string, patch?: unknown): Promise<void> {
  const url = `${sim.url}${NAMESPACED[kind].replace("NS", namespace)}/${name}?fieldManager=intruder`;
  const res = await fetch(url, {
    method,
    headers: patch ? { "content-type": "application/merge-patch+json" } : {},
    body: patch ? JSON.stringify(patch) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${kind} ${namespace}/${name}: HTTP ${res.status} ${await res.text()}`);
}

interface KubeItem {
  metadata: { name: string; labels?: Record<string, string>; generation?: number; resourceVersion?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export async function listObjects(sim: Sim, kind: ResourceKind, namespace: string): Promise<KubeItem[]> {
  const res = await fetch(sim.url + NAMESPACED[kind].replace("NS", namespace));
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`list ${kind} in ${namespace}: HTTP ${res.status}`);
  return ((await res.json()) as { items: KubeItem[] }).items;
}

/** Names of every object smo may create in a namespace, by kind. */
export async function inventory(sim: Sim, namespace: string): Promise<Record<ResourceKind, string[]>> {
  const out = {} as Record<ResourceKind, string[]>;
  for (const kind of Object.keys(NAMESPACED) as ResourceKind[]) {
    out[kind] = (await listObjects(sim, kind, namespace)).map((o) => o.metadata.name).sort();
  }
  return out;
}

export const EMPTY: Record<ResourceKind, string[]> = {
  deployments: [],
  services: [],
  propagationpolicies: [],
  serviceexports: [],
  serviceimports: [],
};

/** clusterNames of the PropagationPolicy of each service, by policy name. */
export async function policyClusters(sim: Sim, namespace: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const p of await listObjects(sim, "propagationpolicies", namespace)) {
    const placement = (p.spec?.placement ?? {}) as { clusterAffinity?: { clusterNames?: string[] } };
    out[p.metadata.name] = placement.clusterAffinity?.clusterNames ?? [];
  }
  return out;
}

export { eventually } from "../helpers/poll.js";
