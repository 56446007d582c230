// What `smo serve` still has to finish after it started serving (docs/operations.md#start-up): the steps that
// converge the federation with the store (inventory, outbox resume, drift repair, the demo graph) run after the
// listeners are up, so a slow or unreachable Karmada never delays reads. Health reports the steps left.
import type { Logger } from "../observability/logger.js";

export class StartupProgress {
  private readonly left: Set<string>;
  private readonly startedAt = Date.now();

  /** `steps`: every step that will run, in order; `onFinished` is called once the last one ends. */
  constructor(
    steps: readonly string[],
    private readonly logger: Logger,
    private readonly onFinished: () => void = () => undefined,
  ) {
    this.left = new Set(steps);
  }

  /** The steps not finished yet, in order (empty once start-up is complete). */
  pending(): string[] {
    return [...this.left];
  }

  /** Runs one step; a failure is logged (the step's own retry path takes over), never thrown. */
  async run(step: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.warn({ err, step }, "start-up step failed; it is retried by its own path");
    } finally {
      this.finish(step);
    }
  }

  /** Marks a step as not needed (or done elsewhere). */
  finish(step: string): void {
    if (!this.left.delete(step) || this.left.size > 0) return;
    this.logger.info({ ms: Date.now() - this.startedAt }, "start-up finished: federation converged with the store");
    this.onFinished();
  }
}
