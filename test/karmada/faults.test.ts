// Reliability: injected 5xx answers are retried away, a hung API server and a stopped one surface as
// UnavailableError (never a hang), and watches ride through failures.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSim } from "../../src/sim/index.js";
import { UnavailableError } from "../../src/core/errors.js";
import type { MemberCluster } from "../../src/core/ports/karmada.js";
import { createKarmadaClient, createManifestDeployer, createPrometheusRuleSink } from "../../src/adapters/karmada/index.js";
import { eventually, startKarmadaTestbed, type KarmadaTestbed } from "./federation.js";
import { makeGraph, makeService, recordingLogger } from "./fixtures.js";

let fed: KarmadaTestbed;

beforeAll(async () => {
  fed = await startKarmadaTestbed({ clusters: 2, gpuClusters: 0, podStartMs: 20 });
});

afterEach(() => {
  fed.sim.setFailRate(0);
  fed.sim.setLatency(0);
});

afterAll(async () => {
  await fed?.stop();
});

describe("fault injection", () => {
  it("with 30% of requests failing, every operation still succeeds through retries", async () => {
    // 10 tries: a call fails only if 10 answers in a row are errors (0.3^10 ≈ 6e-6).
    const { logger, records } = recordingLogger();
    const client = fed.connect({ logger, timeoutMs: 20_000, retry: { attempts: 10, baseMs: 5, maxMs: 50 } });
    const seen: MemberCluster[][] = [];
    const watch = client.watchClusters((c) => seen.push(c));
    fed.sim.setFailRate(0.3);
    const ns = "flaky";
    await client.ensureNamespace(ns);
    await client.ensureNamespace(ns);
    await createManifestDeployer(client).apply(ns, makeGraph("flaky"), makeService("svc"), { clusters: ["member1"], importClusters: [] }, 1);
    await client.applyPlacement(ns, "svc", ["member1"]);
    await client.applyPlacement(ns, "svc", ["member2"]);
    expect(await client.getPlacement(ns, "svc")).toEqual(["member2"]);
    await client.applyServiceExport(ns, "svc", "member2", ["member1"]);
    await client.scale(ns, "svc", 3);
    await eventually(() => client.getReplicas(ns, "svc"), (s) => s?.available === 3);
    const sink = createPrometheusRuleSink(client, { namespace: ns });
    await sink.upsertRule({ alert: "a", expr: "up == 0", for: "1m", labels: {}, annotations: {} });
    expect((await sink.listRules()).map((r) => r.alert)).toEqual(["a"]);
    expect(await client.listClusters()).toHaveLength(2);
    // The watch, whose (re)connections also meet failures, still delivers a change.
    fed.sim.setClusterReady("member1", false);
    await eventually(() => seen.at(-1), (l) => l?.find((c) => c.name === "member1")?.ready === false, "member1 not ready", 20_000);
    fed.sim.setClusterReady("member1", true);
    await client.removeServiceExport(ns, "svc");
    await client.removePlacement(ns, "svc");
    watch.stop();
    // The faults were real: calls were retried (and logged as such).
    expect(records.filter((r) => r.msg === "karmada call failed; retrying").length).toBeGreaterThan(0);
  });

  it("a server that answers too late gives UnavailableError after the timeout, not a hang", async () => {
    const client = fed.connect({ timeoutMs: 300, retry: { attempts: 3, baseMs: 10, maxMs: 50 } });
    fed.sim.setLatency(5_000);
    await expect(client.listClusters()).rejects.toBeInstanceOf(UnavailableError);
    await expect(client.getReplicas("default", "x")).rejects.toBeInstanceOf(UnavailableError);
    fed.sim.setLatency(0);
    expect(await client.listClusters()).toHaveLength(2);
  });
});

describe("federation down", () => {
  it("every call gives UnavailableError once the API server is gone; watches keep retrying quietly", async () => {
    const down = await startKarmadaTestbed({ clusters: 1, gpuClusters: 0 });
    const client = down.connect({ timeoutMs: 1_000, retry: { attempts: 4, baseMs: 10, maxMs: 100 } });
    const seen: MemberCluster[][] = [];
    const watch = client.watchClusters((c) => seen.push(c));
    await eventually(() => seen.length, (n) => n >= 1);
    expect(client.informers.clusters.state).toMatchObject({ synced: true, live: true });
    await down.sim.close();
    // The informer notices the lost watch; from then on reads that need Karmada fail instead of answering stale data.
    await eventually(() => client.informers.clusters.state.live, (live) => live === false);
    expect(client.informers.clusters.state.observedAt).toBeInstanceOf(Date);
    await expect(client.listClusters()).rejects.toBeInstanceOf(UnavailableError);
    await expect(client.ensureNamespace("x")).rejects.toBeInstanceOf(UnavailableError);
    await expect(client.scale("x", "y", 1)).rejects.toBeInstanceOf(UnavailableError);
    await expect(createPrometheusRuleSink(client).listRules()).rejects.toBeInstanceOf(UnavailableError);
    watch.stop();
    client.close();
    await down.stop().catch(() => undefined);
  });
});

describe("API server restart", () => {
  it("a cluster watch reconnects with backoff and re-lists, so it reports the restarted server's state", async () => {
    const dir = await mkdtemp(join(tmpdir(), "smo-karmada-restart-"));
    const first = await startSim({ clusters: 3, podStartMs: 10 });
    const kubeconfig = join(dir, "kubeconfig.yaml");
    await first.writeKubeconfig(kubeconfig);
    const { logger, records } = recordingLogger();
    const client = createKarmadaClient({ kubeconfig, logger, timeoutMs: 1_000, retry: { attempts: 2, baseMs: 20, maxMs: 100 } });
    const seen: MemberCluster[][] = [];
    const watch = client.watchClusters((c) => seen.push(c));
    let second: Awaited<ReturnType<typeof startSim>> | undefined;
    try {
      first.setClusterReady("member2", false);
      await eventually(() => seen.at(-1), (l) => l?.find((c) => c.name === "member2")?.ready === false);
      await first.close();
      // The watch notices the server is gone (its reconnections are refused) and keeps trying.
      await eventually(
        () => records.filter((r) => r.msg === "karmada watch interrupted; reconnecting" && /ECONNREFUSED/.test(String(r.reason))).length,
        (n) => n >= 2,
      );
      // Same address, fresh state: member2 is Ready again and member3 is gone.
      second = await startSim({ clusters: 3, podStartMs: 10, port: first.port });
      second.removeCluster("member3");
      const last = await eventually(
        () => seen.at(-1),
        (l) => l?.length === 2 && l.every((c) => c.ready),
      );
      expect(last!.map((c) => c.name)).toEqual(["member1", "member2"]);
    } finally {
      watch.stop();
      client.close();
      await second?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
