// Worker thread entry: receives validated instances, solves them synchronously with wasm backends loaded once
// per thread, posts results back. Nothing here touches the main thread's event loop.
import { parentPort } from "node:worker_threads";
import { BackendLoader } from "./backends/load.js";
import { runPlacement, runReplicas } from "./engine.js";
import type { WorkerRequest, WorkerResponse } from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("solver worker must run in a worker thread");
const loader = new BackendLoader();

port.on("message", (request: WorkerRequest) => {
  const work = request.kind === "placement" ? runPlacement(request.instance, loader) : runReplicas(request.instance, loader);
  work.then(
    (result) => port.postMessage({ id: request.id, ok: true, result } satisfies WorkerResponse),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({ id: request.id, ok: false, error: { name: e.name, message: e.message } } satisfies WorkerResponse);
    },
  );
});
