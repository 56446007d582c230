// Loads each backend's wasm at most once per owner (one loader per worker thread, or per inline solver).
import type { BackendName } from "../types.js";
import type { Backend } from "./backend.js";

export class BackendLoader {
  private readonly loaded = new Map<BackendName, Promise<Backend>>();

  load(name: BackendName): Promise<Backend> {
    let backend = this.loaded.get(name);
    if (!backend) {
      backend = name === "glpk"
        ? import("./glpk.js").then((m) => m.loadGlpk())
        : import("./highs.js").then((m) => m.loadHighsBackend());
      // A failed load is not cached, so the next call retries.
      backend.catch(() => this.loaded.delete(name));
      this.loaded.set(name, backend);
    }
    return backend;
  }

  /** Drops a backend whose wasm state may be corrupt (it threw mid-solve); the next load starts fresh. */
  discard(name: BackendName): void {
    this.loaded.delete(name);
  }
}
