// smo_event_loop_delay_seconds: a blocked event loop shows on /metrics as a max near the blocking time.
import { describe, expect, it } from "vitest";
import { createRegistry, eventLoopDelayMetric } from "../../src/observability/metrics.js";

describe("smo_event_loop_delay_seconds", () => {
  it("reports the delay since the previous scrape, then resets", async () => {
    const registry = createRegistry({ processMetrics: false });
    const stop = eventLoopDelayMetric(registry);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const end = Date.now() + 200;
      while (Date.now() < end); // block the loop for 200 ms
      await new Promise((r) => setTimeout(r, 50));
      const text = await registry.metrics();
      const max = Number(/smo_event_loop_delay_seconds\{quantile="max"\} ([0-9.e-]+)/.exec(text)?.[1]);
      expect(max).toBeGreaterThanOrEqual(0.15);
      expect(text).toMatch(/quantile="0.99"/);
    } finally {
      stop();
    }
    expect(await registry.metrics()).not.toMatch(/smo_event_loop_delay_seconds/);
  });
});
