// createSolver(): the solver as core, the API handlers and the CLI use it. Validation happens here, on the
// caller's thread, so bad input fails fast with typed errors; the solves run in the worker pool (or inline when
// workers is 0, for one-shot processes such as the CLI).
import { availableParallelism } from "node:os";
import { UnavailableError } from "../kernel/errors.js";
import { BackendLoader } from "./backends/load.js";
import { runPlacement, runReplicas } from "./engine.js";
import { WorkerPool, defaultWorkerUrl } from "./pool.js";
import { solveReplicasClosedForm } from "./replicas.js";
import { listStrategies } from "./strategies/registry.js";
import type { DecideOptions, PlacementProblem, PlacementResult, ReplicaProblem, ReplicaResult, StrategyInfo } from "./types.js";
import { normalizePlacementProblem } from "./validate/placement.js";
import { normalizeReplicaProblem } from "./validate/replicas.js";

export interface SolverOptions {
  /** Worker threads; 0 solves on the calling thread (blocks it). Default min(2, cores). */
  workers?: number;
  /** Worker script; default the compiled src/solver/worker.js. */
  workerUrl?: URL;
}

export interface Solver {
  decidePlacement(problem: PlacementProblem, options?: DecideOptions): Promise<PlacementResult>;
  decideReplicas(problem: ReplicaProblem, options?: DecideOptions): Promise<ReplicaResult>;
  listStrategies(): StrategyInfo[];
  /** Stops the workers; later calls reject with UnavailableError. */
  close(): Promise<void>;
}

/** How long past its time limit a solve may run before its worker is presumed stuck and replaced. */
export function watchdogMs(timeLimitMs: number): number {
  return 2 * timeLimitMs + 15_000;
}

export function defaultWorkerCount(): number {
  return Math.min(2, availableParallelism());
}

export function createSolver(options: SolverOptions = {}): Solver {
  const workers = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be a non-negative integer, got ${workers}`);
  return workers === 0 ? inlineSolver() : pooledSolver(new WorkerPool({ size: workers, workerUrl: options.workerUrl ?? defaultWorkerUrl() }));
}

function pooledSolver(pool: WorkerPool): Solver {
  return {
    async decidePlacement(problem, opts = {}) {
      const instance = normalizePlacementProblem(problem);
      const lane = opts.lane ?? "normal";
      return pool.run<PlacementResult>({ kind: "placement", instance }, { watchdogMs: watchdogMs(instance.timeLimitMs), signal: opts.signal, lane });
    },
    async decideReplicas(problem, opts = {}) {
      const instance = normalizeReplicaProblem(problem);
      // Most elasticity decisions have a closed-form answer: no round trip through a worker for those (an
      // aborted call still goes to the pool, which rejects it the usual way).
      const closed = opts.signal?.aborted ? null : solveReplicasClosedForm(instance);
      if (closed) return closed;
      const lane = opts.lane ?? "priority";
      return pool.run<ReplicaResult>({ kind: "replicas", instance }, { watchdogMs: watchdogMs(instance.timeLimitMs), signal: opts.signal, lane });
    },
    listStrategies,
    close: () => pool.close(),
  };
}

function inlineSolver(): Solver {
  const loader = new BackendLoader();
  let closed = false;
  const open = (signal?: AbortSignal) => {
    if (closed) throw new UnavailableError("the solver is closed");
    signal?.throwIfAborted();
  };
  return {
    async decidePlacement(problem, opts = {}) {
      open(opts.signal);
      return runPlacement(normalizePlacementProblem(problem), loader);
    },
    async decideReplicas(problem, opts = {}) {
      open(opts.signal);
      return runReplicas(normalizeReplicaProblem(problem), loader);
    },
    listStrategies,
    async close() {
      closed = true;
    },
  };
}
