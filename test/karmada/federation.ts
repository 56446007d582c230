// The Karmada adapter testbed: smo's simulator in-process on an ephemeral port, its
// kubeconfig written to a temp file, and the real client-node adapter pointed at it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSim } from "../../src/sim/index.js";
import { createKarmadaClient, type KarmadaAdapter, type RetryPolicy } from "../../src/adapters/karmada/index.js";
import type { Logger } from "pino";
import { silentLogger } from "./fixtures.js";

export type Sim = Awaited<ReturnType<typeof startSim>>;

export interface ConnectOptions {
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

export interface KarmadaTestbed {
  sim: Sim;
  kubeconfigPath: string;
  client: KarmadaAdapter;
  /** Another client on the same federation, e.g. with a different timeout. */
  connect(options?: ConnectOptions): KarmadaAdapter;
  stop(): Promise<void>;
}

export async function startKarmadaTestbed(simOptions: Parameters<typeof startSim>[0] = {}): Promise<KarmadaTestbed> {
  const dir = await mkdtemp(join(tmpdir(), "smo-karmada-test-"));
  const sim = await startSim({ clusters: 3, gpuClusters: 1, podStartMs: 50, ...simOptions });
  const kubeconfigPath = join(dir, "kubeconfig.yaml");
  await sim.writeKubeconfig(kubeconfigPath);
  const clients: KarmadaAdapter[] = [];
  const connect = (options: ConnectOptions = {}) => {
    const client = createKarmadaClient({ kubeconfig: kubeconfigPath, logger: silentLogger, ...options });
    clients.push(client);
    return client;
  };
  const client = connect({ retry: { attempts: 8, baseMs: 20, maxMs: 200 } });
  return {
    sim,
    kubeconfigPath,
    client,
    connect,
    async stop() {
      for (const c of clients) c.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export { eventually } from "../helpers/poll.js";
