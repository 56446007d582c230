// `npm start`'s command (`smo serve --db pglite:DIR --karmada sim --demo true`) serves as soon as the store is
// open and the read model loaded; inventory, outbox resume, drift repair and the demo graph follow
// (docs/operations.md#start-up). On an existing directory the simulated federation starts empty, so the demo
// graph must be repaired: it is, after the serving line, and GetGraph answers from the read model before that.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SmoClient } from "../../src/cli/client.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GraphStatus } from "../../src/gen/smo/v1/types_pb.js";
import { healthStatus, spawnServe, type ServeProcess } from "../api/helpers.js";

const FINISHED = "start-up finished";

async function waitForLine(serve: ServeProcess, text: string, timeoutMs = 90_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const index = serve.lines.findIndex((l) => l.includes(text));
    if (index >= 0) return index;
    if (Date.now() > until) throw new Error(`no log line with "${text}" in:\n${serve.lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("smo serve start-up on PGlite with the demo graph", () => {
  let dir: string;
  let serve: ServeProcess | undefined;
  const args = () => ["--db", `pglite:${join(dir, "db")}`, "--karmada", "sim", "--demo", "true", "--sim-pod-start", "50ms"];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "smo-startup-"));
    // A new directory: the demo graph is deployed after serving; the second start finds it stored.
    const first = await spawnServe(args());
    try {
      await waitForLine(first, FINISHED);
      expect(first.lines.some((l) => l.includes('"msg":"demo graph ready"'))).toBe(true);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  }, 180_000);

  afterAll(async () => {
    await serve?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers GetGraph at once on an existing directory, repairs the demo graph after serving, then reports start-up done", async () => {
    serve = await spawnServe(args());
    const client = new SmoClient({ address: serve.grpcAddress, deadlineMs: 10_000 });
    try {
      // Asked right at the serving line, before the start-up steps could have re-applied anything.
      const { graph } = await client.unary(GraphService.method.getGraph, { name: "demo-graph" });
      expect(graph?.project).toBe("demo");
      expect(graph?.status).toBe(GraphStatus.RUNNING);
      expect(graph?.services.map((s) => s.name).sort()).toEqual(["api", "inference", "report", "web"]);

      const serving = await waitForLine(serve, '"msg":"smo serving"');
      const repaired = await waitForLine(serve, "re-applied graphs that drifted on Karmada");
      const finished = await waitForLine(serve, FINISHED);
      expect(repaired).toBeGreaterThan(serving);
      expect(finished).toBeGreaterThan(repaired);
      expect(await healthStatus(serve.grpcAddress, "smo.startup")).toBe("SERVING");
      const health = await fetch(`http://${serve.httpAddress}/healthz`);
      expect(await health.json()).toEqual({ status: "SERVING" });
    } finally {
      client.close();
    }
  }, 120_000);
});
