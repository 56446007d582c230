// The benches rewrite their own section of bench/README.md and nothing else.
import { describe, expect, it } from "vitest";
import { measuredOn, replaceReadmeSection } from "../../bench/results.js";
import { readmeSection } from "../../bench/solver/report.js";

const README = ["# Benchmarks", "", "## Latency", "", "old latency", "", "## Solver", "", "old solver", "", "## Latency: the first transport run", "", "kept", ""].join("\n");

describe("replaceReadmeSection", () => {
  it("replaces only the section with exactly that heading", () => {
    const out = replaceReadmeSection(README, "Solver", "new solver");
    expect(out).toContain("## Solver\n\nnew solver\n");
    expect(out).not.toContain("old solver");
    expect(out).toContain("old latency");
    const latency = replaceReadmeSection(README, "Latency", "new latency");
    expect(latency).toContain("## Latency: the first transport run\n\nkept");
    expect(latency).not.toContain("old latency");
  });

  it("appends a missing section, and starts a file when there is none", () => {
    expect(replaceReadmeSection(README, "Scale", "rows").endsWith("## Scale\n\nrows\n")).toBe(true);
    expect(replaceReadmeSection(null, "Solver", "rows")).toBe("# Benchmarks\n\n## Solver\n\nrows\n");
  });
});

describe("the solver section", () => {
  it("says when, on what and how it was measured, then the tables", () => {
    const when = measuredOn(new Date("2026-12-04T12:00:00Z"));
    expect(when).toMatch(/^on 2026-12-04 \(.+ × \d+, Node v\d+/);
    const text = readmeSection(
      {
        timing: [{ size: "3×2", tightness: 0.7, objective: "moves", backend: "glpk", medianMs: 1.6, runs: 5, status: "optimal", gap: 0, objectiveValue: 0 }],
        versusFirstFit: [],
        energyScenario: {
          file: "bench/solver/energy-scenario.json", services: 36, clusters: 8,
          firstFit: { status: "feasible", energy: 39.9, traffic: 26 },
          energy: { status: "optimal", energy: 22.9, traffic: 34, solveMs: 93, backend: "glpk" },
          optimal: { status: "optimal", energy: 54.9, traffic: 34 },
          reduction: 0.425, kpi: 0.15, pass: true,
        },
        timeLimitMs: 10_000, compareTimeLimitMs: 2_000, durationMs: 210_000, seeds: 10,
      },
      when,
    );
    expect(text).toContain(`Measured by \`npm run bench:solver\` ${when}; the run took 210 s`);
    expect(text).toContain("| 3×2 | 0.7 | moves | 1.6 ms | optimal | 0 |");
    expect(text).toContain("(KPI ≥ 15.0 %: PASS)");
  });
});
