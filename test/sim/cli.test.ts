// `smo sim` (in-process, stopped through its abort signal instead of SIGTERM) and the /sim/v1 admin endpoints.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { runSim, simOptions } from "../../src/cli/commands/sim.js";
import { tempDir, waitFor } from "../helpers/processes.js";

function captureIO() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { text: "", err: "" };
  stdout.on("data", (d) => (out.text += String(d)));
  stderr.on("data", (d) => (out.err += String(d)));
  return { io: { stdout, stderr, env: {} as NodeJS.ProcessEnv }, out };
}

describe("smo sim", () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir("smo-sim-cli-");
  });
  afterAll(() => dir?.remove());

  it("serves a config-file federation until stopped, with admin endpoints outside fault injection", async () => {
    const config = join(dir.path, "clusters.yaml");
    await writeFile(config, "clusters:\n  - {name: athens, cpu: 4, memory: 8Gi, region: gr}\n  - {name: brussels, cpu: 2, memory: 4Gi, gpus: 1}\n");
    const kubeconfig = join(dir.path, "k.yaml");
    const { io, out } = captureIO();
    const stop = new AbortController();
    const done = runSim(
      ["--config", config, "--kubeconfig-out", kubeconfig, "--listen", "127.0.0.1:0", "--pod-start-ms", "20", "--fail-rate", "1", "--log-level", "silent"],
      io,
      stop.signal,
    );
    const url = await waitFor(() => /API server: (http:\/\/\S+)/.exec(out.text)?.[1], "the URL on stdout", { timeoutMs: 10_000 });
    expect(out.text).toContain(`kubeconfig: ${kubeconfig}`);
    const kc = parseYaml(await readFile(kubeconfig, "utf8"));
    expect(kc.clusters[0].cluster).toEqual({ server: url, "insecure-skip-tls-verify": true });

    // Every resource request fails at rate 1; discovery and admin endpoints do not.
    const res = await fetch(`${url}/api/v1/namespaces`);
    expect([500, 503]).toContain(res.status);
    expect(await res.json()).toMatchObject({ kind: "Status", status: "Failure" });
    expect((await fetch(`${url}/apis`)).status).toBe(200);
    expect((await fetch(`${url}/version`)).status).toBe(200);
    const faults = await fetch(`${url}/sim/v1/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ failRate: 0, latencyMs: 5 }) });
    expect(await faults.json()).toEqual({ failRate: 0, latencyMs: 5 });
    expect((await fetch(`${url}/api/v1/namespaces`)).status).toBe(200);

    const members = (await (await fetch(`${url}/sim/v1/clusters`)).json()) as { clusters: { name: string; gpus: { allocatable: number } }[] };
    expect(members.clusters.map((m: { name: string }) => m.name)).toEqual(["athens", "brussels"]);
    expect(members.clusters[1].gpus.allocatable).toBe(1);

    const added = await fetch(`${url}/sim/v1/clusters`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "crete", cpu: 1 }) });
    expect(added.status).toBe(201);
    expect((await fetch(`${url}/sim/v1/clusters`, { method: "POST", body: JSON.stringify({ name: "crete" }) })).status).toBe(409);
    expect((await fetch(`${url}/sim/v1/clusters`, { method: "POST", body: JSON.stringify({ name: "Bad!" }) })).status).toBe(400);
    expect((await fetch(`${url}/sim/v1/clusters/crete/ready?value=false`, { method: "POST" })).status).toBe(200);
    const crete = (await (await fetch(`${url}/apis/cluster.karmada.io/v1alpha1/clusters/crete`)).json()) as { status: { conditions: unknown[] } };
    expect(crete.status.conditions[0]).toMatchObject({ type: "Ready", status: "False" });
    expect((await fetch(`${url}/sim/v1/clusters/crete/ready`, { method: "POST" })).status).toBe(400);
    expect((await fetch(`${url}/sim/v1/clusters/crete`, { method: "DELETE" })).status).toBe(200);
    expect((await fetch(`${url}/sim/v1/clusters/crete`, { method: "DELETE" })).status).toBe(404);
    expect((await fetch(`${url}/apis/cluster.karmada.io/v1alpha1/clusters/crete`)).status).toBe(404);

    stop.abort();
    expect(await done).toBe(0);
    expect(out.text).toContain("simulator stopped");
    await expect(fetch(`${url}/version`)).rejects.toThrow();
  });

  it("rejects bad flags with the field named", async () => {
    const { io, out } = captureIO();
    expect(await runSim(["--fail-rate", "2"], io, AbortSignal.abort())).toBe(1);
    expect(out.err).toContain("--fail-rate must be between 0 and 1");
    const second = captureIO();
    expect(await runSim(["--listen", "nowhere"], second.io, AbortSignal.abort())).toBe(1);
    expect(second.out.err).toContain("--listen must be HOST:PORT");
    const third = captureIO();
    expect(await runSim(["--clusters", "2", "--gpu-clusters", "5", "--kubeconfig-out", join(dir.path, "x.yaml")], third.io, AbortSignal.abort())).toBe(1);
    expect(third.out.err).toContain("gpuClusters");
    const fourth = captureIO();
    expect(await runSim(["--pod-model", "flat"], fourth.io, AbortSignal.abort())).toBe(1);
    expect(fourth.out.err).toContain("--pod-model must be one of pods, counts");
    const counts = await simOptions(["--pod-model", "counts"], {});
    expect(counts !== "help" && counts.options.podModel).toBe("counts");
  });
});
