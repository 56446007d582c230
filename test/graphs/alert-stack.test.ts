// Event-triggered services through the real monitoring stack: the lifecycle writes the service's alert rule
// to a Prometheus rule file (file mode, reload), Prometheus fires it, Alertmanager posts it to the webhook
// handler, and the handler's call into the lifecycle deploys the service on the simulated federation.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertWebhookHandler, createRuleFileSink } from "../../src/adapters/prometheus/index.js";
import { alertName, type GraphLifecycle } from "../../src/core/graphs/index.js";
import { serveHttp, tempDir, waitFor, type HttpTestServer, type StartedProcess } from "../helpers/processes.js";
import { startAlertmanager, startPrometheus, stackAvailability } from "../helpers/prometheus.js";
import { descriptor } from "./descriptors.js";
import { eventually, inventory, startHarness, type Harness } from "./harness.js";

const availability = stackAvailability();

describe.skipIf(availability.skip)(`event-triggered service through Prometheus and Alertmanager${availability.reason}`, () => {
  let dir: { path: string; remove(): Promise<void> };
  let webhook: HttpTestServer;
  let alertmanager: StartedProcess;
  let prometheus: StartedProcess;
  let h: Harness;
  let lifecycle: GraphLifecycle;
  let ruleFile: string;

  beforeAll(async () => {
    dir = await tempDir("smo-graphs-alerts-");
    await mkdir(join(dir.path, "rules"));
    ruleFile = join(dir.path, "rules", "smo.rules.yml");
    h = await startHarness();
    // What `serve` mounts at POST /v1/alerts: the webhook handler calling the lifecycle.
    webhook = await serveHttp(createAlertWebhookHandler(async (payload) => void (await lifecycle.handleAlerts(payload.alerts))));
    alertmanager = await startAlertmanager(dir.path, `${webhook.url}/v1/alerts`);
    prometheus = await startPrometheus(dir.path, {
      ruleFiles: join(dir.path, "rules", "*.yml"),
      scrapeTargets: ["127.0.0.1:9"],
      alertmanager: `127.0.0.1:${alertmanager.port}`,
    });
    // Rules in file mode: the harness' PrometheusRule sink is swapped for the rule file of this Prometheus.
    lifecycle = h.newLifecycle({ rules: createRuleFileSink({ path: ruleFile, prometheusUrl: prometheus.url }) });
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await webhook?.close();
    await h?.close();
    await dir?.remove();
  });

  it("the rule appears in Prometheus, fires, reaches smo through Alertmanager, and the pending service deploys", async () => {
    const spec = {
      id: "g-stack",
      services: [
        { id: "detector", events: ["motion"], promQuery: "vector(1)", gracePeriod: "1s", connectionPoints: ["store"] },
        { id: "store" },
      ],
    };
    const res = await lifecycle.deploy({ project: "p-stack", descriptor: descriptor(spec) });
    expect(res.graph.services.map((s) => s.status)).toEqual(["pending", "deployed"]);
    const name = alertName("g-stack", "detector", "motion");

    // Prometheus loaded the rule (file mode + reload).
    const loaded = await waitFor(async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
        data: { groups: { rules: { name: string; labels: Record<string, string> }[] }[] };
      };
      return body.data.groups.flatMap((g) => g.rules).find((r) => r.name === name);
    }, "the rule in /api/v1/rules");
    expect(loaded.labels).toMatchObject({ graph: "g-stack", service: "detector", event: "motion", severity: "critical" });

    // vector(1) is always true: after `for` it fires, Alertmanager posts it, the lifecycle deploys the service.
    const deployed = await eventually(
      () => lifecycle.get("g-stack"),
      (g) => g.services[0]!.status === "deployed",
      "the triggered service deployed",
      30_000,
    );
    expect(deployed.status).toBe("running");
    expect((await inventory(h.sim, "p-stack")).deployments).toEqual(["detector", "store"]);
    const types = (await h.store.events.listAfter("g-stack", 0)).map((e) => e.type);
    expect(types).toContain("alert-firing");
    expect(types.filter((t) => t === "service-triggered")).toHaveLength(1);

    // Remove takes the rule out of Prometheus too.
    await lifecycle.remove("g-stack");
    await waitFor(async () => {
      const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string }[] }[] } };
      return body.data.groups.flatMap((g) => g.rules).some((r) => r.name === name) ? undefined : true;
    }, "the rule gone from /api/v1/rules");
  }, 60_000);
});
