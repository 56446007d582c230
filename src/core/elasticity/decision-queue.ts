// At most one decision in flight per key (graph + cluster); samples arriving meanwhile are coalesced into one
// follow-up, which keeps the oldest unserved cause so the stage timings stay honest, and is dropped when the
// decision just applied already serves it.
import type { Cause } from "./state.js";

interface Run {
  running: Promise<void>;
  again?: Cause;
}

export class DecisionQueue {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly decide: (key: string, cause: Cause) => Promise<void>,
    /** Whether a follow-up is still needed once the running decision is done. */
    private readonly stillNeeded: (key: string) => boolean,
    private readonly stopped: () => boolean,
  ) {}

  busy(key: string): boolean {
    return this.runs.has(key);
  }

  request(key: string, cause: Cause): void {
    if (this.stopped()) return;
    const run = this.runs.get(key);
    if (run) {
      run.again ??= cause;
      return;
    }
    const entry: Run = { running: Promise.resolve() };
    this.runs.set(key, entry);
    entry.running = (async () => {
      let next: Cause | undefined = cause;
      try {
        while (next && !this.stopped()) {
          entry.again = undefined;
          await this.decide(key, next);
          next = entry.again;
          if (next && !this.stillNeeded(key)) next = undefined;
        }
      } finally {
        this.runs.delete(key);
      }
    })();
  }

  /** Resolves once nothing is in flight (follow-ups queued meanwhile included). */
  async settled(): Promise<void> {
    while (this.runs.size > 0) await Promise.allSettled([...this.runs.values()].map((r) => r.running));
  }
}

export function runKey(graph: string, cluster: string): string {
  return `${graph}\u0000${cluster}`;
}

export function splitRunKey(key: string): { graph: string; cluster: string } {
  const i = key.indexOf("\u0000");
  return { graph: key.slice(0, i), cluster: key.slice(i + 1) };
}
