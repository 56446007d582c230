// Crash safety of the real sidecar: `smo serve` (compiled) is SIGKILLed between the commit of a DeployGraph and
// its Karmada actions (--fault-kill-after-commit deploy); a new `smo serve` on the same database resumes at
// start-up, and the simulated federation (a separate process here: the test's own) and the store converge with
// no orphan and no duplicate. On PostgreSQL and on pglite:PATH.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GraphStatus, ServiceStatus } from "../../src/gen/smo/v1/types_pb.js";
import { SmoClient } from "../../src/cli/client.js";
import { startSim, type Sim } from "../../src/sim/index.js";
import { adminQuery, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl } from "../helpers/postgres.js";
import { chain, descriptor } from "./descriptors.js";
import { inventory } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "dist/src/cli/bin.js");

function skip(reason: string | undefined): string | undefined {
  if (reason && REQUIRE_INTEGRATION) throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${reason}`);
  if (reason) console.warn(`[serve crash test] skipped: ${reason}`);
  return reason;
}

const distSkip = skip(existsSync(BIN) ? undefined : `${BIN} missing: build first (npm test does)`);
const pgSkip = distSkip ?? skip(await postgresUnavailable());
const schema = `smo_serve_crash_${randomBytes(4).toString("hex")}`;

interface Serve {
  child: ChildProcess;
  address: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function serve(db: string, kubeconfig: string, extra: string[] = []): Serve {
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--db", db, "--karmada", kubeconfig, "--listen", "127.0.0.1:0", "--http-listen", "none", "--log-level", "info", ...extra],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const address = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d;
      for (const line of out.split("\n")) {
        if (!line.includes('"smo serving"')) continue;
        try {
          resolve(JSON.parse(line).grpc as string);
        } catch {
          // partial line; wait for more
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (out += d));
    child.once("exit", (code, signal) => reject(new Error(`smo serve exited (${code ?? signal}) before serving:\n${out}`)));
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  address.catch(() => undefined);
  return { child, address, exit, output: () => out };
}

const backends = [
  {
    name: "postgres",
    skip: pgSkip,
    async url() {
      await adminQuery(`create schema ${schema}`);
      return schemaUrl(schema);
    },
    cleanup: async () => void (await adminQuery(`drop schema if exists ${schema} cascade`)),
  },
  { name: "pglite", skip: distSkip, url: async (dir: string) => `pglite:${join(dir, "db")}`, cleanup: async () => undefined },
];

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`smo serve killed between commit and apply (${backend.name})`, () => {
    let dir: string;
    let sim: Sim;
    let kubeconfig: string;
    let db: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "smo-serve-crash-"));
      sim = await startSim({ clusters: 3, gpuClusters: 1, podStartMs: 30 });
      kubeconfig = join(dir, "kubeconfig.yaml");
      await sim.writeKubeconfig(kubeconfig);
      db = await backend.url(dir);
    });
    afterAll(async () => {
      await sim?.close();
      await backend.cleanup().catch(() => undefined);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("resumes the deploy at restart: everything applied once, redeploy is a no-op", { timeout: 90_000 }, async () => {
      const text = descriptor(chain("g-serve-crash"));
      const project = "serve-crash";

      const first = serve(db, kubeconfig, ["--fault-kill-after-commit", "deploy"]);
      const client = new SmoClient({ address: await first.address, deadlineMs: 20_000 });
      const call = client.unary(GraphService.method.deployGraph, { project, descriptor: text });
      await expect(call).rejects.toMatchObject({ code: expect.any(Number) });
      client.close();
      const died = await first.exit;
      expect(died.signal, first.output()).toBe("SIGKILL");
      // Committed, not applied: nothing of the graph on Karmada yet.
      expect((await inventory(sim, project)).deployments).toEqual([]);

      const second = serve(db, kubeconfig);
      const again = new SmoClient({ address: await second.address, deadlineMs: 20_000 });
      try {
        // On PostgreSQL the killed process may have taken the project's lease (it heard its own commit): the new
        // one resumes once that lease expires (--lease-duration), not at once.
        let graph;
        for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
          ({ graph } = await again.unary(GraphService.method.getGraph, { name: "g-serve-crash" }));
          if (graph?.status === GraphStatus.RUNNING && graph.pendingActions === 0) break;
        }
        expect(graph?.status).toBe(GraphStatus.RUNNING);
        expect(graph?.services.map((s) => [s.name, s.status])).toEqual([
          ["front", ServiceStatus.DEPLOYED],
          ["middle", ServiceStatus.DEPLOYED],
          ["back", ServiceStatus.DEPLOYED],
        ]);
        const objects = await inventory(sim, project);
        expect(objects.deployments).toEqual(["back", "front", "middle"]);
        expect(objects.services).toEqual(["back", "front", "middle"]);
        expect(objects.propagationpolicies).toEqual([
          "back", "back-export", "back-import", "front", "middle", "middle-export", "middle-import",
        ]);
        // The same descriptor again: the existing graph, nothing created twice.
        const redeploy = await again.unary(GraphService.method.deployGraph, { project, descriptor: text });
        expect(redeploy.created).toBe(false);
        expect(await inventory(sim, project)).toEqual(objects);
      } finally {
        again.close();
        second.child.kill("SIGTERM");
      }
      expect((await second.exit).code, second.output()).toBe(0);
    });
  });
}
