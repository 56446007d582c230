// NUL and invalid UTF-8 in a request: INVALID_ARGUMENT naming the field on gRPC and Connect (JSON), never
// INTERNAL with the database's message.
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/core/ports/store.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { SmoClient } from "../../src/cli/client.js";
import { openMemoryStore, startTestServer, type TestServer } from "./helpers.js";

let store: Store;
let t: TestServer;

beforeAll(async () => {
  store = await openMemoryStore();
  t = await startTestServer({ store });
});
afterAll(async () => {
  await t?.close();
  await store?.close();
});

function connect(method: string, body: Buffer | string, type = "application/json") {
  return fetch(`http://${t.server.httpAddress}/smo.v1.GraphService/${method}`, { method: "POST", headers: { "content-type": type }, body });
}

/** A raw gRPC unary call with hand-made request bytes (a GetGraphRequest whose name is not UTF-8). */
function rawGrpc(path: string, bytes: Buffer): Promise<grpc.ServiceError | undefined> {
  const client = new grpc.Client(t.server.grpcAddress!, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, (err) => {
      client.close();
      resolve(err ?? undefined);
    });
  });
}

describe("NUL in a field", () => {
  it("gRPC: INVALID_ARGUMENT naming the field", async () => {
    const client = new SmoClient({ address: t.server.grpcAddress!, deadlineMs: 5_000 });
    try {
      await expect(client.unary(GraphService.method.getGraph, { name: "a\u0000b" })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringMatching(/name must not contain NUL/) });
      await expect(client.unary(GraphService.method.listGraphs, { project: "p\u0000" })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    } finally {
      client.close();
    }
  });

  it("Connect: 400 invalid_argument", async () => {
    const r = await connect("GetGraph", '{"name":"a\\u0000b"}');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: "invalid_argument" });
  });
});

describe("invalid UTF-8", () => {
  it("gRPC (binary): INVALID_ARGUMENT, not INTERNAL", async () => {
    const err = await rawGrpc("/smo.v1.GraphService/GetGraph", Buffer.from([0x0a, 0x03, 0x61, 0xff, 0x62]));
    expect(err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/UTF-8/);
  });

  it("Connect (JSON): 400 invalid_argument", async () => {
    const r = await connect("GetGraph", Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]));
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ code: "invalid_argument" });
  });

  it("nothing was stored", async () => {
    expect(await store.graphs.list()).toEqual([]);
  });
});
