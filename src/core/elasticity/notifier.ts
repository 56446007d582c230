// Wakes stream readers (WatchDecisions) when a new row is written, so they re-read the table instead of polling
// it tightly. The table stays the source of truth. A version counter closes the lost-wake-up gap: a reader
// passes the version it saw before reading, and a notify that happened meanwhile makes wait() return at once.

export class ChangeNotifier {
  private waiters = new Set<() => void>();
  private counter = 0;

  /** Increases on every notify. */
  get version(): number {
    return this.counter;
  }

  notify(): void {
    this.counter++;
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** Resolves on the next notify (or at once if one happened since `seen`), after `timeoutMs`, or on abort. */
  wait(timeoutMs: number, signal?: AbortSignal, seen?: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted || (seen !== undefined && seen !== this.counter)) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
