// Bearer token on the TCP listeners (gRPC and HTTP); the Unix socket relies on its 0600 mode.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import type { Store } from "../../src/core/ports/store.js";
import { createTokenCheck } from "../../src/api/auth.js";
import { SmoClient } from "../../src/cli/client.js";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { healthStatus, openMemoryStore, reflectionServices, startTestServer, type TestServer } from "./helpers.js";

const TOKEN = "s3cret-token-for-tests";
let store: Store;
let t: TestServer;

beforeAll(async () => {
  store = await openMemoryStore();
  t = await startTestServer({ store, token: TOKEN });
});

afterAll(async () => {
  await t?.close();
  await store?.close();
});

async function listOver(address: string, token?: string) {
  const client = new SmoClient({ address, token, deadlineMs: 5_000 });
  try {
    return await client.unary(GraphService.method.listGraphs, {});
  } finally {
    client.close();
  }
}

function connectList(headers: Record<string, string> = {}) {
  return fetch(`http://${t.server.httpAddress}/smo.v1.GraphService/ListGraphs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: "{}",
  });
}

describe("gRPC over TCP", () => {
  it("rejects a call without a token with UNAUTHENTICATED", async () => {
    await expect(listOver(t.server.grpcAddress!)).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });

  it("rejects a wrong token, including a prefix of the right one", async () => {
    await expect(listOver(t.server.grpcAddress!, "wrong")).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await expect(listOver(t.server.grpcAddress!, TOKEN.slice(0, -1))).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
  });

  it("accepts the right token", async () => {
    expect((await listOver(t.server.grpcAddress!, TOKEN)).graphs).toEqual([]);
  });

  it("guards reflection too, but leaves health open for probes", async () => {
    await expect(reflectionServices(t.server.grpcAddress!, "v1")).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    expect(await healthStatus(t.server.grpcAddress!, "")).toBe("SERVING");
  });
});

describe("Unix socket", () => {
  it("needs no token", async () => {
    expect((await listOver(`unix://${t.socketPath}`)).graphs).toEqual([]);
    expect(await reflectionServices(`unix://${t.socketPath}`, "v1")).toContain("smo.v1.GraphService");
  });
});

describe("HTTP port", () => {
  it("rejects Connect calls without or with a wrong token (401 unauthenticated)", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer nope" }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const res = await connectList(headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe("unauthenticated");
    }
  });

  it("accepts Connect calls with the token", async () => {
    const res = await connectList({ authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
  });

  it("guards /metrics and leaves /healthz open", async () => {
    expect((await fetch(`http://${t.server.httpAddress}/metrics`)).status).toBe(401);
    expect((await fetch(`http://${t.server.httpAddress}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`http://${t.server.httpAddress}/healthz`)).status).toBe(200);
  });
});

describe("createTokenCheck", () => {
  it("accepts only `Bearer <token>` with the exact token", () => {
    const check = createTokenCheck("abc");
    expect(check("Bearer abc")).toBe(true);
    expect(check("bearer abc")).toBe(true);
    expect(check("Bearer abcd")).toBe(false);
    expect(check("Bearer ab")).toBe(false);
    expect(check("abc")).toBe(false);
    expect(check("Basic abc")).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(check("")).toBe(false);
  });
});
