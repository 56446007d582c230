// The HTTP port against browser-borne requests: DNS rebinding (Host), cross-origin posts (Origin, text/plain to
// /v1/alerts), and the bearer token checked on headers before any body is read.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/core/ports/store.js";
import { startServer, type RunningServer } from "../../src/api/server.js";
import { createServices } from "../../src/api/handlers/index.js";
import { createSolver } from "../../src/solver/solver.js";
import { silentLogger } from "../../src/observability/logger.js";
import { createRegistry } from "../../src/observability/metrics.js";
import { createAlertWebhookHandler, type AlertmanagerWebhook } from "../../src/adapters/prometheus/alertmanager.js";
import { isHostAllowed } from "../../src/api/http-guard.js";
import { ConfigError, parseServeConfig } from "../../src/cli/serve-config.js";
import { openMemoryStore } from "./helpers.js";

const TOKEN = "guard-token";
let store: Store;
let open: RunningServer; // no token
let guarded: RunningServer; // token
const received: AlertmanagerWebhook[] = [];

interface Reply {
  status: number;
  body: string;
}

/** A raw request, so that Host, Origin and a body longer than what is sent can be set freely. */
function send(address: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; declaredLength?: number }): Promise<Reply> {
  const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers: Record<string, string | number> = { ...opts.headers };
    if (opts.declaredLength !== undefined) headers["content-length"] = opts.declaredLength;
    else if (body) headers["content-length"] = body.length;
    const req = request({ host, port, method: opts.method ?? "POST", path: opts.path, headers, setHost: !("host" in headers) }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body: text });
        if (opts.declaredLength !== undefined) req.destroy();
      });
      res.on("error", reject);
    });
    req.on("error", (err) => (opts.declaredLength !== undefined ? undefined : reject(err)));
    if (body) req.write(body);
    // With a declared length longer than the body, the request stays open: the answer must come anyway.
    if (opts.declaredLength === undefined) req.end();
  });
}

const ALERT = JSON.stringify({
  version: "4",
  status: "firing",
  receiver: "smo",
  groupKey: "{}",
  alerts: [{ status: "firing", labels: { alertname: "x" }, startsAt: "2026-01-01T00:00:00Z", fingerprint: "f" }],
});

beforeAll(async () => {
  store = await openMemoryStore();
  const logger = silentLogger();
  const start = (token?: string): Promise<RunningServer> =>
    startServer({
      services: createServices({ store, logger, solver: createSolver({ workers: 0 }) }),
      httpListen: "127.0.0.1:0",
      token,
      allowedHosts: ["smo.internal"],
      logger,
      registry: createRegistry({ processMetrics: false }),
      httpRoutes: [{ method: "POST", path: "/v1/alerts", handle: createAlertWebhookHandler((p) => void received.push(p)) }],
      drainTimeoutMs: 500,
    });
  open = await start();
  guarded = await start(TOKEN);
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await store?.close();
});

const list = { path: "/smo.v1.GraphService/ListGraphs", headers: { "content-type": "application/json" }, body: "{}" };

describe("Host (DNS rebinding)", () => {
  it("answers loopback names, IP literals and --allowed-hosts names", async () => {
    const port = open.httpAddress!.split(":")[1];
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, "10.1.2.3", "smo.internal", "app.localhost:1"]) {
      expect((await send(open.httpAddress!, { ...list, headers: { ...list.headers, host } })).status, host).toBe(200);
    }
  });

  it("refuses any other name with 403 before routing, /healthz included", async () => {
    for (const host of ["rebind.attacker.example", "localhost.attacker.example:80", "smo.internal.evil", "bad host"]) {
      const r = await send(open.httpAddress!, { ...list, headers: { ...list.headers, host } });
      expect(r.status, host).toBe(403);
      expect(r.body).toMatch(/DNS rebinding/);
    }
    expect((await send(open.httpAddress!, { method: "GET", path: "/healthz", headers: { host: "evil.example" } })).status).toBe(403);
  });

  it("isHostAllowed: an absent header is not a browser's; malformed ones are refused", () => {
    expect(isHostAllowed(undefined, [])).toBe(true);
    expect(isHostAllowed("", [])).toBe(false);
    expect(isHostAllowed("a:b:c", [])).toBe(false);
    expect(isHostAllowed("LOCALHOST.", [])).toBe(true);
  });
});

describe("Origin and content type", () => {
  it("refuses a request from a browser page (Origin) on every route", async () => {
    const r = await send(open.httpAddress!, { ...list, headers: { ...list.headers, origin: "http://evil.example" } });
    expect(r.status).toBe(403);
    const alert = await send(open.httpAddress!, { path: "/v1/alerts", headers: { "content-type": "application/json", origin: "null" }, body: ALERT });
    expect(alert.status).toBe(403);
    expect(received).toHaveLength(0);
  });

  it("/v1/alerts refuses text/plain and form posts (no preflight) with 415, and takes application/json", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expect((await send(open.httpAddress!, { path: "/v1/alerts", headers: { "content-type": type }, body: ALERT })).status).toBe(415);
    }
    expect(received).toHaveLength(0);
    const ok = await send(open.httpAddress!, { path: "/v1/alerts", headers: { "content-type": "application/json; charset=utf-8" }, body: ALERT });
    expect(ok.status).toBe(200);
    expect(received).toHaveLength(1);
  });

  it("/v1/alerts answers NUL in a label and invalid UTF-8 with 400 naming the field", async () => {
    const nul = ALERT.replace('"alertname":"x"', '"alertname":"x\\u0000y"');
    const r = await send(open.httpAddress!, { path: "/v1/alerts", headers: { "content-type": "application/json" }, body: nul });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/alerts\[0\]\.labels\.alertname.*NUL/);
    const bad = Buffer.concat([Buffer.from(ALERT.slice(0, -2)), Buffer.from([0xff, 0xfe]), Buffer.from("}]")]);
    const u = await send(open.httpAddress!, { path: "/v1/alerts", headers: { "content-type": "application/json" }, body: bad });
    expect(u.status).toBe(400);
    expect(u.body).toMatch(/UTF-8/);
    expect(received).toHaveLength(1);
  });
});

describe("token before body", () => {
  it("answers a Connect call without the token 401 while its declared 64 MiB body is still unsent", async () => {
    const r = await send(guarded.httpAddress!, { ...list, body: "{", declaredLength: 64 * 1024 * 1024 });
    expect(r.status).toBe(401);
    expect(r.body).toMatch(/unauthenticated/);
  });

  it("answers an unparsable Connect body without the token 401, not 400", async () => {
    const r = await send(guarded.httpAddress!, { ...list, body: "{not json" });
    expect(r.status).toBe(401);
    expect((await send(guarded.httpAddress!, { ...list, body: "{not json", headers: { ...list.headers, authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
  });
});

describe("listeners beyond loopback", () => {
  it("refuse to start without a token", () => {
    expect(() => parseServeConfig(["--listen", "0.0.0.0:50051"], {})).toThrow(ConfigError);
    expect(() => parseServeConfig(["--http-listen", "[::]:50052"], {})).toThrow(/beyond loopback/);
    expect(parseServeConfig(["--listen", "0.0.0.0:50051", "--allowed-hosts", "a,b"], { SMO_TOKEN: "t" })).toMatchObject({ allowedHosts: ["a", "b"] });
    expect(parseServeConfig(["--listen", "[::1]:1", "--http-listen", "localhost:2"], {})).toMatchObject({ token: undefined });
  });
});
