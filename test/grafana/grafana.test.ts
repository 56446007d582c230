// Dashboard builders and the Grafana publisher against the stand-in that rejects what Grafana rejects.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterDashboard,
  createGrafanaPublisher,
  dashboardUid,
  graphDashboard,
  serviceDashboard,
} from "../../src/adapters/grafana/index.js";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from "../../src/core/errors.js";
import { freePort } from "../helpers/processes.js";
import { startFakeGrafana, type FakeGrafana } from "./fake-grafana.js";

type Panel = { title: string; targets: { expr: string }[]; datasource: { uid: string } };
const exprs = (model: Record<string, unknown>) => (model.panels as Panel[]).flatMap((p) => p.targets.map((t) => t.expr));

describe("dashboard uids", () => {
  it("are readable when they fit and hashed, stable and at most 40 characters otherwise", () => {
    expect(dashboardUid("s", ["image-detection-graph", "noise"])).toBe("smo-s-image-detection-graph-noise");
    const long = dashboardUid("s", ["image-detection-graph", "noise-reduction-service"]);
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^smo-s-image-detection-graph-noi-[0-9a-f]{8}$/);
    expect(dashboardUid("s", ["image-detection-graph", "noise-reduction-service"])).toBe(long);
    expect(dashboardUid("s", ["image-detection-graph", "noise-reduction-servicf"])).not.toBe(long);
    // Lossy slugs get a hash too, so "a.b" and "a-b" stay distinct.
    expect(dashboardUid("c", ["a.b"])).not.toBe(dashboardUid("c", ["a-b"]));
    expect(dashboardUid("c", ["a.b"])).toMatch(/^[a-z0-9_-]+$/);
  });
});

describe("dashboard builders", () => {
  it("graph dashboard: a service variable and the four panels over Prometheus", () => {
    const d = graphDashboard({ graph: "image-detection-graph", project: "demo", services: ["noise-reduction", "image-detection"] });
    expect(d.uid).toBe("smo-g-image-detection-graph");
    expect(d.title).toBe("smo / image-detection-graph");
    expect(d.model).not.toHaveProperty("id");
    const vars = (d.model.templating as { list: { name: string; type: string; query: string }[] }).list;
    expect(vars.map((v) => [v.name, v.type])).toEqual([["datasource", "datasource"], ["service", "custom"]]);
    expect(vars[1]!.query).toBe("noise-reduction,image-detection");
    expect((d.model.panels as Panel[]).map((p) => p.title)).toEqual(["Replicas (available / desired)", "CPU (cores)", "Request rate", "Latency (p50 / p95)"]);
    expect(exprs(d.model).every((e) => e.includes('namespace="demo"'))).toBe(true);
    expect(exprs(d.model).some((e) => e.includes('service=~"$service"'))).toBe(true);
    expect((d.model.panels as Panel[])[0]!.datasource.uid).toBe("${datasource}");
  });

  it("service dashboard escapes label values and regexes; a fixed datasource removes the variable", () => {
    const d = serviceDashboard({ graph: "g", project: 'pro"j\\x', service: "svc.a" }, { datasourceUid: "prom1" });
    expect(d.uid).toMatch(/^smo-s-g-svc-a-[0-9a-f]{8}$/);
    const all = exprs(d.model);
    expect(all.every((e) => e.includes('namespace="pro\\"j\\\\x"'))).toBe(true);
    expect(all.some((e) => e.includes('pod=~"svc\\\\.a-.*"'))).toBe(true);
    expect((d.model.templating as { list: unknown[] }).list).toEqual([]);
    expect((d.model.panels as Panel[])[0]!.datasource.uid).toBe("prom1");
  });

  it("cluster dashboard filters on the cluster label", () => {
    const d = clusterDashboard({ cluster: "member1" });
    expect(d.uid).toBe("smo-c-member1");
    expect(exprs(d.model).every((e) => e.includes('cluster="member1"'))).toBe(true);
    expect((d.model.panels as Panel[]).length).toBe(4);
  });
});

describe("Grafana publisher", () => {
  let grafana: FakeGrafana;
  beforeAll(async () => {
    grafana = await startFakeGrafana({ token: "glsa_test", basic: { user: "admin", password: "pw" }, subPath: "/grafana" });
  });
  afterAll(() => grafana?.close());

  it("publishes with overwrite, returns the absolute URL, and re-publishing the same uid updates it", async () => {
    const pub = createGrafanaPublisher({ url: `${grafana.url}/grafana`, token: "glsa_test", folderUid: "smo" });
    const d = graphDashboard({ graph: "hello-world-graph", project: "demo0", services: ["hello"] });
    const { url } = await pub.publish(d);
    expect(url).toBe(`${grafana.url}/grafana/d/smo-g-hello-world-graph/smo-hello-world-graph`);
    await pub.publish(d);
    const stored = grafana.dashboards.get(d.uid)!;
    expect(stored.version).toBe(2);
    expect(stored.folderUid).toBe("smo");
    expect(grafana.dashboards.size).toBe(1);
    expect(stored.dashboard.templating).toEqual(d.model.templating);
  });

  it("uses basic auth as well, and removes idempotently", async () => {
    const pub = createGrafanaPublisher({ url: `${grafana.url}/grafana/`, basic: { user: "admin", password: "pw" } });
    const d = clusterDashboard({ cluster: "member2" });
    await pub.publish(d);
    expect(grafana.dashboards.has(d.uid)).toBe(true);
    await pub.remove(d.uid);
    await pub.remove(d.uid);
    expect(grafana.dashboards.has(d.uid)).toBe(false);
  });

  it("maps Grafana's rejections to typed errors", async () => {
    const pub = createGrafanaPublisher({ url: `${grafana.url}/grafana`, token: "glsa_test" });
    const d = clusterDashboard({ cluster: "x" });
    await expect(pub.publish({ ...d, title: " " })).rejects.toThrow(/Dashboard title cannot be empty/);
    await expect(pub.publish({ ...d, title: " " })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(pub.publish({ ...d, uid: "x".repeat(41) })).rejects.toThrow(/uid too long/);
    await expect(createGrafanaPublisher({ url: `${grafana.url}/grafana`, token: "wrong" }).publish(d)).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(createGrafanaPublisher({ url: `${grafana.url}/grafana` }).publish(d)).rejects.toThrow(/Unauthorized/);
    await expect(createGrafanaPublisher({ url: `${grafana.url}/grafana`, basic: { user: "admin", password: "no" } }).remove("x")).rejects.toBeInstanceOf(FailedPreconditionError);
    const down = createGrafanaPublisher({ url: `http://127.0.0.1:${await freePort()}`, token: "t" });
    await expect(down.publish(d)).rejects.toBeInstanceOf(UnavailableError);
  });

  it("a Grafana that stalls after its headers is UnavailableError once the timeout passes", async () => {
    const stalled = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"status":"succ'); // and never more
    });
    await new Promise<void>((r) => stalled.listen(0, "127.0.0.1", r));
    try {
      const pub = createGrafanaPublisher({ url: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}`, token: "t", timeoutMs: 200 });
      await expect(pub.publish(clusterDashboard({ cluster: "x" }))).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      stalled.closeAllConnections();
      await new Promise((r) => stalled.close(r));
    }
  });

  it("the stand-in refuses malformed JSON like Grafana", async () => {
    const res = await fetch(`${grafana.url}/grafana/api/dashboards/db`, {
      method: "POST",
      headers: { authorization: "Bearer glsa_test", "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "bad request data" });
  });
});
