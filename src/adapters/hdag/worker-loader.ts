// A DescriptorLoader that parses large descriptors on worker threads, so that thirty concurrent 500 KB deploys
// do not hold the event loop (health probes, other calls, the elasticity loop) for seconds. Small texts, the
// usual case (the corpus's largest is ~10 KiB), stay on the calling thread: a worker round trip would cost more
// than their parse. Findings are those of loadDescriptor, field paths, lines and columns included.
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { LoadOptions } from "../../core/hdag/load.js";
import { loadAndHash, type DescriptorLoader, type DescriptorLoadResult } from "../../core/hdag/loader.js";
import type { GraphModel } from "../../core/hdag/model.js";
import { UnavailableError } from "../../kernel/errors.js";
import { WorkerPool } from "../../solver/pool.js";
import type { DescriptorReply } from "./protocol.js";

/** Texts from this size up are parsed on a worker (a 64 KiB descriptor parses in a few ms). */
export const WORKER_THRESHOLD_BYTES = 64 * 1024;
/** A worker that has not answered by then is replaced and the call fails (a 1 MiB descriptor takes ~1 s). */
const WATCHDOG_MS = 60_000;

export interface WorkerDescriptorLoaderOptions {
  /** Worker threads (default: one less than the cores, at least 1, at most 2). */
  threads?: number;
  thresholdBytes?: number;
}

export interface WorkerDescriptorLoader extends DescriptorLoader {
  close(): Promise<void>;
}

export function createWorkerDescriptorLoader(options: WorkerDescriptorLoaderOptions = {}): WorkerDescriptorLoader {
  const threads = options.threads ?? Math.max(1, Math.min(2, availableParallelism() - 1));
  const threshold = options.thresholdBytes ?? WORKER_THRESHOLD_BYTES;
  const pool = new WorkerPool({ size: threads, reserved: 0, workerUrl: descriptorWorkerUrl() });
  return {
    async load(text: string, opts: LoadOptions): Promise<DescriptorLoadResult> {
      // String length bounds the UTF-8 size from below: a cheap test that never sends small texts away.
      if (text.length < threshold) return loadAndHash(text, opts);
      const reply = await pool.run<DescriptorReply>({ text, options: opts }, { watchdogMs: WATCHDOG_MS });
      if (!reply.ok) return reply;
      return { ok: true, model: JSON.parse(reply.model) as GraphModel, document: JSON.parse(reply.document) as unknown, hash: reply.hash, warnings: reply.warnings };
    },
    close: () => pool.close(),
  };
}

/** Next to this module in dist; from the TypeScript sources (vitest), the compiled copy in dist/. */
function descriptorWorkerUrl(): URL {
  const sibling = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const compiled = new URL(import.meta.url.replace(/\/src\/adapters\/hdag\/[^/]+$/, "/dist/src/adapters/hdag/worker.js"));
  if (existsSync(fileURLToPath(compiled))) return compiled;
  throw new UnavailableError(`the descriptor worker script is not built (looked for ${fileURLToPath(sibling)}); run: npx tsc -p tsconfig.json`);
}
