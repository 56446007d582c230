// `smo place` / `smo scale` through their command modules' run(), as the dispatcher calls them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { run as place } from "../../src/cli/commands/place.js";
import { run as scale } from "../../src/cli/commands/scale.js";

const dir = mkdtempSync(join(tmpdir(), "smo-solver-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const examples = new URL("../../bench/solver/examples/", import.meta.url).pathname;

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, done) {
      w.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  w.text = "";
  return w;
}

async function cli(command: typeof place, args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await command(args, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("smo place", () => {
  it("solves the example file and prints the decision as JSON", async () => {
    const r = await cli(place, [join(examples, "place.json")]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).slice(0, 5)).toEqual(["status", "placement", "objective", "reason", "solveMs"]);
    expect(out.status).toBe("optimal");
    // edge-athens (6 cores) cannot keep frontend, api and cache (7.5 cores); detect needs the GPU in Paris.
    expect(out.placement.detect).toBe("cloud-paris");
    expect(out.placement.api).toBe(out.placement.cache);
    expect(out.moved.length).toBeGreaterThan(0);
  });

  it("takes memory quantities, numeric or boolean GPUs, and --backend / --time-limit / --strategy", async () => {
    const path = file("small.json", {
      clusters: [{ name: "a", cpu: 4, memory: "2Gi", gpu: true, energyCost: 1 }, { name: "b", cpu: "4", memory: "8G", gpu: 0, energyCost: 0.1 }],
      services: [{ name: "x", cpu: "500m", memory: "1536Mi" }, { name: "y", cpu: 1, memory: "1Gi", gpu: true }],
    });
    const r = await cli(place, [path, "--backend", "glpk", "--time-limit", "5", "--strategy", "energy"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: "optimal", backend: "glpk", strategy: "energy", placement: { x: "b", y: "a" } });
  });

  it("an infeasible problem is printed with its reason and exits 0", async () => {
    const path = file("gpu.json", { clusters: [{ name: "a", cpu: 4 }], services: [{ name: "detect", cpu: 1, gpu: true }] });
    const r = await cli(place, [path]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "infeasible", reason: "service detect needs a GPU and no cluster has one", placement: {} });
  });

  it("bad input exits 1 with each field path on stderr", async () => {
    const path = file("bad.json", { clusters: [{ name: "a", cpu: 4, memory: "12 GB" }], services: [{ name: "x", cpu: -1 }] });
    const r = await cli(place, [path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("clusters[0].memory:");
    expect(r.stderr).toContain("services[0].cpu: must be ≥ 0");
    const r2 = await cli(place, [file("neg.json", { clusters: [{ name: "a", cpu: 4 }], services: [{ name: "x", cpu: -1 }] })]);
    expect(r2.stderr).toContain("services[0].cpu: must be ≥ 0");
  });

  it("rejects an unknown strategy, a missing file, broken JSON and a bad --time-limit", async () => {
    const ok = file("ok.json", { clusters: [{ name: "a", cpu: 4 }], services: [] });
    expect((await cli(place, [ok, "--strategy", "magic"])).stderr).toContain("known strategies: energy, first-fit, optimal");
    expect((await cli(place, [join(dir, "missing.json")])).code).toBe(1);
    const broken = await cli(place, [file("broken.json", "{ not json")]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/not valid JSON/);
    expect((await cli(place, [ok, "--time-limit", "soon"])).stderr).toMatch(/--time-limit soon/);
    expect((await cli(place, [])).code).toBe(1);
  });
});

describe("smo scale", () => {
  it("solves the example file", async () => {
    const r = await cli(scale, [join(examples, "scale.json")]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).slice(0, 5)).toEqual(["status", "replicas", "objective", "reason", "solveMs"]);
    expect(out).toMatchObject({ status: "optimal", replicas: { frontend: 8, api: 5, detect: 2 } });
  });

  it("explains an infeasible rate", async () => {
    const path = file("rate.json", { cluster: { cpu: 100 }, services: [{ name: "web", cpu: 0.5, alpha: 10, beta: -10, rate: 300, max: 20 }] });
    const r = await cli(scale, [path, "--backend", "highs"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "infeasible", reason: "rate 300 needs 31 replicas of web; max is 20" });
  });

  it("bad input exits 1 with paths", async () => {
    const r = await cli(scale, [file("bad-scale.json", { cluster: {}, services: [{ name: "web", cpu: 1, alpha: 0, rate: 1, max: 1, maxx: 2 }] })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("services[0].maxx:");
  });
});
