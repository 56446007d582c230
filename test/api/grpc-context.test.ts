// The lazily built handler context of grpc-js calls (src/api/grpc-context.ts): a signal read late still reflects
// what already happened to the call, deadlines and cancels reach the handler with their own codes, and a call
// that never read its signal leaves no listener on the shared shutdown signal.
import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { EventEmitter, getEventListeners, once } from "node:events";
import { Code, ConnectError } from "@connectrpc/connect";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { GrpcHandlerContext } from "../../src/api/grpc-context.js";
import { registration } from "../../src/api/registration.js";
import { SmoClient } from "../../src/cli/client.js";
import { startTestServer } from "./helpers.js";

function fakeCall(deadline: number = Infinity) {
  const call = Object.assign(new EventEmitter(), {
    cancelled: false,
    metadata: new grpc.Metadata(),
    getDeadline: () => deadline,
  });
  return call;
}

const method = GraphService.method.getGraph;

function contextOf(call: ReturnType<typeof fakeCall>, shutdown = new AbortController().signal) {
  return new GrpcHandlerContext(GraphService, method, call as never, shutdown);
}

function codeOf(reason: unknown): Code | undefined {
  return reason instanceof ConnectError ? reason.code : undefined;
}

describe("GrpcHandlerContext", () => {
  it("reports a cancel that happened before the signal was first read", () => {
    const call = fakeCall();
    const context = contextOf(call);
    expect(context.peekAbortReason()).toBeUndefined();
    call.cancelled = true;
    call.emit("cancelled");
    expect(codeOf(context.peekAbortReason())).toBe(Code.Canceled);
    expect(context.signal.aborted).toBe(true);
    expect(codeOf(context.signal.reason)).toBe(Code.Canceled);
  });

  it("aborts a signal read before the deadline when the deadline passes", async () => {
    const context = contextOf(fakeCall(Date.now() + 30));
    expect(context.timeoutMs()).toBeGreaterThan(0);
    expect(context.signal.aborted).toBe(false);
    await once(context.signal, "abort");
    expect(codeOf(context.signal.reason)).toBe(Code.DeadlineExceeded);
    expect(context.timeoutMs()).toBe(0);
  });

  it("reads every value of a repeated metadata key, binary ones in base64, as request headers", () => {
    const call = fakeCall();
    call.metadata.set("x-smo-forwarded", "1");
    call.metadata.add("x-many", "a");
    call.metadata.add("x-many", "b");
    call.metadata.set("x-bin", Buffer.from([1, 2, 3]));
    const context = contextOf(call);
    const names = ["x-smo-forwarded", "X-SMO-FORWARDED", "x-many", "x-bin", "absent"];
    expect(names.map((n) => context.requestHeader.get(n))).toEqual(["1", "1", "a, b", "AQID", null]);
  });

  it("reads metadata as request headers, and takes a forced shutdown as the abort reason", () => {
    const call = fakeCall();
    call.metadata.set("x-smo-forwarded", "1");
    const shutdown = new AbortController();
    const context = contextOf(call, shutdown.signal);
    expect(context.requestHeader.get("x-smo-forwarded")).toBe("1");
    const signal = context.signal;
    shutdown.abort(new ConnectError("server is shutting down", Code.Unavailable));
    expect(codeOf(signal.reason)).toBe(Code.Unavailable);
  });

  it("aborts a signal handed out once the call ends and releases every listener", () => {
    const call = fakeCall(Date.now() + 60_000);
    const shutdown = new AbortController();
    const untouched = contextOf(call, shutdown.signal);
    untouched.end();
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
    expect(call.listenerCount("cancelled")).toBe(0);

    const read = contextOf(call, shutdown.signal);
    const signal = read.signal;
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(1);
    read.end();
    expect(signal.aborted).toBe(true);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
    expect(call.listenerCount("cancelled")).toBe(0);
    // Read after the end: aborted at once, nothing attached.
    const late = contextOf(call, shutdown.signal);
    late.end();
    expect(late.signal.aborted).toBe(true);
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
  });
});

describe("a unary handler over grpc-js", () => {
  it("sees the client's deadline as DEADLINE_EXCEEDED and the call is counted with that code", async () => {
    let seen: unknown;
    const slow = registration(GraphService, {
      async getGraph(_req, ctx) {
        await once(ctx.signal, "abort").catch(() => undefined);
        seen = ctx.signal.reason;
        return { graph: { name: "late" } };
      },
    });
    const t = await startTestServer({ services: [slow] });
    const client = new SmoClient({ address: t.server.grpcAddress!, deadlineMs: 150 });
    try {
      await expect(client.unary(GraphService.method.getGraph, { name: "g" })).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
      await expect.poll(() => codeOf(seen)).toBe(Code.DeadlineExceeded);
      const metrics = await t.registry.getSingleMetricAsString("smo_rpc_total");
      expect(metrics).toMatch(/method="GetGraph",transport="grpc",code="DEADLINE_EXCEEDED"/);
    } finally {
      client.close();
      await t.close();
    }
  });

  it("counts a fast call that never read its signal as OK", async () => {
    const fast = registration(GraphService, {
      async getGraph(req) {
        return { graph: { name: req.name } };
      },
    });
    const t = await startTestServer({ services: [fast] });
    const client = new SmoClient({ address: t.server.grpcAddress! });
    try {
      for (let i = 0; i < 5; i++) expect((await client.unary(GraphService.method.getGraph, { name: `g${i}` })).graph?.name).toBe(`g${i}`);
      const metrics = await t.registry.getSingleMetricAsString("smo_rpc_total");
      expect(metrics).toMatch(/method="GetGraph",transport="grpc",code="OK"} 5/);
    } finally {
      client.close();
      await t.close();
    }
  });
});
