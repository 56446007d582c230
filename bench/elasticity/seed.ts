// Puts a running graph under management without the graph lifecycle: the graph and its deployed services go
// straight into the store, and the workloads onto Karmada with the manifest deployer and a placement policy,
// as the lifecycle would leave them. Shared by the elasticity tests and the in-process benches.
import type { ScalingModel, ServiceModel } from "../../src/core/hdag/model.js";
import type { Deployer, KarmadaClient } from "../../src/core/ports/karmada.js";
import type { Store } from "../../src/core/ports/store.js";

export interface SeedService {
  name: string;
  cluster: string;
  replicas?: number;
  /** Cores per replica (default 0.25). */
  cpu?: number;
  /** Default alpha 10, beta 0, min 1, max 10. */
  scaling?: Partial<ScalingModel>;
}

export interface SeedGraph {
  name: string;
  project: string;
  forecast?: boolean;
  services: SeedService[];
}

export function makeService(id: string, cpu: number, scaling: ScalingModel): ServiceModel {
  return {
    id,
    resources: { cpuClass: "small", ramClass: "small", storageClass: "small", cpu, memoryBytes: 64 * 2 ** 20, storageBytes: 0, gpu: 0 },
    trigger: { kind: "auto", dependencies: [] },
    connectionPoints: [],
    latencies: [],
    coLocation: [],
    deviceProximity: false,
    scaling,
    artifact: {
      ociImage: `oci://127.0.0.1:5000/test/${id}`,
      type: "App",
      implementer: "HELM",
      ociRun: { name: "HELM", version: "v3" },
      valuesOverwrite: {},
      container: { image: `registry.test/${id}:1`, ports: [8080], env: {} },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until the Deployment has `n` desired and available replicas. */
export async function waitAvailable(karmada: Pick<KarmadaClient, "getReplicas">, namespace: string, name: string, n: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await karmada.getReplicas(namespace, name);
    if (s && s.desired === n && s.available === n) return;
    if (Date.now() > until) throw new Error(`${namespace}/${name}: ${n} replicas not available in ${timeoutMs} ms (last ${JSON.stringify(s)})`);
    await sleep(25);
  }
}

export async function seedGraph(
  parts: { store: Store; karmada: KarmadaClient; deployer: Deployer },
  graph: SeedGraph,
  options: { waitReady?: boolean } = {},
): Promise<void> {
  const { store, karmada, deployer } = parts;
  const descriptor = { hdaGraph: { id: graph.name, version: "1.0.0", hdaGraphIntent: graph.forecast ? { scalingStrategy: "forecast" } : {} } };
  await store.graphs.create({
    name: graph.name,
    project: graph.project,
    status: "running",
    version: "1.0.0",
    descriptor,
    descriptorHash: `hash-${graph.name}`,
    strategy: "optimal",
    dashboardUrl: null,
    message: null,
    warnings: [],
  });
  await karmada.ensureNamespace(graph.project);
  const model = { id: graph.name, intent: { security: false, highAvailability: false, highPerformance: false, energyEfficiency: false, useStaticPlacement: false } };
  for (const s of graph.services) {
    const scaling: ScalingModel = { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 10, ...s.scaling };
    const cpu = s.cpu ?? 0.25;
    const spec = makeService(s.name, cpu, scaling);
    const n = s.replicas ?? 1;
    await store.services.upsert({
      graph: graph.name,
      name: s.name,
      status: "deployed",
      cluster: s.cluster,
      desiredReplicas: n,
      cpu,
      memoryBytes: spec.resources.memoryBytes,
      storageBytes: 0,
      gpu: 0,
      artifact: spec.artifact.ociImage,
      eventTriggered: false,
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      dashboardUrl: null,
      spec,
    });
    await deployer.apply(graph.project, model, spec, { clusters: [s.cluster], importClusters: [] }, n);
    await karmada.applyPlacement(graph.project, s.name, [s.cluster]);
  }
  if (options.waitReady !== false) {
    for (const s of graph.services) await waitAvailable(karmada, graph.project, s.name, s.replicas ?? 1);
  }
}
