// Crash safety: a child process runs a lifecycle mutation on the compiled smo and is SIGKILLed between commit
// and apply (or in the middle of applying); a fresh lifecycle on the same database then resume()s, and Karmada
// (the simulator) and the store must converge with no orphan and no duplicate. On PostgreSQL and PGlite.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, statSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKarmadaClient, createManifestDeployer, createPrometheusRuleSink } from "../../src/adapters/karmada/index.js";
import { openStore } from "../../src/adapters/store/index.js";
import { GraphLifecycle } from "../../src/core/graphs/index.js";
import type { AlertRuleSink } from "../../src/core/ports/observability.js";
import type { Store } from "../../src/core/ports/store.js";
import { createSolver } from "../../src/solver/index.js";
import { startSim, type Sim } from "../../src/sim/index.js";
import { adminQuery, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl } from "../helpers/postgres.js";
import { chain, descriptor } from "./descriptors.js";
import { EMPTY, inventory, logger, policyClusters } from "./harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./crash-child.mjs", import.meta.url));

/** The child runs dist/: it must exist and be newer than the lifecycle sources (npm test builds first). */
function distProblem(): string | undefined {
  for (const dir of ["src/core/graphs", "src/core/clusters"]) {
    for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith(".ts"))) {
      const js = join(ROOT, "dist", dir, f.replace(/\.ts$/, ".js"));
      if (!existsSync(js)) return `dist/ not built (${js} missing): run npx tsc -p tsconfig.json`;
      if (statSync(js).mtimeMs < statSync(join(ROOT, dir, f)).mtimeMs) return `dist/ older than ${dir}/${f}: rebuild`;
    }
  }
  return undefined;
}

