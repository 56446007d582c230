// Field paths of invalid input are data: re-rooting them never reads or rewrites message text by pattern.
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../../src/kernel/errors.js";
import { isRfc1035Label, isRfc1123Label } from "../../src/kernel/ids.js";

describe("InvalidArgumentError", () => {
  it("builds its message from the violations and rebuilds it when the fields are renamed", () => {
    const err = InvalidArgumentError.fromViolations("replica problem", [
      { field: "timeLimitMs", description: "must be ≥ 0" },
      { field: "services[0].memoryBytes", description: "is required" },
    ]);
    expect(err.message).toBe("invalid replica problem: timeLimitMs must be ≥ 0; services[0].memoryBytes is required");
    const renamed = err.withFields((f) => f.replace("timeLimitMs", "timeLimitSeconds").replace(".memoryBytes", ".memory"));
    expect(renamed).toBeInstanceOf(InvalidArgumentError);
    expect(renamed.violations.map((v) => v.field)).toEqual(["timeLimitSeconds", "services[0].memory"]);
    expect(renamed.message).toBe("invalid replica problem: timeLimitSeconds must be ≥ 0; services[0].memory is required");
  });

  it("keeps a message not written from the violations, and says which fields it names", () => {
    const err = new InvalidArgumentError('unknown strategy "x"', [{ field: "strategy", description: "unknown" }]);
    expect(err.hasField("strategy")).toBe(true);
    const moved = err.withFields((f) => (f === "strategy" ? "hdaGraph.hdaGraphIntent.strategy" : f));
    expect(moved.message).toBe('unknown strategy "x"');
    expect(moved.violations).toEqual([{ field: "hdaGraph.hdaGraphIntent.strategy", description: "unknown" }]);
  });

  it("summarises beyond three violations", () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ field: `f${i}`, description: "bad" }));
    expect(InvalidArgumentError.fromViolations("x", many).message).toBe("invalid x: f0 bad; f1 bad; f2 bad (and 2 more)");
  });
});

describe("ids", () => {
  it("accepts RFC 1123 labels and, for Service names, RFC 1035 ones", () => {
    expect(isRfc1123Label("web-1")).toBe(true);
    expect(isRfc1123Label("1web")).toBe(true);
    expect(isRfc1035Label("1web")).toBe(false);
    expect(isRfc1123Label("Web")).toBe(false);
    expect(isRfc1123Label("a".repeat(64))).toBe(false);
    expect(isRfc1123Label("-a")).toBe(false);
  });
});
