// The smo servers in-process over the real graph lifecycle: the test/graphs harness (simulated Karmada on an
// ephemeral port, client-node adapter, manifest deployer, PrometheusRule sink, inline solver, PGlite in memory)
// behind GraphService and ClusterService, and a grpc-js client. Shared by test/api and test/cli.
import { createServices } from "../../src/api/handlers/index.js";
import { SmoClient, badRequestViolations, type FieldViolation } from "../../src/cli/client.js";
import type { GraphLifecycleOptions } from "../../src/core/graphs/index.js";
import { silentLogger } from "../../src/observability/logger.js";
import { startHarness, type Harness } from "../graphs/harness.js";
import { startTestServer, type TestServer } from "./helpers.js";

export interface LifecycleServer {
  h: Harness;
  t: TestServer;
  /** host:port of the gRPC listener. */
  address: string;
  client: SmoClient;
  close(): Promise<void>;
}

export async function startLifecycleServer(options: { lifecycle?: Partial<GraphLifecycleOptions> } = {}): Promise<LifecycleServer> {
  const h = await startHarness({ lifecycle: options.lifecycle });
  let t: TestServer;
  try {
    const services = createServices({ store: h.store, logger: silentLogger(), solver: h.solver, lifecycle: h.lifecycle });
    t = await startTestServer({ services });
  } catch (err) {
    await h.close();
    throw err;
  }
  const address = t.server.grpcAddress!;
  const client = new SmoClient({ address, deadlineMs: 20_000 });
  return {
    h,
    t,
    address,
    client,
    async close() {
      client.close();
      await t.close();
      await h.close();
    },
  };
}

/** The gRPC status code and BadRequest field violations of a rejected call. */
export async function rejection(call: Promise<unknown>): Promise<{ code: number; details: string; violations: FieldViolation[] }> {
  try {
    await call;
  } catch (err) {
    const e = err as { code: number; details: string };
    return { code: e.code, details: e.details, violations: badRequestViolations(err) };
  }
  throw new Error("the call succeeded; a rejection was expected");
}

/** Every message of a server stream (until it ends or `signal` aborts). */
export async function collect<T>(stream: AsyncIterable<T>, until?: (item: T, all: T[]) => boolean): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) {
    out.push(item);
    if (until?.(item, out)) break;
  }
  return out;
}
