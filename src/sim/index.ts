// Public entry of the simulated Karmada federation: `startSim(options)` starts a plain-HTTP Kubernetes API
// server on loopback (the store, the API semantics, the Karmada reconciler) and returns handles to its URL,
// a kubeconfig and the admin operations (NotReady, remove/add members, faults).
import { writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { InvalidArgumentError } from "../core/errors.js";
import { clusterSpec, clusterSpecs, type ClusterConfig, type ClusterOptions } from "./config.js";
import { POD_MODELS, SimulatedFederation, type PodModel, type SimLogger } from "./federation.js";
import type { MemberSnapshot } from "./members.js";
import { createApiServer } from "./http/server.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { ApiOperations } from "./operations.js";
import { buildOpenApi } from "./openapi/documents.js";
import { parseBytes } from "./quantity.js";
import { ResourceRegistry } from "./resources.js";
import { karmadaApiDir, loadSchemaCatalog } from "./schema/catalog.js";
import { ObjectStore } from "./store.js";

export type { ClusterConfig, SimConfigFile } from "./config.js";
export type { SimLogger, PodModel } from "./federation.js";
export { POD_MODELS } from "./federation.js";
export type { MemberSnapshot } from "./members.js";
export { CAPACITY_ANNOTATIONS } from "./cluster-object.js";
export { karmadaApiDir } from "./schema/catalog.js";

export interface SimOptions extends ClusterOptions {
  /** Delay between binding a pod and it being ready (default 1000). */
  podStartMs?: number;
  /** Extra random delay up to this many ms per pod (default 0). */
  podStartJitterMs?: number;
  /**
   * "pods" (default): one object per pod. "counts": a workload's pods on a member are held as counts per phase
   * (federation.ts), so tens of thousands of services do not mean hundreds of thousands of objects.
   */
  podModel?: PodModel;
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  /** Fraction of resource requests answered 500/503 (default 0). */
  failRate?: number;
  /** Delay added to every resource request (default 0). */
  latencyMs?: number;
  /** Listen address (default 127.0.0.1) and port (default 0 = ephemeral). */
  host?: string;
  port?: number;
  /** Past events kept for watch resumption (default 20000). */
  watchHistory?: number;
  /** Seed for fault injection and jitter, for reproducible runs. */
  seed?: number;
  /**
   * Directory of the real Karmada API definitions (CRD YAML files, swagger.json) the simulator enforces
   * (default: $SMO_KARMADA_API_DIR, else ../shared/karmada-api beside the repository). Absent: permissive.
   */
  karmadaApiDir?: string;
  logger?: SimLogger;
}

export interface Sim {
  readonly url: string;
  readonly port: number;
  /** Kubeconfig YAML pointing at this simulator (with the token when one is set). */
  kubeconfig(): string;
  writeKubeconfig(path: string): Promise<void>;
  setClusterReady(name: string, ready: boolean): void;
  removeCluster(name: string): void;
  addCluster(spec: ClusterConfig): void;
  setFailRate(rate: number): void;
  setLatency(ms: number): void;
  /** Members with allocated resources and pod counts per workload. */
  snapshot(): MemberSnapshot[];
  /** The directory whose schemas are enforced, or undefined when running permissive (none found). */
  readonly schemaSource: string | undefined;
  /** Resolves when queued reconciliation has been applied. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** mulberry32: small, seedable, good enough for fault dice and jitter. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`failRate must be between 0 and 1, got ${rate}`);
}

function checkLatency(ms: number): void {
  if (!(ms >= 0 && Number.isFinite(ms))) throw new RangeError(`latency must be a non-negative number of ms, got ${ms}`);
}

const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "karmada-system", "karmada-cluster"];

export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const specs = clusterSpecs(options);
  const faults = { failRate: options.failRate ?? 0, latencyMs: options.latencyMs ?? 0 };
  checkRate(faults.failRate);
  checkLatency(faults.latencyMs);
  if (options.podModel !== undefined && !POD_MODELS.includes(options.podModel)) {
    throw new InvalidArgumentError(`podModel must be one of ${POD_MODELS.join(", ")}, got "${String(options.podModel)}"`, [
      { field: "podModel", description: `one of ${POD_MODELS.join(", ")}` },
    ]);
  }
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const registry = new ResourceRegistry();
  const apiDir = karmadaApiDir(options.karmadaApiDir);
  const schemas = await loadSchemaCatalog(apiDir);
  if (schemas.empty) {
    options.logger?.info({ dir: apiDir }, "Karmada API definitions not found: the simulator accepts any Karmada object (permissive); set --karmada-api or SMO_KARMADA_API_DIR to enforce the real schemas");
  } else {
    const unchecked = registry.types.filter((t) => !t.builtin && !schemas.schemaOf(t.group, t.version, t.kind)).map((t) => t.kind);
    options.logger?.info({ dir: apiDir, kinds: schemas.crds.map((c) => c.kind), unchecked }, "enforcing the Karmada CRD schemas");
  }
  const store = new ObjectStore({ historySize: options.watchHistory });
  const openapi = buildOpenApi(registry, schemas);
  const ops = new ApiOperations(store, undefined, schemas, (t) => openapi.typeInfo(t));
  for (const ns of SYSTEM_NAMESPACES) ops.ensureNamespace(ns);
  const federation = new SimulatedFederation(store, registry, {
    podStartMs: options.podStartMs ?? 1000,
    podStartJitterMs: options.podStartJitterMs ?? 0,
    podModel: options.podModel ?? "pods",
    random,
    defaultCapacity: { cpu: options.clusterCpu ?? 16, memory: parseBytes(options.clusterMemory ?? "64Gi") ?? 64 * 2 ** 30, gpus: 0, pods: options.clusterPods ?? 1000 },
    logger: options.logger,
  });
  for (const s of specs) federation.addMember(s);

  const control = {
    snapshot: () => federation.snapshot(),
    addCluster: (c: ClusterConfig) => federation.addMember(clusterSpec(c, options)),
    removeCluster: (name: string) => federation.removeMember(name),
    setClusterReady: (name: string, ready: boolean) => federation.setReady(name, ready),
    faults: () => ({ ...faults }),
    setFailRate: (rate: number) => {
      checkRate(rate);
      faults.failRate = rate;
    },
    setLatency: (ms: number) => {
      checkLatency(ms);
      faults.latencyMs = ms;
    },
  };
  const api = createApiServer({
    registry,
    store,
    ops,
    openapi,
    admin: control,
    faults,
    random,
    token: options.token,
    onRequest: options.logger ? (method, path, code) => options.logger!.debug({ method, path, code }, "sim request") : undefined,
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    api.server.once("error", reject);
    api.server.listen(options.port ?? 0, host, () => {
      api.server.off("error", reject);
      resolve();
    });
  });
  const port = (api.server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url, members: specs.map((s) => s.name) }, "simulated Karmada federation listening");

  const mustExist = (name: string, ok: boolean) => {
    if (!ok) throw new Error(`member cluster "${name}" not found`);
  };
  let closed = false;
  return {
    url,
    port,
    schemaSource: schemas.source,
    kubeconfig: () => kubeconfigYaml(url, options.token),
    writeKubeconfig: (path: string) => writeFile(path, kubeconfigYaml(url, options.token), { mode: 0o600 }),
    setClusterReady: (name, ready) => mustExist(name, control.setClusterReady(name, ready)),
    removeCluster: (name) => mustExist(name, control.removeCluster(name)),
    addCluster: control.addCluster,
    setFailRate: control.setFailRate,
    setLatency: control.setLatency,
    snapshot: control.snapshot,
    settle: () => federation.settle(),
    async close() {
      if (closed) return;
      closed = true;
      federation.close();
      api.closeWatches();
      await new Promise<void>((resolve) => {
        api.server.close(() => resolve());
        api.server.closeAllConnections();
      });
    },
  };
}
