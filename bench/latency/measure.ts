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
  for (let i = 0; i < budget.warmupCalls; i++) await call();
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
