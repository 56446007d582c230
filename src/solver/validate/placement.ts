// PlacementProblem → PlacementInstance: every field checked with its path, names resolved to indices,
// overlapping co-location groups merged, weights completed from the strategy's defaults.
import { InvalidArgumentError } from "../../kernel/errors.js";
import { GONE, NO_CURRENT, type ClusterSpec, type PlacementConnectionSpec, type PlacementInstance, type ServiceSpec } from "../instance.js";
import { findStrategy, strategyNames } from "../strategies/registry.js";
import { DEFAULT_TIME_LIMIT_MS, MAX_TIME_LIMIT_MS, QOS_WEIGHT, type PlacementProblem, type Qos } from "../types.js";
import { Violations } from "./fields.js";

export const BACKEND_CHOICES = ["auto", "glpk", "highs"] as const;

export function normalizePlacementProblem(problem: PlacementProblem): PlacementInstance {
  const v = new Violations();
  if (typeof problem !== "object" || problem === null) throw new InvalidArgumentError("invalid placement problem: must be an object", [{ field: "", description: "must be an object" }]);
  const strategyName = problem.strategy === undefined || problem.strategy === "" ? "optimal" : problem.strategy;
  const strategy = findStrategy(strategyName);
  if (!strategy) throw unknownStrategy(strategyName);

  const clusters = v.array("clusters", problem.clusters, true).map((c, i) => cluster(v, `clusters[${i}]`, c));
  const services = v.array("services", problem.services, true).map((s, i) => service(v, `services[${i}]`, s));
  const clusterIndex = uniqueIndex(v, "clusters", clusters);
  const serviceIndex = uniqueIndex(v, "services", services);

  const current = services.map(() => NO_CURRENT);
  const currentInput = v.object("current", problem.current);
  for (const [svc, cl] of Object.entries(currentInput ?? {})) {
    const s = serviceIndex.get(svc);
    if (s === undefined) v.add(`current.${svc}`, "is not one of the services");
    else if (typeof cl !== "string" || cl === "") v.add(`current.${svc}`, "must be a cluster name");
    else current[s] = clusterIndex.get(cl) ?? GONE;
  }

  const groups = v.array("coLocation", problem.coLocation, false).map((g, i) => {
    const members = v.array(`coLocation[${i}]`, g, true).map((name, j) => {
      const s = typeof name === "string" ? serviceIndex.get(name) : undefined;
      if (s === undefined) v.add(`coLocation[${i}][${j}]`, "is not one of the services");
      return s;
    });
    if (members.length < 2) v.add(`coLocation[${i}]`, "must list at least two services");
    return members.filter((s): s is number => s !== undefined);
  });

  const connections: PlacementConnectionSpec[] = [];
  v.array("connections", problem.connections, false).forEach((raw, i) => {
    const path = `connections[${i}]`;
    const c = v.requiredObject(path, raw);
    if (!c) return;
    const from = typeof c.from === "string" ? serviceIndex.get(c.from) : undefined;
    const to = typeof c.to === "string" ? serviceIndex.get(c.to) : undefined;
    if (from === undefined) v.add(`${path}.from`, "is not one of the services");
    if (to === undefined) v.add(`${path}.to`, "is not one of the services");
    const qos = c.qos === undefined || c.qos === "" ? "best-effort" : c.qos;
    if (typeof qos !== "string" || !(qos in QOS_WEIGHT)) v.add(`${path}.qos`, `must be one of ${Object.keys(QOS_WEIGHT).join(", ")}`);
    // A service calling itself is never split across clusters: it adds nothing to the model.
    else if (from !== undefined && to !== undefined && from !== to) connections.push({ from, to, weight: QOS_WEIGHT[qos as Qos] });
  });

  const w = v.object("weights", problem.weights) ?? {};
  const d = strategy.defaultWeights;
  const weights = {
    moves: v.optionalNumber("weights.moves", w.moves, d.moves, { min: 0 }),
    energy: v.optionalNumber("weights.energy", w.energy, d.energy, { min: 0 }),
    traffic: v.optionalNumber("weights.traffic", w.traffic, d.traffic, { min: 0 }),
  };
  const backend = backendChoice(v, problem.backend);
  const timeLimitMs = v.optionalNumber("timeLimitMs", problem.timeLimitMs, DEFAULT_TIME_LIMIT_MS, { above: 0, max: MAX_TIME_LIMIT_MS });
  v.throwIfAny("placement problem");

  return {
    clusters: clusters as ClusterSpec[],
    services: services as ServiceSpec[],
    current,
    coLocation: mergeGroups(groups, services.length),
    connections,
    weights,
    strategy: strategy.name,
    backend,
    timeLimitMs,
  };
}

