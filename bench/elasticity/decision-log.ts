// Collects the decision stream (a decision arrives again, same id, once ready) and lets the bench wait for one.
import type { DecisionView } from "./target.js";

export class DecisionLog {
  private readonly byId = new Map<number, DecisionView>();
  private waiters: (() => void)[] = [];

  add(d: DecisionView): void {
    this.byId.set(d.id, { ...this.byId.get(d.id), ...d });
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  of(graph: string, service?: string): DecisionView[] {
    return [...this.byId.values()].filter((d) => d.graph === graph && (!service || d.service === service)).sort((a, b) => a.id - b.id);
  }

  /** Resolves with the first value `probe` returns, re-checked on every decision; undefined after timeoutMs. */
  async until<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
