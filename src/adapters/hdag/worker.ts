// Worker thread entry: parses, validates, translates and hashes one descriptor per message. The model and the
// document go back as JSON text: a string crosses threads as one copy, while a structured clone of a
// 14,000-key document is rebuilt object by object on the main thread (~100 ms on the loaded test machine),
// which is the blocking this worker exists to avoid. JSON.parse of the same text costs a few ms.
import { parentPort } from "node:worker_threads";
import { loadAndHash } from "../../core/hdag/loader.js";
import type { DescriptorJob, DescriptorReply } from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("the descriptor worker must run in a worker thread");

port.on("message", (job: DescriptorJob) => {
  try {
    const r = loadAndHash(job.text, job.options);
    const result: DescriptorReply = r.ok
      ? { ok: true, model: JSON.stringify(r.model), document: JSON.stringify(r.document), hash: r.hash, warnings: r.warnings }
      : r;
    port.postMessage({ id: job.id, ok: true, result });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ id: job.id, ok: false, error: { name: e.name, message: e.message } });
  }
});
