// `smo hdag validate|translate`: the command module run in-process with captured streams, plus one spawned
// smoke test of the built executable.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { run } from "../../src/cli/commands/hdag.js";
import { variant } from "./fixture.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "dist/src/cli/bin.js");

async function smo(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await run(args, { stdout, stderr, env: {} });
  return { code, out, err };
}

let dir: string;
let good: string;
let bad: string;
let broken: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smo-hdag-cli-"));
  good = join(dir, "good.yaml");
  bad = join(dir, "bad.yaml");
  broken = join(dir, "broken.yaml");
  await writeFile(good, stringify(variant((g) => (g.owner = "team-a"))));
  await writeFile(bad, stringify(variant((_, s) => (s[1].deployment.intent.compute.cpu = "huge"))));
  await writeFile(broken, "hdaGraph:\n  id: [a\n  version: 1\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("smo hdag validate", () => {
  it("prints warnings and a summary, exits 0 for a valid file", async () => {
    const r = await smo(["validate", good]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n")).toEqual([
      `${good}: warning: hdaGraph.owner: unknown field "owner" is ignored (kept in the stored descriptor); expected only imVersion, id, version, designer, description, hdaGraphIntent, services`,
      `${good}: valid (1 warning)`,
      "",
    ]);
  });

  it("prints FILE: PATH: message per error and exits 1 when any file is invalid", async () => {
    const r = await smo(["validate", good, bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `${bad}: hdaGraph.services[1].deployment.intent.compute.cpu: expected one of "light", "small", "medium", "large", found string "huge"\n`,
    );
    expect(r.out).toContain(`${bad}: invalid (1 error, 0 warnings)\n`);
    expect(r.out).toContain(`${good}: valid (1 warning)\n`);
  });

  it("reports syntax errors with line and column, and unreadable files", async () => {
    const missing = join(dir, "missing.yaml");
    const r = await smo(["validate", broken, missing]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: syntax error at line 3, column 3: `, "m"));
    expect(r.out).toContain(`${missing}: cannot read the file (ENOENT)\n`);
  });

  it("-o json gives machine output with paths, severities and positions", async () => {
    const r = await smo(["validate", "-o", "json", good, bad]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { valid: boolean; files: { file: string; valid: boolean; errors: { path: string; line?: number }[]; warnings: unknown[] }[] };
    expect(report.valid).toBe(false);
    expect(report.files.map((f) => [f.file, f.valid, f.errors.length, f.warnings.length])).toEqual([
      [good, true, 0, 1],
      [bad, false, 1, 0],
    ]);
    expect(report.files[1]!.errors[0]).toMatchObject({ path: "hdaGraph.services[1].deployment.intent.compute.cpu", severity: "error" });
    expect(report.files[1]!.errors[0]!.line).toBeGreaterThan(1);
  });

  it("validates placementStrategy against --placement-strategies", async () => {
    const custom = join(dir, "custom.yaml");
    await writeFile(custom, stringify(variant((g) => (g.hdaGraphIntent.placementStrategy = "balanced"))));
    expect((await smo(["validate", custom])).code).toBe(1);
    expect((await smo(["validate", "--placement-strategies", "optimal,balanced", custom])).code).toBe(0);
  });

  it("rejects bad usage with exit 1 and a usage text on stderr", async () => {
    for (const args of [[], ["nope"], ["validate"], ["validate", "--bogus", good], ["validate", "-o", "xml", good], ["translate", good, bad]]) {
      const r = await smo(args);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/usage: smo hdag|-o must be/);
    }
    expect((await smo(["--help"])).code).toBe(0);
  });
});

describe("smo hdag translate", () => {
  it("prints the model as JSON", async () => {
    const r = await smo(["translate", good]);
    expect(r.code).toBe(0);
    const model = JSON.parse(r.out) as { id: string; services: { id: string; resources: { cpu: number } }[] };
    expect(model.id).toBe("demo-graph");
    expect(model.services.map((s) => [s.id, s.resources.cpu])).toEqual([
      ["frontend", 1],
      ["backend", 4],
      ["cache", 0.5],
    ]);
    expect(r.err).toBe(`${good}: warning: hdaGraph.owner: unknown field "owner" is ignored (kept in the stored descriptor); expected only imVersion, id, version, designer, description, hdaGraphIntent, services\n`);
  });

  it("prints errors on stderr and exits 1 for an invalid file", async () => {
    const r = await smo(["translate", bad]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toContain(`${bad}: hdaGraph.services[1].deployment.intent.compute.cpu: expected one of`);
  });
});

const built = existsSync(BIN) && existsSync(join(ROOT, "dist/src/cli/commands/hdag.js"));
if (!built && process.env.SMO_REQUIRE_INTEGRATION === "1") throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${BIN} is not built`);
const skipReason = built ? "" : " (skipped: dist not built; run npx tsc -p tsconfig.json)";

describe.skipIf(!built)(`smo executable${skipReason}`, () => {
  it("`node dist/src/cli/bin.js hdag validate` exits 0 on a valid file and 1 on an invalid one", async () => {
    const spawn = (files: string[]) =>
      new Promise<{ code: number; stdout: string }>((done) => {
        execFile(process.execPath, [BIN, "hdag", "validate", ...files], { cwd: dir }, (error, stdout) =>
          done({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        );
      });
    const ok = await spawn([good]);
    expect(ok).toEqual({ code: 0, stdout: expect.stringContaining(`${good}: valid (1 warning)`) });
    const ko = await spawn([good, bad]);
    expect(ko.code).toBe(1);
    expect(ko.stdout).toContain(`${bad}: invalid (1 error, 0 warnings)`);
  });
});
