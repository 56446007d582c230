// Text to document: YAML and JSON, syntax errors with line and column, refusal of documents that cannot be
// stored as JSON, the 2024 wrapper, and positions attached to validation findings.
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadDescriptor, parseDescriptor, validateDescriptor } from "../../src/core/hdag/index.js";
import { validDoc, variant } from "./fixture.js";

describe("parseDescriptor", () => {
  it("reports a YAML syntax error with line and column", () => {
    const r = parseDescriptor("hdaGraph:\n  id: [a\n  version: 1\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ path: "", severity: "error", line: 3, column: 3 });
    expect(r.errors[0]!.message).toMatch(/^syntax error at line 3, column 3: /);
  });

  it("refuses duplicate keys, tabs and several documents", () => {
    for (const [text, line] of [
      ["hdaGraph:\n  id: a\n  id: b\n", 3],
      ["hdaGraph:\n\tid: a\n", 2],
      ["a: 1\n---\nb: 2\n", 2],
    ] as const) {
      const r = parseDescriptor(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]!.line).toBe(line);
    }
  });

  it("finds a duplicate key in block and flow mappings at the second key", () => {
    for (const [text, line, column] of [
      ["a:\n  x: 1\n  y: 2\n  x: 3\n", 4, 3],
      ['a: {"x": 1, y: 2, x: 3}\n', 1, 19],
    ] as const) {
      const r = parseDescriptor(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.errors[0]).toMatchObject({ line, column, message: `syntax error at line ${line}, column ${column}: a key appears twice in the same mapping` });
    }
    // Equal values only: the number 1 and the string "1" are two keys, as in the yaml package.
    expect(parseDescriptor('a: {1: x, "1": y}\n').ok).toBe(true);
    // Two merge keys are two merges (the package never counted them as duplicates).
    expect(parseDescriptor("b: &b {k: 1}\nc: &c {j: 2}\na:\n  <<: *b\n  <<: *c\n").ok).toBe(true);
  });

  it("parses JSON both as YAML (default) and with format json", () => {
    const json = JSON.stringify(validDoc());
    for (const format of ["auto", "json"] as const) {
      const r = parseDescriptor(json, { format });
      expect(r.ok && validateDescriptor(r.document).ok).toBe(true);
    }
    const bad = parseDescriptor('{"hdaGraph": {"id": "x",}}', { format: "json" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]!.message).toMatch(/^syntax error/);
  });

  it("refuses cyclic aliases and non-finite numbers at their path", () => {
    const cyc = parseDescriptor("hdaGraph:\n  services: &a [*a]\n");
    expect(cyc.ok).toBe(false);
    if (!cyc.ok) expect(cyc.errors[0]).toMatchObject({ path: "hdaGraph.services[0]", line: 2, column: 17 });
    const inf = parseDescriptor("hdaGraph:\n  x: .inf\n");
    expect(!inf.ok && inf.errors[0]!.path).toBe("hdaGraph.x");
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const levels = ["a: &a [x,x,x,x,x,x,x,x,x,x]"];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(",")}]`);
    }
    const r = parseDescriptor(levels.join("\n"));
    expect(r.ok).toBe(false);
  });

  it("keeps shared (non-cyclic) aliases and merge keys", () => {
    const text = stringify(validDoc()).replace("  designer: smo tests", "  designer: &who smo tests\n  x-owner: *who");
    const r = loadDescriptor(text);
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.document as { hdaGraph: Record<string, unknown> }).hdaGraph["x-owner"]).toBe("smo tests");
    const merged = parseDescriptor("base: &b {cpu: small}\nc:\n  <<: *b\n  ram: small\n");
    expect(merged.ok && merged.document).toEqual({ base: { cpu: "small" }, c: { cpu: "small", ram: "small" } });
  });

  it("an empty text is an empty document, reported at hdaGraph", () => {
    for (const text of ["", "# nothing\n", "---\n"]) {
      const r = loadDescriptor(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.map((e) => e.path)).toEqual(["hdaGraph"]);
    }
  });

  it("YAML 1.2 reads True/False as booleans and yes/no as strings", () => {
    const r = loadDescriptor(stringify(validDoc()).replace("useStaticPlacement: false", "useStaticPlacement: False"));
    expect(r.ok && r.model.intent.useStaticPlacement).toBe(false);
    const yes = loadDescriptor(stringify(validDoc()).replace("useStaticPlacement: false", "useStaticPlacement: yes"));
    expect(!yes.ok && yes.errors[0]!.path).toBe("hdaGraph.hdaGraphIntent.useStaticPlacement");
  });

  it("a __proto__ key stays data and is kept", () => {
    const text = JSON.stringify(validDoc()).replace('"valuesOverwrite":{"replicas":1}', '"valuesOverwrite":{"replicas":1,"__proto__":{"polluted":true}}');
    expect(text).toContain("__proto__");
    const r = loadDescriptor(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const values = r.model.services[1]!.artifact.valuesOverwrite;
    expect(Object.keys(values)).toEqual(["replicas", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("loadDescriptor", () => {
  it("attaches line and column to validation findings of YAML text", () => {
    const text = stringify(variant((_, s) => (s[1].deployment.intent.compute.cpu = "huge")));
    const r = loadDescriptor(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("cpu: huge")) + 1;
    expect(r.errors[0]).toMatchObject({ path: "hdaGraph.services[1].deployment.intent.compute.cpu", line, column: lines[line - 1]!.indexOf("huge") + 1 });
  });

  it("locates a missing field at its nearest existing parent", () => {
    const text = stringify(variant((_, s) => delete s[1].artifact.ociRun));
    const r = loadDescriptor(text);
    if (r.ok) throw new Error("expected errors");
    expect(r.errors[0]!.path).toBe("hdaGraph.services[1].artifact.ociRun");
    expect(r.errors[0]!.line).toBeGreaterThan(0);
  });

  it("accepts the 2024 {hdag: {hdaGraph}} wrapper with a warning and returns the inner document", () => {
    const r = loadDescriptor(stringify({ hdag: validDoc() }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings.map((w) => w.path)).toEqual(["hdag"]);
    expect(r.document).toEqual(validDoc());
    const bad = loadDescriptor(stringify({ hdag: variant((g) => (g.version = "x")) }));
    expect(!bad.ok && bad.errors.map((e) => e.path)).toEqual(["hdag.hdaGraph.version"]);
  });

  it("does not unwrap when both hdaGraph and hdag are present", () => {
    const r = loadDescriptor(stringify({ ...validDoc(), hdag: { hdaGraph: {} } }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings.map((w) => w.path)).toEqual(["hdag"]);
  });

  it("keeps unknown fields in the returned document", () => {
    const r = loadDescriptor(stringify(variant((g) => (g.owner = { team: "x" }))));
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.document as { hdaGraph: { owner: unknown } }).hdaGraph.owner).toEqual({ team: "x" });
  });
});

describe("complex keys", () => {
  it("refuses a collection used as a mapping key", () => {
    const r = parseDescriptor("hdaGraph:\n  ? [a, b]\n  : 1\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ path: "", line: 2, column: 5 });
  });
});
