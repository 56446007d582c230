// Simulator options and the member clusters they describe: N generated members (`member1`…, the first K with
// GPUs) or an explicit list from a config file. Invalid input is an InvalidArgumentError naming the field.
import { InvalidArgumentError, type FieldViolation } from "../core/errors.js";
import type { ClusterSpec } from "./members.js";
import { parseBytes, parseCount, parseQuantity } from "./quantity.js";

export interface ClusterConfig {
  name: string;
  cpu?: number | string;
  memory?: string | number;
  gpus?: number;
  pods?: number;
  region?: string;
  zone?: string;
  labels?: Record<string, string>;
}

export interface SimConfigFile {
  clusters: ClusterConfig[];
}

/** The members of a simulated federation: generated ones, or explicit ones from a config file. */
export interface ClusterOptions {
  /** Generated members member1…memberN (default 3); ignored when `config` is given. */
  clusters?: number;
  /** The first K generated members get GPUs (default 0). */
  gpuClusters?: number;
  /** GPUs on each GPU member (default 4). */
  gpusPerCluster?: number;
  /** Cores per generated member (default 16). */
  clusterCpu?: number;
  /** Memory per generated member (default "64Gi"). */
  clusterMemory?: string;
  /** Pod limit per member (default 1000). */
  clusterPods?: number;
  /** Explicit members (per cluster cpu, memory, gpus, region, labels). */
  config?: SimConfigFile;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function clusterSpecs(o: ClusterOptions): ClusterSpec[] {
  const v: FieldViolation[] = [];
  const cpu = o.clusterCpu ?? 16;
  const memory = parseBytes(o.clusterMemory ?? "64Gi");
  const pods = o.clusterPods ?? 1000;
  if (!(cpu > 0)) v.push({ field: "clusterCpu", description: "must be a positive number of cores" });
  if (memory === undefined || memory <= 0) v.push({ field: "clusterMemory", description: `"${o.clusterMemory}" is not a memory quantity such as 64Gi` });
  if (!Number.isInteger(pods) || pods <= 0) v.push({ field: "clusterPods", description: "must be a positive integer" });

  let specs: ClusterSpec[] = [];
  if (o.config) {
    if (!Array.isArray(o.config.clusters) || o.config.clusters.length === 0) {
      v.push({ field: "config.clusters", description: "must be a non-empty list" });
    } else {
      const seen = new Set<string>();
      o.config.clusters.forEach((c, i) => {
        const f = `config.clusters[${i}]`;
        if (typeof c?.name !== "string" || c.name.length > 48 || !DNS_LABEL.test(c.name)) {
          v.push({ field: `${f}.name`, description: "must be an RFC 1123 label of at most 48 characters" });
          return;
        }
        if (seen.has(c.name)) v.push({ field: `${f}.name`, description: `duplicate cluster name "${c.name}"` });
        seen.add(c.name);
        const ccpu = c.cpu === undefined ? cpu : parseQuantity(c.cpu);
        const cmem = c.memory === undefined ? memory : parseBytes(c.memory);
        const cgpu = c.gpus === undefined ? 0 : parseCount(c.gpus);
        const cpods = c.pods === undefined ? pods : parseCount(c.pods);
        if (ccpu === undefined || !(ccpu > 0)) v.push({ field: `${f}.cpu`, description: "must be a positive CPU quantity" });
        if (cmem === undefined || cmem <= 0) v.push({ field: `${f}.memory`, description: "must be a positive memory quantity" });
        if (cgpu === undefined) v.push({ field: `${f}.gpus`, description: "must be a non-negative integer" });
        if (!cpods) v.push({ field: `${f}.pods`, description: "must be a positive integer" });
        if (c.labels !== undefined && (typeof c.labels !== "object" || Object.values(c.labels).some((x) => typeof x !== "string"))) {
          v.push({ field: `${f}.labels`, description: "must map label keys to string values" });
        }
        specs.push({
          name: c.name,
          cpu: ccpu ?? cpu,
          memory: cmem ?? 0,
          gpus: cgpu ?? 0,
          pods: cpods ?? pods,
          region: c.region,
          zone: c.zone,
          labels: { ...(c.labels ?? {}) },
        });
      });
    }
  } else {
    const n = o.clusters ?? 3;
    const k = o.gpuClusters ?? 0;
    const perGpu = o.gpusPerCluster ?? 4;
    if (!Number.isInteger(n) || n < 0) v.push({ field: "clusters", description: "must be a non-negative integer" });
    if (!Number.isInteger(k) || k < 0 || k > n) v.push({ field: "gpuClusters", description: `must be an integer between 0 and clusters (${n})` });
    if (!Number.isInteger(perGpu) || perGpu < 0) v.push({ field: "gpusPerCluster", description: "must be a non-negative integer" });
    if (v.length === 0) {
      specs = Array.from({ length: n }, (_, i) => ({
        name: `member${i + 1}`,
        cpu,
        memory: memory!,
        gpus: i < k ? perGpu : 0,
        pods,
        labels: {},
      }));
    }
  }
  if (v.length) throw new InvalidArgumentError(`invalid simulator configuration: ${v.map((x) => `${x.field}: ${x.description}`).join("; ")}`, v);
  return specs;
}

/** One member from admin input (POST /sim/v1/clusters or Sim.addCluster), with the same defaults. */
export function clusterSpec(c: ClusterConfig, defaults: ClusterOptions = {}): ClusterSpec {
  return clusterSpecs({ ...defaults, config: { clusters: [c] } })[0]!;
}
