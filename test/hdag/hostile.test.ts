// Hostile descriptors refused before they cost anything: nesting found by a linear scan of the text (no parser
// recursion, no stack overflow), alias expansion measured on the composed tree before toJS builds it.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadDescriptor, parseDescriptor } from "../../src/core/hdag/index.js";
import { depthProblem, MAX_FLOW_DEPTH, MAX_INDENT_COLUMNS } from "../../src/core/hdag/depth.js";
import { MAX_EXPANDED_CHARS } from "../../src/core/hdag/budget.js";
import { validDoc, variant } from "./fixture.js";
import { validateDescriptor } from "../../src/core/hdag/index.js";

const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "dist/src/cli/bin.js");

function refusal(text: string, format?: "json"): string {
  const r = parseDescriptor(text, format ? { format } : {});
  expect(r.ok).toBe(false);
  return r.ok ? "" : r.errors[0]!.message;
}

describe("nesting depth, scanned before parsing", () => {
  it("refuses 1 MiB of [ as a syntax error naming the depth", () => {
    expect(refusal("[".repeat(1 << 20))).toMatch(/nesting too deep: more than 100 levels/);
    expect(refusal("[".repeat(1 << 20), "json")).toMatch(/nesting too deep/);
    expect(refusal('{"a":'.repeat(5000) + "1" + "}".repeat(5000))).toMatch(/nesting too deep/);
  });

  it("refuses deep block nesting by indentation and compact sequences", () => {
    let block = "";
    for (let i = 0; i <= MAX_INDENT_COLUMNS; i++) block += `${" ".repeat(i)}k:\n`;
    expect(refusal(block + " ".repeat(MAX_INDENT_COLUMNS + 1) + "v\n")).toMatch(/indentation/);
    expect(refusal("- ".repeat(5000) + "x\n")).toMatch(/indentation/);
  });

  it("is not fooled by brackets hidden in quotes placed to cancel real ones", () => {
    expect(refusal("[" + '"]", ['.repeat(500) + "]".repeat(501))).toMatch(/nesting too deep/);
  });

  it("accepts brackets in quoted, plain and block scalars, and the deepest accepted flow", () => {
    const text = 'a: "[[[[[[[["\nb: \'{{{{\'\nc: rate(x[5m])\nd: |\n  [[[[[[[[[[[[\n  {{{{{\ne: # [[[[\n  1\n';
    expect(depthProblem(text)).toBeUndefined();
    expect(parseDescriptor(text).ok).toBe(true);
    const deepest = "[".repeat(MAX_FLOW_DEPTH) + "]".repeat(MAX_FLOW_DEPTH);
    expect(depthProblem(deepest)).toBeUndefined();
    expect(depthProblem(JSON.stringify(validDoc(), null, 8))).toBeUndefined();
    expect(depthProblem(stringify(validDoc(), { indent: 8 }))).toBeUndefined();
  });

  it("smo hdag validate answers a 400 KB nested file with exit 1, not an abort", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smo-hostile-"));
    try {
      const file = join(dir, "deep.yaml");
      await writeFile(file, "[".repeat(400_000));
      const { code, out } = await new Promise<{ code: number | null; out: string }>((done) =>
        execFile(process.execPath, [BIN, "hdag", "validate", file], (err, stdout, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? null) : 0, out: stdout + stderr }),
        ),
      );
      expect(code).toBe(1);
      expect(out).toMatch(/nesting too deep/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("alias expansion budget", () => {
  it("refuses 99 aliases of a large scalar before expanding them", () => {
    const doc = validDoc();
    const big = "x".repeat(200_000);
    const text = `${stringify(doc)}padding: &big "${big}"\nmore: [${Array(99).fill("*big").join(", ")}]\n`;
    expect(text.length).toBeLessThan(1024 * 1024);
    expect(refusal(text)).toMatch(new RegExp(`expands to more than ${MAX_EXPANDED_CHARS} characters`));
    const loaded = loadDescriptor(text);
    expect(loaded.ok).toBe(false);
  });

  it("refuses nested aliases that multiply (billion laughs)", () => {
    let text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 9; i++) text += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(", ")}]\n`;
    expect(refusal(text)).toMatch(/refused: /);
  });

  it("keeps ordinary anchors and merge keys working", () => {
    const text = "base: &b {cpu: small, mem: small}\nx:\n  <<: *b\n  cpu: large\ny: *b\n";
    const r = parseDescriptor(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.document).toMatchObject({ x: { cpu: "large", mem: "small" }, y: { cpu: "small" } });
  });
});

describe("numbers and sizes that become Kubernetes values or Prometheus rules", () => {
  const errorsOf = (doc: unknown, opts = {}) => validateDescriptor(doc, opts).errors.map((e) => `${e.path}: ${e.message}`);

  it("bounds maxReplicas (default 1,000; configurable, never above int32)", () => {
    const big = variant((_, s) => (s[0].deployment.intent.scaling.maxReplicas = 1e9));
    expect(errorsOf(big)).toEqual([expect.stringMatching(/scaling\.maxReplicas: expected an integer from 1 to 1000/)]);
    const ok = variant((_, s) => (s[0].deployment.intent.scaling.maxReplicas = 1000));
    expect(errorsOf(ok)).toEqual([]);
    expect(errorsOf(variant((_, s) => (s[0].deployment.intent.scaling.maxReplicas = 50)), { maxReplicas: 20 })).toHaveLength(1);
    expect(errorsOf(variant((_, s) => (s[0].deployment.intent.scaling.maxReplicas = 2 ** 31)), { maxReplicas: 2 ** 40 })).toHaveLength(1);
    const overall = variant((g) => (g.hdaGraphIntent.highAvailability.maxReplicasOverall = 1e12));
    expect(errorsOf(overall)[0]).toMatch(/maxReplicasOverall/);
  });

  it("refuses a promQuery longer than 4096 characters", () => {
    const long = variant((_, s) => (s[2].deployment.trigger.event.events[0].condition.promQuery = `up > ${"1".repeat(5000)}`));
    expect(errorsOf(long)).toEqual([expect.stringMatching(/promQuery: expected a PromQL expression of at most 4096 characters/)]);
  });
});

describe("projects (namespaces)", () => {
  it("--project-prefix restricts projects; system namespaces stay refused", async () => {
    const { validateProject } = await import("../../src/core/graphs/deploy.js");
    expect(validateProject("hop3-shop", ["hop3-"])).toBe("hop3-shop");
    expect(() => validateProject("shop", ["hop3-"])).toThrow(/outside the allowed namespaces/);
    expect(() => validateProject("kube-system", ["kube-"])).toThrow(/reserved namespace/);
    expect(validateProject("anything", [])).toBe("anything");
  });
});
