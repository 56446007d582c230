// ReplicaProblem → ReplicaInstance, every field checked with its path.
import { InvalidArgumentError } from "../../kernel/errors.js";
import type { ReplicaInstance, ReplicaServiceSpec } from "../instance.js";
import { DEFAULT_REPLICA_WEIGHTS, DEFAULT_TIME_LIMIT_MS, MAX_TIME_LIMIT_MS, type ReplicaProblem } from "../types.js";
import { Violations } from "./fields.js";
import { backendChoice } from "./placement.js";

export function normalizeReplicaProblem(problem: ReplicaProblem): ReplicaInstance {
  const v = new Violations();
  if (typeof problem !== "object" || problem === null) throw new InvalidArgumentError("invalid replica problem: must be an object", [{ field: "", description: "must be an object" }]);
  const cluster = v.requiredObject("cluster", problem.cluster);
  const clusterCpu = cluster ? v.number("cluster.cpu", cluster.cpu, { min: 0 }) : undefined;
  const seen = new Map<string, number>();
  const services = v.array("services", problem.services, true).map((raw, i): Partial<ReplicaServiceSpec> => {
    const path = `services[${i}]`;
    const s = v.requiredObject(path, raw);
    if (!s) return {};
    const name = v.name(`${path}.name`, s.name);
    if (name !== undefined) {
      if (seen.has(name)) v.add(`${path}.name`, `duplicates services[${seen.get(name)}] "${name}"`);
      else seen.set(name, i);
    }
    const max = v.number(`${path}.max`, s.max, { min: 1, integer: true });
    const min = v.optionalNumber(`${path}.min`, s.min, 1, { min: 1, integer: true });
    if (max !== undefined && min > max) v.add(`${path}.min`, `must be ≤ max (${max})`);
    return {
      name,
      cpu: v.number(`${path}.cpu`, s.cpu, { min: 0 }),
      alpha: v.number(`${path}.alpha`, s.alpha, { above: 0 }),
      beta: v.optionalNumber(`${path}.beta`, s.beta, 0),
      rate: v.number(`${path}.rate`, s.rate, { min: 0 }),
      current: v.optionalNumber(`${path}.current`, s.current, 0, { min: 0, integer: true }),
      min,
      max,
    };
  });
  const w = v.object("weights", problem.weights) ?? {};
  const weights = {
    util: v.optionalNumber("weights.util", w.util, DEFAULT_REPLICA_WEIGHTS.util, { min: 0 }),
    trans: v.optionalNumber("weights.trans", w.trans, DEFAULT_REPLICA_WEIGHTS.trans, { min: 0 }),
  };
  const backend = backendChoice(v, problem.backend);
  const timeLimitMs = v.optionalNumber("timeLimitMs", problem.timeLimitMs, DEFAULT_TIME_LIMIT_MS, { above: 0, max: MAX_TIME_LIMIT_MS });
  v.throwIfAny("replica problem");
  return { clusterCpu: clusterCpu!, services: services as ReplicaServiceSpec[], weights, backend, timeLimitMs };
}
