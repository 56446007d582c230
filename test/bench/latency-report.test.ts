// bench:latency writes its table into bench/README.md, a file other benches (and people) write too: only the
// "## Latency" section may change.
import { describe, expect, it } from "vitest";
import { mergeLatencySection } from "../../bench/latency/report.js";

describe("mergeLatencySection", () => {
  it("creates the file with a title when there is none", () => {
    expect(mergeLatencySection(null, "| a |\n")).toBe("# Benchmarks\n\n## Latency\n\n| a |\n");
  });

  it("appends the section to a file without one, keeping what is there", () => {
    const text = "# Benchmarks\n\nIntro.\n\n## Scale\n\nscale table\n";
    expect(mergeLatencySection(text, "new")).toBe("# Benchmarks\n\nIntro.\n\n## Scale\n\nscale table\n\n## Latency\n\nnew\n");
  });

  it("replaces only the Latency section, up to the next second-level heading", () => {
    const text = "# Benchmarks\n\n## Latency\n\nold\n\n### kept inside? no, replaced\n\nold 2\n\n## Scale\n\nscale table\n";
    expect(mergeLatencySection(text, "new")).toBe("# Benchmarks\n\n## Latency\n\nnew\n\n## Scale\n\nscale table\n");
  });

  it("replaces a last section and is idempotent", () => {
    const once = mergeLatencySection("# B\n\n## Solver\n\ns\n\n## Latency\n\nold\n", "new");
    expect(once).toBe("# B\n\n## Solver\n\ns\n\n## Latency\n\nnew\n");
    expect(mergeLatencySection(once, "new")).toBe(once);
  });
});
