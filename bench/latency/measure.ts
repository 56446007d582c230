// Timing loops of the latency bench: sequential calls, and N workers keeping N calls in flight.
// Bounded by a call count and a wall-clock budget, whichever ends first.

export interface ModeResult {
  calls: number;
  p50Us: number;
  p99Us: number;
  callsPerSecond: number;
}

export interface Budget {
  warmupCalls: number;
  /** Ends the warm-up early (a slow call must not turn a few hundred warm-up calls into minutes). */
  warmupMaxMs?: number;
  /** measureInTurns: rounds to complete even past maxMs, so that a slow call still gets a p99 worth the name. */
  minCalls?: number;
  maxCalls: number;
  maxMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summarize(latenciesUs: number[], wallMs: number): ModeResult {
  const sorted = Float64Array.from(latenciesUs).sort();
  return {
    calls: sorted.length,
    p50Us: Math.round(percentile(sorted, 50) * 10) / 10,
    p99Us: Math.round(percentile(sorted, 99) * 10) / 10,
    callsPerSecond: Math.round(sorted.length / (wallMs / 1000)),
  };
}

/** `concurrency` workers each issue calls back to back; latency is per call, throughput over the wall time. */
export async function measure(call: () => Promise<unknown>, concurrency: number, budget: Budget): Promise<ModeResult> {
  const warm = performance.now() + (budget.warmupMaxMs ?? Infinity);
  for (let i = 0; i < budget.warmupCalls && performance.now() < warm; i++) await call();
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + budget.maxMs;
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < budget.maxCalls && performance.now() < deadline) {
      issued++;
      const t0 = process.hrtime.bigint();
      await call();
      latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summarize(latencies, performance.now() - start);
}

/**
 * Sequential calls taking turns, one of each per round in a shuffled order, so that every row of a channel sees the
 * same background load (the box is shared): a slow second for the machine slows all rows alike and their ratios stay
 * meaningful.
 */
export async function measureInTurns(calls: [string, () => Promise<unknown>][], budget: Budget): Promise<Map<string, ModeResult>> {
  const warm = performance.now() + (budget.warmupMaxMs ?? Infinity);
  for (let i = 0; i < budget.warmupCalls && performance.now() < warm; i++) for (const [, call] of calls) await call();
  const latencies = calls.map(() => [] as number[]);
  const start = performance.now();
  const deadline = start + budget.maxMs;
  const order = calls.map((_, i) => i);
  for (let round = 0; round < budget.maxCalls && (performance.now() < deadline || round < (budget.minCalls ?? 0)); round++) {
    // A fresh order each round: the after-effects of a heavy call (the server's GC) land on every row alike, not
    // always on the row that follows it.
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const i of order) {
      const t0 = process.hrtime.bigint();
      await calls[i]![1]();
      latencies[i]!.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  const wallMs = performance.now() - start;
  return new Map(calls.map(([name], i) => [name, summarize(latencies[i]!, wallMs)]));
}
