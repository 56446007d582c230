// OptimizerService: pure what-if solves (no side effects). Translates proto ↔ solver types and delegates to the
// same solver functions the CLI uses. An infeasible problem is an answer (status INFEASIBLE with the reason),
// not an error; bad input is INVALID_ARGUMENT with field paths named as in the proto's JSON form.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { InvalidArgumentError, type FieldViolation } from "../../core/errors.js";
import {
  DecidePlacementResponseSchema,
  DecideReplicasResponseSchema,
  type DecidePlacementRequest,
  type DecideReplicasRequest,
  type OptimizerService,
} from "../../gen/smo/v1/optimizer_pb.js";
import { PlacementCostSchema, PlacementDecisionSchema, ReplicaDecisionSchema, SolverStatus } from "../../gen/smo/v1/types_pb.js";
import { parseMemoryQuantity } from "../../kernel/quantity.js";
import type { BackendChoice, PlacementProblem, Qos, ReplicaProblem, SolveStatus } from "../../solver/types.js";
import type { Solver } from "../../solver/solver.js";
import { resolveOptimizerLimits, sizeViolations, SolveGate, type OptimizerLimits } from "./optimizer-limits.js";

export interface OptimizerDeps {
  solver: Pick<Solver, "decidePlacement" | "decideReplicas">;
  /** Clock for decided_at; default the system clock. */
  now?: () => Date;
  limits?: Partial<OptimizerLimits>;
}

const STATUS: Record<SolveStatus, SolverStatus> = {
  optimal: SolverStatus.OPTIMAL,
  feasible: SolverStatus.FEASIBLE,
  infeasible: SolverStatus.INFEASIBLE,
};

export function createOptimizerService(deps: OptimizerDeps): ServiceImpl<typeof OptimizerService> {
  const now = deps.now ?? (() => new Date());
  const limits = resolveOptimizerLimits(deps.limits);
  const gate = new SolveGate(limits.maxConcurrent);
  // Public what-ifs run in the pool's normal lane: the elasticity loop's lane stays free for it.
  const opts = (signal: AbortSignal) => ({ signal, lane: "normal" as const });
  return {
    async decidePlacement(req, ctx) {
      const problem = placementProblemFromProto(req, limits);
      const r = await gate.run(() => withProtoPaths(() => deps.solver.decidePlacement(problem, opts(ctx.signal))));
      return create(DecidePlacementResponseSchema, {
        decision: create(PlacementDecisionSchema, {
          status: STATUS[r.status],
          placement: r.placement,
          objective: r.objective,
          reason: r.reason,
          solveMs: r.solveMs,
          strategy: r.strategy,
          backend: r.backend,
          gap: r.gap ?? 0,
          cost: create(PlacementCostSchema, r.cost),
          moved: r.moved,
          decidedAt: timestampFromDate(now()),
        }),
      });
    },
    async decideReplicas(req, ctx) {
      const problem = replicaProblemFromProto(req, limits);
      const r = await gate.run(() => withProtoPaths(() => deps.solver.decideReplicas(problem, opts(ctx.signal))));
      return create(DecideReplicasResponseSchema, {
        decision: create(ReplicaDecisionSchema, {
          status: STATUS[r.status],
          replicas: r.replicas,
          objective: r.objective,
          reason: r.reason,
          solveMs: r.solveMs,
          backend: r.backend,
          gap: r.gap ?? 0,
        }),
      });
    },
  };
}

/** proto3 has no "unset" for scalars: empty memory is "not limited" on a cluster and 0 on a service, replicas 0 is 1. */
export function placementProblemFromProto(req: DecidePlacementRequest, limits = resolveOptimizerLimits()): PlacementProblem {
  const violations: FieldViolation[] = sizeViolations({
    clusters: [req.clusters.length, limits.maxClusters],
    services: [req.services.length, limits.maxServices],
    connections: [req.connections.length, limits.maxPairs],
    coLocation: [req.coLocation.length, limits.maxPairs],
  });
  const memory = (field: string, value: string, absent: number | undefined) => {
    if (value.trim() === "") return absent;
    try {
      return parseMemoryQuantity(value);
    } catch (err) {
      violations.push({ field, description: (err as Error).message });
      return undefined;
    }
  };
  const problem: PlacementProblem = {
    clusters: req.clusters.map((c, i) => ({
      name: c.name,
      cpu: c.cpu,
      memoryBytes: memory(`clusters[${i}].memory`, c.memory, undefined),
      gpu: c.gpu,
      energyCost: c.energyCost,
    })),
    services: req.services.map((s, i) => ({
      name: s.name,
      cpu: s.cpu,
      memoryBytes: memory(`services[${i}].memory`, s.memory, 0),
      gpu: s.gpu,
      replicas: s.replicas === 0 ? 1 : s.replicas,
    })),
    current: { ...req.current },
    coLocation: req.coLocation.map((g) => [...g.services]),
    connections: req.connections.map((k) => ({ from: k.from, to: k.to, qos: (k.qos || undefined) as Qos | undefined })),
    weights: req.weights ? { moves: req.weights.moves, energy: req.weights.energy, traffic: req.weights.traffic } : undefined,
    strategy: req.strategy || undefined,
    backend: (req.backend || undefined) as BackendChoice | undefined,
    timeLimitMs: timeLimit(req.timeLimitSeconds, violations, limits.maxTimeLimitSeconds),
  };
  if (violations.length > 0) throw new InvalidArgumentError(`invalid placement request: ${violations.map((v) => `${v.field} ${v.description}`).join("; ")}`, violations);
  return problem;
}

export function replicaProblemFromProto(req: DecideReplicasRequest, limits = resolveOptimizerLimits()): ReplicaProblem {
  const violations: FieldViolation[] = sizeViolations({ services: [req.services.length, limits.maxServices] });
  const problem: ReplicaProblem = {
    cluster: { cpu: req.cluster?.cpu ?? Number.NaN },
    services: req.services.map((s) => ({
      name: s.name,
      cpu: s.cpu,
      alpha: s.alpha,
      beta: s.beta,
      rate: s.rate,
      current: s.current,
      max: s.max,
      min: s.min === 0 ? 1 : s.min,
    })),
    weights: req.weights ? { util: req.weights.util, trans: req.weights.trans } : undefined,
    backend: (req.backend || undefined) as BackendChoice | undefined,
    timeLimitMs: timeLimit(req.timeLimitSeconds, violations, limits.maxTimeLimitSeconds),
  };
  if (!req.cluster) violations.push({ field: "cluster", description: "is required" });
  if (violations.length > 0) throw new InvalidArgumentError(`invalid replica request: ${violations.map((v) => `${v.field} ${v.description}`).join("; ")}`, violations);
  return problem;
}

function timeLimit(seconds: number, violations: FieldViolation[], max: number): number | undefined {
  if (seconds === 0) return undefined;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > max) {
    violations.push({ field: "timeLimitSeconds", description: `must be between 0 (default 2 s) and ${max}` });
    return undefined;
  }
  return seconds * 1000;
}

/** The solver names some fields after its own types; report them as the proto calls them. */
async function withProtoPaths<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    throw err.withFields((field) => field.replace(/^timeLimitMs$/, "timeLimitSeconds").replace(/\.memoryBytes$/, ".memory"));
  }
}
