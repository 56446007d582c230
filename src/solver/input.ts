// The JSON file formats of `smo place` and `smo scale` (memory as Kubernetes quantities, cpu as cores or a
// quantity like "500m", cluster gpu as a count or a boolean) turned into solver problems. Unknown fields are
// rejected so a typo is reported instead of silently ignored ("description" is free text for people); the
// solver then validates the values.
import { InvalidArgumentError } from "../kernel/errors.js";
import { parseMemoryQuantity, parseQuantity } from "../kernel/quantity.js";
import type { PlacementProblem, ReplicaProblem } from "./types.js";
import { Violations } from "./validate/fields.js";
import { normalizePlacementProblem } from "./validate/placement.js";

const PLACEMENT_KEYS = ["description", "clusters", "services", "current", "coLocation", "connections", "weights", "strategy", "backend", "timeLimitMs"];
const CLUSTER_KEYS = ["name", "cpu", "memory", "gpu", "energyCost"];
const SERVICE_KEYS = ["name", "cpu", "memory", "gpu", "replicas"];
const REPLICA_KEYS = ["description", "cluster", "services", "weights", "backend", "timeLimitMs"];
const REPLICA_SERVICE_KEYS = ["name", "cpu", "alpha", "beta", "rate", "current", "max", "min"];

export function placementProblemFromJson(json: unknown): PlacementProblem {
  const v = new Violations();
  const top = topLevel(json, "placement problem");
  unknownKeys(v, "", top, PLACEMENT_KEYS);
  const clusters = v.array("clusters", top.clusters, true).map((raw, i) => {
    const c = item(v, `clusters[${i}]`, raw, CLUSTER_KEYS);
    return { ...c, cpu: cores(v, `clusters[${i}].cpu`, c.cpu), memoryBytes: memory(v, `clusters[${i}].memory`, c.memory), memory: undefined };
  });
  const services = v.array("services", top.services, true).map((raw, i) => {
    const s = item(v, `services[${i}]`, raw, SERVICE_KEYS);
    return { ...s, cpu: cores(v, `services[${i}].cpu`, s.cpu), memoryBytes: memory(v, `services[${i}].memory`, s.memory), memory: undefined };
  });
  const { description: _description, ...rest } = top;
  const problem = { ...rest, clusters, services } as unknown as PlacementProblem;
  if (v.list.length > 0) {
    // Report the solver's own complaints too, so one run lists every problem in the file.
    try {
      normalizePlacementProblem(problem);
    } catch (err) {
      if (err instanceof InvalidArgumentError) for (const x of err.violations) if (!v.list.some((y) => y.field === x.field)) v.add(x.field, x.description);
    }
  }
  v.throwIfAny("placement file");
  return problem;
}

export function replicaProblemFromJson(json: unknown): ReplicaProblem {
  const v = new Violations();
  const top = topLevel(json, "replica problem");
  unknownKeys(v, "", top, REPLICA_KEYS);
  const cluster = v.requiredObject("cluster", top.cluster);
  if (cluster) unknownKeys(v, "cluster", cluster, ["cpu"]);
  const services = v.array("services", top.services, true).map((raw, i) => {
    const s = item(v, `services[${i}]`, raw, REPLICA_SERVICE_KEYS);
    return { ...s, cpu: cores(v, `services[${i}].cpu`, s.cpu) };
  });
  v.throwIfAny("scale file");
  const { description: _description, ...rest } = top;
  return { ...rest, cluster: cluster ? { ...cluster, cpu: cores(v, "cluster.cpu", cluster.cpu) } : undefined, services } as unknown as ReplicaProblem;
}

function topLevel(json: unknown, what: string): Record<string, unknown> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new InvalidArgumentError(`invalid ${what}: the file must hold a JSON object`, [{ field: "", description: "must be a JSON object" }]);
  }
  return json as Record<string, unknown>;
}

function item(v: Violations, path: string, raw: unknown, keys: string[]): Record<string, unknown> {
  const o = v.requiredObject(path, raw);
  if (!o) return {};
  unknownKeys(v, path, o, keys);
  return o;
}

function unknownKeys(v: Violations, path: string, o: Record<string, unknown>, keys: string[]): void {
  for (const key of Object.keys(o)) if (!keys.includes(key)) v.add(path ? `${path}.${key}` : key, `is not a known field (known: ${keys.join(", ")})`);
}

/** Cores as a number or a quantity string ("500m", "2"); other values pass through for the solver to reject. */
function cores(v: Violations, path: string, value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return parseQuantity(value);
  } catch (err) {
    v.add(path, (err as Error).message);
    return undefined;
  }
}

function memory(v: Violations, path: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") {
    v.add(path, "must be a Kubernetes quantity (e.g. 512Mi, 8Gi) or a number of bytes");
    return undefined;
  }
  try {
    return parseMemoryQuantity(value);
  } catch (err) {
    v.add(path, (err as Error).message);
    return undefined;
  }
}