function skipReason(reason: string | undefined): string | undefined {
  if (reason && REQUIRE_INTEGRATION) throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${reason}`);
  if (reason) console.warn(`[crash test] skipped: ${reason}`);
  return reason;
}

const distSkip = skipReason(distProblem());
const pgSkip = distSkip ?? skipReason(await postgresUnavailable());

interface Backend {
  name: string;
  skip: string | undefined;
  /** The --db URL, created fresh. */
  prepare(dir: string): Promise<string>;
  cleanup(): Promise<void>;
}

const schema = `smo_crash_${randomBytes(5).toString("hex")}`;
const backends: Backend[] = [
  {
    name: "postgres",
    skip: pgSkip,
    async prepare() {
      await adminQuery(`create schema ${schema}`);
      return schemaUrl(schema);
    },
    cleanup: async () => void (await adminQuery(`drop schema if exists ${schema} cascade`)),
  },
  {
    name: "pglite",
    skip: distSkip,
    prepare: async (dir) => `pglite:${join(dir, "db")}`,
    cleanup: async () => undefined,
  },
];

function runChild(args: Record<string, unknown>): Promise<{ signal: NodeJS.Signals | null; code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal, output }));
  });
}

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`crash safety on ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ""}`, () => {
    let dir: string;
    let sim: Sim;
    let kubeconfig: string;
    let db: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "smo-crash-"));
      sim = await startSim({ clusters: 3, gpuClusters: 1, podStartMs: 30 });
      kubeconfig = join(dir, "kubeconfig.yaml");
      await sim.writeKubeconfig(kubeconfig);
      db = await backend.prepare(dir);
    });
    afterAll(async () => {
      await sim?.close();
      await backend.cleanup().catch(() => undefined);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** A "restarted" smo: a fresh store connection and lifecycle, closed afterwards (PGlite is single-process). */
    async function restarted<T>(fn: (s: { store: Store; lifecycle: GraphLifecycle; rules: AlertRuleSink }) => Promise<T>): Promise<T> {
      const store = await openStore(db, { logger });
      const client = createKarmadaClient({ kubeconfig, logger, timeoutMs: 3000, retry: { attempts: 3, baseMs: 10, maxMs: 50 } });
      const solver = createSolver({ workers: 0 });
      const rules = createPrometheusRuleSink(client);
      const lifecycle = new GraphLifecycle({ store, karmada: client, deployer: createManifestDeployer(client), solver, rules, logger });
      try {
        return await fn({ store, lifecycle, rules });
      } finally {
        await lifecycle.close();
        client.close();
        await solver.close();
        await store.close();
      }
    }

    async function expectConverged(s: { store: Store; lifecycle: GraphLifecycle; rules: AlertRuleSink }, graph: string, project: string) {
      const view = await s.lifecycle.get(graph);
      expect(view.status).toBe("running");
      expect(view.pendingActions).toBe(0);
      expect(view.services.map((x) => [x.name, x.status])).toEqual([
        ["front", "pending"],
        ["middle", "deployed"],
        ["back", "deployed"],
      ]);
      const objects = await inventory(sim, project);
      expect(objects).toEqual({
        deployments: ["back", "middle"],
        services: ["back", "middle"],
        propagationpolicies: ["back", "back-export", "back-import", "middle", "middle-export", "middle-import"],
        serviceexports: ["back", "middle"],
        serviceimports: ["back", "middle"],
      });
      const policies = await policyClusters(sim, project);
      expect(policies.middle).toEqual([view.placement.middle]);
      expect(policies.back).toEqual([view.placement.back]);
      const rules = (await s.rules.listRules()).filter((r) => r.labels.graph === graph);
      expect(rules).toHaveLength(1);
      const events = (await s.store.events.listAfter(graph, 0)).map((e) => e.type);
      expect(events).toEqual(["placed", "deployed"]);
      expect(await s.store.placements.history(graph)).toHaveLength(1);
    }

    it("deploy killed right after commit: resume applies everything once", { timeout: 90_000 }, async () => {
      const run = await runChild({ db, kubeconfig, op: "deploy", project: "crash-a", descriptor: descriptor(chain("g-crash-a", { eventFront: true })), kill: "after-commit" });
      expect(run.signal, run.output).toBe("SIGKILL");
      await restarted(async (s) => {
        const before = await s.store.graphs.get("g-crash-a");
        expect(before?.status).toBe("deploying");
        expect((await s.store.outbox.pending("g-crash-a")).length).toBeGreaterThan(5);
        expect(await inventory(sim, "crash-a")).toEqual(EMPTY);
        const resumed = await s.lifecycle.resume();
        expect(resumed).toEqual({ graphs: ["g-crash-a"], retrying: [] });
        await expectConverged(s, "g-crash-a", "crash-a");
        // A second resume finds nothing to do.
        expect(await s.lifecycle.resume()).toEqual({ graphs: [], retrying: [] });
      });
    });

    it("deploy killed in the middle of applying: resume re-applies idempotently, no duplicate", { timeout: 90_000 }, async () => {
      const run = await runChild({ db, kubeconfig, op: "deploy", project: "crash-b", descriptor: descriptor(chain("g-crash-b", { eventFront: true })), kill: { afterActions: 4 } });
      expect(run.signal, run.output).toBe("SIGKILL");
      await restarted(async (s) => {
        expect((await s.store.graphs.get("g-crash-b"))?.status).toBe("deploying");
        expect((await inventory(sim, "crash-b")).deployments.length).toBeGreaterThan(0);
        await s.lifecycle.resume();
        await expectConverged(s, "g-crash-b", "crash-b");
      });
    });

    it("remove killed in the middle: resume finishes it and leaves no orphan", { timeout: 90_000 }, async () => {
      const run = await runChild({ db, kubeconfig, op: "remove", graph: "g-crash-a", kill: { afterActions: 3 } });
      expect(run.signal, run.output).toBe("SIGKILL");
      await restarted(async (s) => {
        expect((await s.store.graphs.get("g-crash-a"))?.status).toBe("removing");
        await s.lifecycle.resume();
        expect(await s.store.graphs.get("g-crash-a")).toBeUndefined();
        expect(await inventory(sim, "crash-a")).toEqual(EMPTY);
        expect((await s.rules.listRules()).filter((r) => r.labels.graph === "g-crash-a")).toEqual([]);
        // The other graph is untouched.
        await expectConverged(s, "g-crash-b", "crash-b");
      });
    });
  });
}
