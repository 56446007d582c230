// Parent side of smo-child-main: a SmoTarget whose smo runs in a forked Node process.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SeedGraph } from "./seed.js";
import { stopChild } from "./sim-process.js";
import type { InProcessOptions } from "./smo-inprocess.js";
import type { DecisionView, SmoTarget } from "./target.js";

export interface Usage {
  userMicros: number;
  systemMicros: number;
  rss: number;
  at: number;
}

export interface ChildSmo extends SmoTarget {
  child: ChildProcess;
  deployMany(graphs: SeedGraph[], concurrency: number, options?: { waitReady?: boolean }): Promise<void>;
  usage(): Promise<Usage>;
  /** Sends a report without waiting for its answer (the load driver's fire-and-forget push); errors are counted. */
  reportNoWait(samples: Parameters<SmoTarget["report"]>[0]): void;
  errors(): number;
}

export async function startChildSmo(opts: InProcessOptions): Promise<ChildSmo> {
  const child = fork(fileURLToPath(new URL("./smo-child-main.js", import.meta.url)), [], {
    env: { ...process.env, SMO_CHILD_OPTIONS: JSON.stringify(opts) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
    // SMO_BENCH_CPU_PROF=<dir>: a V8 CPU profile of the smo child, written there when it exits.
    execArgv: process.env.SMO_BENCH_CPU_PROF ? [...process.execArgv, "--cpu-prof", `--cpu-prof-dir=${process.env.SMO_BENCH_CPU_PROF}`] : process.execArgv,
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: ((d: DecisionView) => void)[] = [];
  let nextId = 1;
  let errors = 0;
  let description = "";
  const ready = new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`smo child exited with ${code}`)));
    child.on("message", (raw) => {
      const msg = raw as { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string; d?: DecisionView; description?: string };
      if (msg.event === "ready") {
        description = msg.description ?? "child process";
        resolve();
      } else if (msg.event === "decision") {
        for (const l of listeners) l(msg.d!);
      } else if (msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.ok) p?.resolve(msg.result);
        else p?.reject(new Error(msg.error));
      }
    });
  });
  await ready;
  const call = <T>(op: string, body: object = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, ...body });
    });
  const wire = (samples: Parameters<SmoTarget["report"]>[0]) => samples.map((s) => ({ ...s, observedAt: s.observedAt.getTime() }));
  return {
    get description() {
      return description;
    },
    pid: child.pid!,
    child,
    async deployGraph(graph) {
      await call("deploy", { graphs: [graph], concurrency: 1 });
    },
    async deployMany(graphs, concurrency, options) {
      await call("deploy", { graphs, concurrency, waitReady: options?.waitReady });
    },
    async report(samples) {
      await call("report", { samples: wire(samples) });
    },
    reportNoWait(samples) {
      call("report", { samples: wire(samples) }).catch(() => errors++);
    },
    errors: () => errors,
    usage: () => call<Usage>("usage"),
    onDecision(listener) {
      listeners.push(listener);
    },
    async close() {
      await Promise.race([call("close"), new Promise((r) => setTimeout(r, 15_000))]).catch(() => undefined);
      await stopChild(child);
    },
  };
}
