// `smo cluster list|sync|profile` through the CLI dispatcher against the in-process servers on the real
// lifecycle's cluster inventory (simulated Karmada with three members, the first with GPUs).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { main, type CommandIO } from "../../src/cli/main.js";
import { startLifecycleServer, type LifecycleServer } from "../api/graph-lifecycle-server.js";

let s: LifecycleServer;

beforeAll(async () => {
  s = await startLifecycleServer();
});
afterAll(async () => {
  await s?.close();
});

async function smo(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  const io: CommandIO = { stdout, stderr, env: {} };
  const code = await main([...args, "--address", s.address], io);
  return { code, stdout: out, stderr: err };
}

const rows = (table: string) => table.trimEnd().split("\n").slice(1).map((l) => l.split(/\s{2,}/));

describe("smo cluster list and sync", () => {
  it("lists the members with free capacity and profile (syncing once when nothing is stored yet)", async () => {
    const r = await smo(["cluster", "list"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n")[0]).toMatch(/^NAME\s+READY\s+CPU FREE\s+MEMORY FREE\s+GPUS FREE\s+ENERGY\s+CARBON\s+PUE\s+LOCATION$/);
    const table = rows(r.stdout);
    expect(table.map((row) => [row[0], row[1]])).toEqual([
      ["member1", "yes"],
      ["member2", "yes"],
      ["member3", "yes"],
    ]);
    expect(table[0]![2]).toMatch(/^[\d.]+\/16$/);
    expect(table[0]![3]).toMatch(/^[\d.]+Gi\/64Gi$/);
    expect(table[0]![4]).toMatch(/^[1-9]\d*\/[1-9]\d*$/);
    expect(table[1]![4]).toBe("0/0");
  });

  it("sync answers the members as proto JSON with -o json", async () => {
    const r = await smo(["cluster", "sync", "-o", "json"]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { clusters: { name: string; ready: boolean; profile: { energyCost: number } }[] };
    expect(body.clusters.map((c) => c.name)).toEqual(["member1", "member2", "member3"]);
    expect(body.clusters[0]).toMatchObject({ ready: true, profile: { energyCost: 1 } });
  });
});

describe("smo cluster profile", () => {
  it("sets the given fields and keeps the others", async () => {
    const first = await smo(["cluster", "profile", "member2", "--energy-cost", "0.4", "--carbon-intensity", "90", "--pue", "1.2", "--location", "eu-west", "--gpus", "2"]);
    expect(first.code).toBe(0);
    expect(rows(first.stdout)[0]).toEqual(["member2", "yes", expect.any(String), expect.any(String), "0/0 (profile 2)", "0.4", "90", "1.2", "eu-west"]);

    const second = await smo(["cluster", "profile", "member2", "--location", "eu-north", "-o", "json"]);
    const cluster = (JSON.parse(second.stdout) as { cluster: { profile: Record<string, unknown> } }).cluster;
    expect(cluster.profile).toEqual({ energyCost: 0.4, carbonIntensity: 90, pue: 1.2, location: "eu-north", gpus: 2 });

    const auto = await smo(["cluster", "profile", "member2", "--gpus", "auto", "-o", "json"]);
    expect((JSON.parse(auto.stdout) as { cluster: { profile: Record<string, unknown> } }).cluster.profile).not.toHaveProperty("gpus");
  });

  it("exits 1 with NOT_FOUND, field violations, or a usage error", async () => {
    const unknown = await smo(["cluster", "profile", "member9", "--energy-cost", "1"]);
    expect(unknown).toMatchObject({ code: 1, stdout: "", stderr: 'gRPC status NOT_FOUND: cluster "member9" not found\n' });
    const bad = await smo(["cluster", "profile", "member1", "--pue", "0.5"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^gRPC status INVALID_ARGUMENT: .*\n {2}profile\.pue: power usage effectiveness must be ≥ 1/);
    expect(await smo(["cluster", "profile", "member1"])).toMatchObject({ code: 1, stderr: expect.stringContaining("give at least one of the profile flags") });
    expect(await smo(["cluster", "profile", "member1", "--gpus", "1.5"])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--gpus: expected a non-negative integer, got "1.5"'),
    });
    expect(await smo(["cluster", "frobnicate"])).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown subcommand "frobnicate"') });
  });
});
