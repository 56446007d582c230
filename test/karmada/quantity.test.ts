import { describe, expect, it } from "vitest";
import { formatCpu, formatMemory, parseQuantity } from "../../src/adapters/karmada/quantity.js";
import { chartName, placeholderImage } from "../../src/adapters/karmada/index.js";
import { makeService } from "./fixtures.js";

describe("resource quantities", () => {
  it("parses the forms Karmada reports in resourceSummary", () => {
    expect(parseQuantity("16")).toBe(16);
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("64Gi")).toBe(64 * 2 ** 30);
    expect(parseQuantity("1500M")).toBe(1.5e9);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("12.5k")).toBe(12_500);
    expect(parseQuantity("lots")).toBeNaN();
  });

  it("formats translated requests as the API server would keep them, and round-trips", () => {
    expect(formatCpu(0.5)).toBe("500m");
    expect(formatCpu(2)).toBe("2");
    expect(formatMemory(512 * 2 ** 20)).toBe("512Mi");
    expect(formatMemory(4 * 2 ** 30)).toBe("4Gi");
    expect(formatMemory(1000)).toBe("1000");
    for (const cores of [0.1, 0.25, 1, 3.5]) expect(parseQuantity(formatCpu(cores))).toBeCloseTo(cores, 6);
  });
});

describe("placeholder image", () => {
  it("is named after the chart, the last path segment of ociImage without tag or digest", () => {
    expect(chartName("oci://10.0.3.53:5000/test/hello-world")).toBe("hello-world");
    expect(chartName("oci://registry:5000/brussels-demo/image-detection:0.1.0")).toBe("image-detection");
    expect(chartName("oci://registry/p/vo@sha256:abcd")).toBe("vo");
    const service = makeService("svc", { artifact: { ...makeService("svc").artifact, ociImage: "oci://127.0.0.1:5000/demo2/ml-inference" } });
    expect(placeholderImage(service)).toBe("registry.invalid/smo-placeholder/ml-inference:latest");
  });
});
