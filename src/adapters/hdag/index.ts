// Descriptor loading away from the event loop.
export { createWorkerDescriptorLoader, WORKER_THRESHOLD_BYTES, type WorkerDescriptorLoader, type WorkerDescriptorLoaderOptions } from "./worker-loader.js";
