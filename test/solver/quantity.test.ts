import { describe, expect, it } from "vitest";
import { formatBytes, parseMemoryQuantity, parseQuantity } from "../../src/solver/index.js";

describe("Kubernetes quantities", () => {
  it.each([
    ["512Mi", 512 * 2 ** 20],
    ["8Gi", 8 * 2 ** 30],
    ["1G", 1e9],
    ["500M", 5e8],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1Ki", 1024],
    ["2Ti", 2 * 2 ** 40],
    ["1k", 1000],
    ["1e3", 1000],
    ["1E6", 1e6],
    ["123", 123],
    [" 64Mi ", 64 * 2 ** 20],
    [".5Gi", 2 ** 29],
    ["0", 0],
    [4096, 4096],
  ])("memory %j is %d bytes", (input, bytes) => {
    expect(parseMemoryQuantity(input)).toBe(bytes);
  });

  it("rounds fractional bytes up, like Kubernetes", () => {
    expect(parseMemoryQuantity("100m")).toBe(1);
    expect(parseMemoryQuantity("1.1Ki")).toBe(1127);
    // 0.1k is 100.00000000000001 in floating point: still 100 bytes
    expect(parseMemoryQuantity("0.1k")).toBe(100);
  });

  it("parses cpu-style quantities", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("2")).toBe(2);
    expect(parseQuantity("250m")).toBe(0.25);
    expect(parseQuantity("-1")).toBe(-1);
  });

  it.each(["", "Gi", "1.2.3", "12 Mi", "1gi", "1MB", "abc", "1e", "--1", "1Mi1"])("rejects %j", (input) => {
    expect(() => parseMemoryQuantity(input)).toThrow(/not a Kubernetes quantity/);
  });

  it("rejects negative memory and non-finite numbers", () => {
    expect(() => parseMemoryQuantity("-1Gi")).toThrow(/negative/);
    expect(() => parseMemoryQuantity(Number.NaN)).toThrow(/finite/);
    expect(() => parseMemoryQuantity(Infinity)).toThrow(/finite/);
  });

  it("formats bytes for reasons", () => {
    expect(formatBytes(512 * 2 ** 20)).toBe("512Mi");
    expect(formatBytes(1.5 * 2 ** 30)).toBe("1.5Gi");
    expect(formatBytes(100)).toBe("100B");
    expect(formatBytes(Infinity)).toBe("unlimited");
  });
});