export function unknownStrategy(name: string): InvalidArgumentError {
  const known = strategyNames().join(", ");
  return new InvalidArgumentError(`unknown strategy "${name}"; known strategies: ${known}`, [
    { field: "strategy", description: `unknown strategy "${name}"; known: ${known}` },
  ]);
}

export function backendChoice(v: Violations, value: unknown): PlacementInstance["backend"] {
  if (value === undefined || value === null || value === "") return "auto";
  if (typeof value === "string" && (BACKEND_CHOICES as readonly string[]).includes(value)) return value as PlacementInstance["backend"];
  v.add("backend", `must be one of ${BACKEND_CHOICES.join(", ")}`);
  return "auto";
}

function cluster(v: Violations, path: string, raw: unknown): Partial<ClusterSpec> {
  const c = v.requiredObject(path, raw);
  if (!c) return {};
  let gpus = 0;
  if (c.gpu === true) gpus = Infinity;
  else if (c.gpu !== undefined && c.gpu !== null && c.gpu !== false) gpus = v.number(`${path}.gpu`, c.gpu, { min: 0, integer: true }) ?? 0;
  return {
    name: v.name(`${path}.name`, c.name),
    cpu: v.number(`${path}.cpu`, c.cpu, { min: 0 }),
    memoryBytes: v.optionalNumber(`${path}.memoryBytes`, c.memoryBytes, Infinity, { min: 0 }),
    gpus,
    energyCost: v.optionalNumber(`${path}.energyCost`, c.energyCost, 0, { min: 0 }),
  };
}

function service(v: Violations, path: string, raw: unknown): Partial<ServiceSpec> {
  const s = v.requiredObject(path, raw);
  if (!s) return {};
  let gpus = 0;
  if (s.gpu === true) gpus = 1;
  else if (s.gpu !== undefined && s.gpu !== null && s.gpu !== false) gpus = v.number(`${path}.gpu`, s.gpu, { min: 0, integer: true }) ?? 0;
  return {
    name: v.name(`${path}.name`, s.name),
    cpu: v.number(`${path}.cpu`, s.cpu, { min: 0 }),
    memoryBytes: v.optionalNumber(`${path}.memoryBytes`, s.memoryBytes, 0, { min: 0 }),
    gpus,
    replicas: v.optionalNumber(`${path}.replicas`, s.replicas, 1, { min: 1, integer: true }),
  };
}

function uniqueIndex(v: Violations, list: string, items: { name?: string | undefined }[]): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.name === undefined) return;
    if (index.has(item.name)) v.add(`${list}[${i}].name`, `duplicates ${list}[${index.get(item.name)}] "${item.name}"`);
    else index.set(item.name, i);
  });
  return index;
}

/** Union-find over service indices: a-b and b-c become one group {a,b,c}. */
function mergeGroups(groups: number[][], n: number): number[][] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const g of groups) for (let k = 1; k < g.length; k++) parent[find(g[k]!)] = find(g[0]!);
  const byRoot = new Map<number, number[]>();
  for (const g of groups) for (const s of g) byRoot.set(find(s), [...new Set([...(byRoot.get(find(s)) ?? []), s])]);
  return [...byRoot.values()].map((g) => g.sort((a, b) => a - b)).filter((g) => g.length >= 2).sort((a, b) => a[0]! - b[0]!);
}
