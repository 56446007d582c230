// The load forwarder against a real gRPC server standing in for the owner: samples of one event-loop turn ride
// in one call marked as forwarded; a call in flight never holds back the next one (one hop, no queue); a shared
// batch the owner refuses is retried per caller, so each caller gets its own answer; a transport failure is
// UNAVAILABLE.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createServices } from "../../src/api/handlers/index.js";
import { GrpcLoadForwarder } from "../../src/cli/forwarder.js";
import { FailedPreconditionError, UnavailableError } from "../../src/core/errors.js";
import type { LoadSampleInput } from "../../src/core/elasticity/types.js";
import type { LoadSink } from "../../src/core/ha/load-router.js";
import { silentLogger } from "../../src/observability/logger.js";
import { createSolver } from "../../src/solver/solver.js";
import { openMemoryStore, startTestServer, type TestServer } from "../api/helpers.js";

/** The owner's side: records each call; refuses a whole batch naming a stopped graph (as the loop does). */
const calls: { graphs: string[]; forwarded: boolean }[] = [];
let gate: Promise<void> | undefined;
const owner: LoadSink = {
  async report(samples, _trigger, options) {
    calls.push({ graphs: samples.map((s) => s.graph), forwarded: options?.forwarded === true });
    if (samples.some((s) => s.graph === "gated")) await gate;
    if (samples.some((s) => s.graph === "stopped")) throw new FailedPreconditionError('graph "stopped" is not running');
    return samples.length;
  },
};

let server: TestServer;
let address: string;
const forwarder = new GrpcLoadForwarder(undefined);
const sample = (graph: string): LoadSampleInput[] => [{ graph, service: "web", requestsPerSecond: 5 }];

beforeAll(async () => {
  const store = await openMemoryStore();
  server = await startTestServer({ services: createServices({ store, logger: silentLogger(), solver: createSolver({ workers: 0 }), load: owner }) });
  address = server.server.grpcAddress!;
  forwarder.members([address]); // connected before the first sample, as after a lease round
});

afterAll(async () => {
  forwarder.close();
  await server.close();
});

it("sends the samples of one turn in one forwarded call", async () => {
  calls.length = 0;
  const counts = await Promise.all([forwarder.forward(address, sample("a")), forwarder.forward(address, sample("b"))]);
  expect(counts).toEqual([1, 1]);
  expect(calls).toEqual([{ graphs: ["a", "b"], forwarded: true }]);
});

it("does not hold a sample back behind a call still in flight", async () => {
  calls.length = 0;
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  const slow = forwarder.forward(address, sample("gated"));
  await expect.poll(() => calls.length).toBe(1);
  // The owner has not answered the first call: the second is sent and answered anyway.
  expect(await forwarder.forward(address, sample("c"))).toBe(1);
  expect(calls.map((c) => c.graphs)).toEqual([["gated"], ["c"]]);
  open();
  expect(await slow).toBe(1);
});

it("retries a refused shared batch per caller: each caller gets its own answer", async () => {
  calls.length = 0;
  const [ok, refused] = await Promise.allSettled([forwarder.forward(address, sample("a")), forwarder.forward(address, sample("stopped"))]);
  expect(ok).toEqual({ status: "fulfilled", value: 1 });
  expect(refused.status).toBe("rejected");
  expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(FailedPreconditionError);
  expect((refused as PromiseRejectedResult).reason.message).toContain('graph "stopped" is not running');
  expect(calls.map((c) => c.graphs)).toEqual([["a", "stopped"], ["a"], ["stopped"]]);
});

it("answers UNAVAILABLE when the owner cannot be reached", async () => {
  const gone = new GrpcLoadForwarder(undefined);
  try {
    await expect(gone.forward("127.0.0.1:1", sample("a"))).rejects.toBeInstanceOf(UnavailableError);
  } finally {
    gone.close();
  }
});
