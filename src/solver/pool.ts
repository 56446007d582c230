// A fixed-size pool of worker threads running solves, so a 2 s MILP never stalls the gRPC event loop.
// Workers start on demand and are replaced when one crashes, overruns its watchdog or is aborted mid-solve;
// close() stops them all and rejects whatever is still queued.
// Two lanes: "priority" jobs (the elasticity loop's small replica solves) go first in the queue and may use a
// reserved worker that "normal" jobs (placements, OptimizerService what-ifs) never occupy, so two long
// placements cannot make a replica decision wait for their time limit (measured before: 6.05 s instead of 8 ms).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { TimeoutError, UnavailableError } from "../kernel/errors.js";

export type Lane = "priority" | "normal";

export interface PoolOptions {
  /** Workers normal jobs may occupy at once. */
  size: number;
  /** Extra workers only priority jobs use (default 1); kept once started. */
  reserved?: number;
  /** Script each worker runs; it answers {id, ok, result|error} to each {id, ...} message. */
  workerUrl: URL;
}

export interface RunOptions {
  /** The worker is killed and the call rejected when no answer came within this many ms. */
  watchdogMs: number;
  signal?: AbortSignal;
  /** Default "normal". */
  lane?: Lane;
}

interface Job {
  id: number;
  lane: Lane;
  message: { id: number };
  watchdogMs: number;
  signal?: AbortSignal;
  onAbort?: () => void;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
  dead: boolean;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { name: string; message: string } };

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new RangeError(`pool size must be a positive integer, got ${options.size}`);
  }

  /** Sends `message` (an id is added) to a free worker; resolves with its result. */
  run<T>(message: object, options: RunOptions): Promise<T> {
    if (this.closed) return Promise.reject(new UnavailableError("the solver is closed"));
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    return new Promise<T>((resolve, reject) => {
      const id = this.nextId++;
      const job: Job = { id, lane: options.lane ?? "normal", message: { ...message, id }, watchdogMs: options.watchdogMs, signal: options.signal, resolve: resolve as (v: unknown) => void, reject };
      if (options.signal) {
        job.onAbort = () => this.abort(job);
        options.signal.addEventListener("abort", job.onAbort, { once: true });
      }
      // Priority jobs queue ahead of every normal one, in their own arrival order.
      if (job.lane === "priority") {
        const firstNormal = this.queue.findIndex((j) => j.lane === "normal");
        this.queue.splice(firstNormal < 0 ? this.queue.length : firstNormal, 0, job);
      } else {
        this.queue.push(job);
      }
      this.dispatch();
    });
  }

  /** Number of live worker threads (for tests and metrics). */
  get threads(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new UnavailableError("the solver was closed"));
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.dead = true;
      if (slot.timer) clearTimeout(slot.timer);
      if (slot.job) this.settle(slot.job, new UnavailableError("the solver was closed"));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Normal jobs running: at most `size`, whatever the number of workers. */
  private get busyNormal(): number {
    return this.slots.filter((s) => s.job?.lane === "normal").length;
  }

  private dispatch(): void {
    const limit = this.options.size + (this.options.reserved ?? 1);
    while (this.queue.length > 0) {
      // The head is a priority job when any is queued; a normal head waits while `size` normal jobs run.
      const head = this.queue[0]!;
      if (head.lane === "normal" && this.busyNormal >= this.options.size) return;
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < limit) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.kill(slot!, new TimeoutError(`the solver did not answer within ${job.watchdogMs} ms; its worker was restarted`)), job.watchdogMs);
      // Only a worker with a job keeps the process alive; idle ones do not block exit.
      slot.worker.ref();
      slot.worker.postMessage(job.message);
    }
  }

  private spawn(): Slot {
    const worker = new Worker(this.options.workerUrl);
    const slot: Slot = { worker, dead: false };
    worker.on("message", (reply: Reply) => {
      const job = slot.job;
      if (!job || reply.id !== job.id) return;
      this.release(slot);
      this.settle(job, reply.ok ? undefined : rebuildError(reply.error), reply.ok ? reply.result : undefined);
      this.dispatch();
    });
    worker.on("error", (err) => this.kill(slot, new UnavailableError(`solver worker crashed: ${err.message}`)));
    worker.on("exit", (code) => this.kill(slot, new UnavailableError(`solver worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  /** Takes a worker out of the pool, rejects its job and lets a new worker take the queue. */
  private kill(slot: Slot, reason: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    const job = slot.job;
    this.release(slot);
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    void slot.worker.terminate();
    if (job) this.settle(job, reason);
    if (!this.closed) this.dispatch();
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, abortReason(job.signal!));
      return;
    }
    // Running: a synchronous wasm solve cannot be interrupted, so its worker is replaced.
    const slot = this.slots.find((s) => s.job === job);
    if (slot) this.kill(slot, abortReason(job.signal!));
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker.unref();
  }

  private settle(job: Job, error: Error | undefined, result?: unknown): void {
    if (job.onAbort) job.signal?.removeEventListener("abort", job.onAbort);
    if (error) job.reject(error);
    else job.resolve(result);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("the solve was aborted");
}

function rebuildError(e: { name: string; message: string }): Error {
  const err = e.name === "TimeoutError" ? new TimeoutError(e.message) : new Error(e.message);
  return err;
}

/**
 * The compiled worker script. Next to this module when running from dist; when running from the TypeScript
 * sources (vitest), the compiled copy in dist/ (workers cannot load .ts files on Node 20).
 */
export function defaultWorkerUrl(): URL {
  const sibling = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const compiled = new URL(import.meta.url.replace(/\/src\/solver\/[^/]+$/, "/dist/src/solver/worker.js"));
  if (existsSync(fileURLToPath(compiled))) return compiled;
  throw new UnavailableError(`the solver worker script is not built (looked for ${fileURLToPath(sibling)}); run: npx tsc -p tsconfig.json`);
}
