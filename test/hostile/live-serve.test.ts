// The hostile-input suite: each case sent to a live `smo serve` (spawned, --karmada sim, in-memory store, a
// token set) must get its named answer (Connect code or HTTP status), nothing may be stored, and the server's
// own smo_event_loop_delay_seconds (scraped after every case) shows how long any case blocked its event loop.
// The delays are reported, not asserted: the machine is shared.
import * as grpc from "@grpc/grpc-js";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureText } from "../fixtures/index.js";
import { spawnServe, type ServeProcess } from "../api/helpers.js";

const TOKEN = "hostile-suite-token";
const AUTH = { authorization: `Bearer ${TOKEN}` };
let serve: ServeProcess;

interface Reply {
  status: number;
  body: string;
}

function http(opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; declaredLength?: number }): Promise<Reply> {
  const address = serve.httpAddress;
  const host = address.slice(0, address.lastIndexOf(":"));
  const port = Number(address.slice(address.lastIndexOf(":") + 1));
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers: Record<string, string | number> = { ...opts.headers };
    headers["content-length"] = opts.declaredLength ?? body?.length ?? 0;
    const req = request({ host, port, method: opts.method ?? "POST", path: opts.path, headers, setHost: !("host" in headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        if (opts.declaredLength !== undefined) req.destroy();
      });
    });
    req.on("error", (err) => (opts.declaredLength !== undefined ? undefined : reject(err)));
    if (body) req.write(body);
    if (opts.declaredLength === undefined) req.end();
  });
}

/** A Connect unary call (JSON) with the token; answers the Connect code ("ok" on success). */
async function rpc(path: string, message: unknown, extra: Record<string, string> = {}): Promise<string> {
  const body = typeof message === "string" || Buffer.isBuffer(message) ? message : JSON.stringify(message);
  const r = await http({ path: `/smo.v1.${path}`, headers: { "content-type": "application/json", ...AUTH, ...extra }, body });
  if (r.status === 200) return "ok";
  try {
    return (JSON.parse(r.body) as { code: string }).code;
  } catch {
    return `http ${r.status}`;
  }
}

function rawGrpc(path: string, bytes: Buffer): Promise<string> {
  const client = new grpc.Client(serve.grpcAddress, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set("authorization", AUTH.authorization);
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (b: Buffer) => b, (b: Buffer) => b, bytes, metadata, (err) => {
      client.close();
      resolve(err ? grpc.status[err.code]!.toLowerCase() : "ok");
    });
  });
}

const deploy = (descriptor: string, project = "hostile") => rpc("GraphService/DeployGraph", { project, descriptor });
const greeter = fixtureText("greeter.yaml");
const withGreeter = (change: (text: string) => string) => deploy(change(greeter));
const alert = (labels: Record<string, string>) =>
  JSON.stringify({ version: "4", status: "firing", receiver: "smo", groupKey: "{}", alerts: [{ status: "firing", labels, startsAt: "2026-01-01T00:00:00Z", fingerprint: "f" }] });
const postAlert = (body: Buffer | string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  http({ path: "/v1/alerts", headers: { ...AUTH, ...headers }, body }).then((r) => `http ${r.status}`);
const placement = (extra: object) => rpc("OptimizerService/DecidePlacement", { clusters: [{ name: "a", cpu: 4 }], services: [{ name: "x", cpu: 1 }], ...extra });
const manyClusters = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, cpu: 4 }));
const manyServices = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i}`, cpu: 0.1 }));
const indented = (levels: number) => Array.from({ length: levels }, (_, i) => `${" ".repeat(i)}k:\n`).join("") + `${" ".repeat(levels)}v\n`;
const bigScalar = "x".repeat(200_000);
/** A valid ~500 KB descriptor: the greeter with 5,000 helm values of ~100 characters, under its own graph id. */
const bigValid = (i: number) =>
  greeter
    .replace("id: greeter-graph", `id: big-${i}`)
    .replace("valuesOverwrite: {}", `valuesOverwrite:\n${Array.from({ length: 5_000 }, (_, k) => `          key${k}: "${"v".repeat(80)}-${k}"`).join("\n")}`);

type Case = [group: string, name: string, expected: string | string[], run: () => Promise<string | string[]>];

const CASES: Case[] = [
  // sizes
  ["sizes", "descriptor over 1 MiB", "invalid_argument", () => deploy(`# ${"x".repeat(1024 * 1024)}\n${greeter}`)],
  ["sizes", "Connect body over 4 MiB", "resource_exhausted", () => rpc("GraphService/DeployGraph", { project: "p", descriptor: "x".repeat(5 * 1024 * 1024) })],
  ["sizes", "empty descriptor", "invalid_argument", () => deploy("")],
  ["sizes", "alert body over 1 MiB", "http 413", () => postAlert(alert({ alertname: "x".repeat(1100 * 1024) }))],
  ["sizes", "promQuery of 5000 characters", "invalid_argument", () => deploy(fixtureText("pipeline-event-any.yaml").replace(/promQuery: .*/, `promQuery: "up > ${"1".repeat(5000)}"`))],
  // depths
  ["depths", "1 MiB of [", "invalid_argument", () => deploy("[".repeat(1024 * 1024 - 16))],
  ["depths", "200k of {", "invalid_argument", () => deploy('{"a":'.repeat(200_000))],
  ["depths", "JSON nested 150 deep", "invalid_argument", () => deploy("[".repeat(150) + "]".repeat(150))],
  ["depths", "block indentation 300 levels", "invalid_argument", () => deploy(indented(300))],
  ["depths", "compact sequences 3000 deep", "invalid_argument", () => deploy("- ".repeat(3000) + "x\n")],
  ["depths", "brackets hidden in quotes to cancel real ones", "invalid_argument", () => deploy("[" + '"]", ['.repeat(400) + "]".repeat(401))],
  // aliases
  ["aliases", "99 aliases of a 200 kB scalar", "invalid_argument", () => deploy(`${greeter}x-pad: &big "${bigScalar}"\nx-more: [${Array(99).fill("*big").join(", ")}]\n`)],
  ["aliases", "billion laughs", "invalid_argument", () => deploy(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(", ")}]`)].join("\n"))],
  ["aliases", "cyclic alias", "invalid_argument", () => deploy("a: &a [*a]\n")],
  ["aliases", "merge keys multiplying", "invalid_argument", () => deploy(["b0: &b0 {k0: " + `"${"y".repeat(50_000)}"` + "}", ...Array.from({ length: 6 }, (_, i) => `b${i + 1}: &b${i + 1} {<<: [${Array(8).fill(`*b${i}`).join(", ")}], k${i + 1}: [${Array(8).fill(`*b${i}`).join(", ")}]}`)].join("\n"))],
  ["aliases", "undefined alias", "invalid_argument", () => deploy("a: *nope\n")],
  // encodings
  ["encodings", "NUL in a descriptor", "invalid_argument", () => withGreeter((t) => t.replace("greeter-graph", "greeter\u0000graph"))],
  ["encodings", "invalid UTF-8 in a Connect JSON body", "invalid_argument", () => rpc("GraphService/GetGraph", Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]))],
  ["encodings", "invalid UTF-8 in a gRPC body", "invalid_argument", () => rawGrpc("/smo.v1.GraphService/GetGraph", Buffer.from([0x0a, 0x03, 0x61, 0xff, 0x62]))],
  ["encodings", "invalid UTF-8 in a Connect application/proto body", "invalid_argument", () => rpc("GraphService/GetGraph", Buffer.from([0x0a, 0x03, 0x61, 0xff, 0x62]), { "content-type": "application/proto" })],
  ["encodings", "truncated Connect application/proto body", "invalid_argument", () => rpc("GraphService/GetGraph", Buffer.from([0x0a, 0x40, 0x61]), { "content-type": "application/proto" })],
  ["encodings", "truncated gRPC body", "invalid_argument", () => rawGrpc("/smo.v1.GraphService/GetGraph", Buffer.from([0x0a, 0x40, 0x61]))],
  ["encodings", "U+FFFD in a name", "invalid_argument", () => rpc("GraphService/GetGraph", { name: "a\uFFFDb" })],
  ["encodings", "malformed JSON", "invalid_argument", () => rpc("GraphService/GetGraph", '{"name": ')],
  ["encodings", "JSON of the wrong type", "invalid_argument", () => rpc("GraphService/GetGraph", '{"name": 12}')],
  ["encodings", "UTF-16 body", "invalid_argument", () => rpc("GraphService/GetGraph", Buffer.from('{"name":"a"}', "utf16le"))],
  ["encodings", "descriptor with tabs for indentation", "invalid_argument", () => deploy("hdaGraph:\n\tid: x\n")],
  ["encodings", "several YAML documents", "invalid_argument", () => deploy(`${greeter}---\n${greeter}`)],
  // numbers
  ["numbers", "maxReplicas 1e9", "invalid_argument", () => deploy(fixtureText("api-scaling.yaml").replace(/maxReplicas: \d+/, "maxReplicas: 1000000000"))],
  ["numbers", "maxReplicas 2^31", "invalid_argument", () => deploy(fixtureText("api-scaling.yaml").replace(/maxReplicas: \d+/, "maxReplicas: 2147483648"))],
  ["numbers", "maxReplicas -1", "invalid_argument", () => deploy(fixtureText("api-scaling.yaml").replace(/maxReplicas: \d+/, "maxReplicas: -1"))],
  ["numbers", "maxReplicas .inf", "invalid_argument", () => deploy(fixtureText("api-scaling.yaml").replace(/maxReplicas: \d+/, "maxReplicas: .inf"))],
  ["numbers", "placement time limit 600 s", "invalid_argument", () => placement({ timeLimitSeconds: 600 })],
  ["numbers", "placement with 65 clusters", "invalid_argument", () => placement({ clusters: manyClusters(65) })],
  ["numbers", "placement with 201 services", "invalid_argument", () => placement({ services: manyServices(201) })],
  ["numbers", "replicas with 201 services", "invalid_argument", () => rpc("OptimizerService/DecideReplicas", { cluster: { cpu: 4 }, services: manyServices(201).map((s) => ({ ...s, alpha: 1, rate: 1, max: 2 })) })],
  ["numbers", "placement cpu Infinity", "invalid_argument", () => placement({ services: [{ name: "x", cpu: "Infinity" }] })],
  ["numbers", "placement cpu NaN", "invalid_argument", () => placement({ services: [{ name: "x", cpu: "NaN" }] })],
  // names
  ["names", "NUL in a graph name", "invalid_argument", () => rpc("GraphService/GetGraph", { name: "a\u0000b" })],
  ["names", "NUL in a project filter", "invalid_argument", () => rpc("GraphService/ListGraphs", { project: "p\u0000" })],
  ["names", "project kube-system", "invalid_argument", () => deploy(greeter, "kube-system")],
  ["names", "project karmada-system", "invalid_argument", () => deploy(greeter, "karmada-system")],
  ["names", "project with upper case", "invalid_argument", () => deploy(greeter, "Hostile")],
  ["names", "project of 64 characters", "invalid_argument", () => deploy(greeter, "p".repeat(64))],
  ["names", "project outside --project-prefix", "invalid_argument", () => deploy(greeter, "other")],
  ["names", "system namespace even when a prefix would allow it", "invalid_argument", () => deploy(greeter, "kube-hostile")],
  ["names", "project ../etc", "invalid_argument", () => deploy(greeter, "../etc")],
  ["names", "graph id with a slash", "invalid_argument", () => withGreeter((t) => t.replace("id: greeter-graph", "id: greeter/graph"))],
  ["names", "service id of 64 characters", "invalid_argument", () => withGreeter((t) => t.replace("- id: greeter", `- id: ${"g".repeat(64)}`))],
  ["names", "a 100 kB graph name", "not_found", () => rpc("GraphService/GetGraph", { name: "g".repeat(100_000) })],
  // headers
  ["headers", "no token", "unauthenticated", () => rpc("GraphService/ListGraphs", {}, { authorization: "" })],
  ["headers", "wrong token", "unauthenticated", () => rpc("GraphService/ListGraphs", {}, { authorization: "Bearer nope" })],
  ["headers", "no token, 64 MiB body declared and unsent", "http 401", () => http({ path: "/smo.v1.GraphService/DeployGraph", headers: { "content-type": "application/json" }, body: "{", declaredLength: 64 * 1024 * 1024 }).then((r) => `http ${r.status}`)],
  ["headers", "no token, unparsable body", "unauthenticated", () => rpc("GraphService/ListGraphs", "{oops", { authorization: "" })],
  ["headers", "Host on a rebinding domain", "http 403", () => http({ path: "/smo.v1.GraphService/ListGraphs", headers: { host: "rebind.attacker.example", "content-type": "application/json", ...AUTH }, body: "{}" }).then((r) => `http ${r.status}`)],
  ["headers", "Host localhost.attacker.example", "http 403", () => http({ method: "GET", path: "/metrics", headers: { host: "localhost.attacker.example", ...AUTH } }).then((r) => `http ${r.status}`)],
  ["headers", "Connect call as text/plain", "http 415", () => http({ path: "/smo.v1.GraphService/ListGraphs", headers: { "content-type": "text/plain", ...AUTH }, body: "{}" }).then((r) => `http ${r.status}`)],
  ["headers", "alert as text/plain", "http 415", () => postAlert(alert({ alertname: "x" }), { "content-type": "text/plain" })],
  ["headers", "alert as a form", "http 415", () => postAlert("a=b", { "content-type": "application/x-www-form-urlencoded" })],
  // origins
  ["origins", "Origin on a Connect call", "http 403", () => http({ path: "/smo.v1.GraphService/ListGraphs", headers: { origin: "http://evil.example", "content-type": "application/json", ...AUTH }, body: "{}" }).then((r) => `http ${r.status}`)],
  ["origins", "Origin null on /v1/alerts", "http 403", () => postAlert(alert({ alertname: "x" }), { "content-type": "application/json", origin: "null" })],
  ["origins", "Origin on /healthz", "http 403", () => http({ method: "GET", path: "/healthz", headers: { origin: "http://evil.example" } }).then((r) => `http ${r.status}`)],
  // alerts
  ["alerts", "NUL in an alert label", "http 400", () => postAlert(alert({ alertname: "a\u0000b" }))],
  ["alerts", "invalid UTF-8 in an alert", "http 400", () => postAlert(Buffer.concat([Buffer.from(alert({ alertname: "x" }).slice(0, -3)), Buffer.from([0xff]), Buffer.from('"}]}')]))],
  ["alerts", "alert that is not JSON", "http 400", () => postAlert("{")],
  // registries
  ["registries", "artifact on a closed loopback port", "invalid_argument", () => rpc("GraphService/DeployGraph", { project: "hostile", artifact: "oci://127.0.0.1:1/x/y:1" })],
  ["registries", "artifact on the metadata address", "invalid_argument", () => rpc("GraphService/DeployGraph", { project: "hostile", artifact: "oci://169.254.169.254/x/y:1" })],
  ["registries", "artifact on localhost", "invalid_argument", () => rpc("GraphService/DeployGraph", { project: "hostile", artifact: "oci://localhost:5000/x/y:1" })],
  ["registries", "artifact on IPv6 loopback", "invalid_argument", () => rpc("GraphService/DeployGraph", { project: "hostile", artifact: "oci://[::1]:5000/x/y:1" })],
  ["registries", "artifact with a bad host", "invalid_argument", () => rpc("GraphService/DeployGraph", { project: "hostile", artifact: "oci://bad_host!/x:1" })],
  ["registries", "descriptor and artifact together", "invalid_argument", () => rpc("GraphService/DeployGraph", { project: "hostile", artifact: "oci://r.example/x:1", descriptor: greeter })],
  // floods
  ["floods", "20 maximal-time placements at once", ["ok", "resource_exhausted"], async () => {
    const codes = await Promise.all(Array.from({ length: 20 }, () => placement({ clusters: manyClusters(8), services: manyServices(30), timeLimitSeconds: 1 })));
    return [...new Set(codes)];
  }],
  ["floods", "200 lookups of missing graphs", "not_found", async () => [...new Set(await Promise.all(Array.from({ length: 200 }, (_, i) => rpc("GraphService/GetGraph", { name: `missing-${i}` }))))]],
  ["floods", "100 calls without a token", "unauthenticated", async () => [...new Set(await Promise.all(Array.from({ length: 100 }, () => rpc("GraphService/ListGraphs", {}, { authorization: "" }))))]],
  ["floods", "30 hostile deploys at once", "invalid_argument", async () => [...new Set(await Promise.all(Array.from({ length: 30 }, () => deploy("[".repeat(500_000)))))]],
  ["floods", "30 valid 500 KB deploys at once (dry run)", "ok", async () => {
    const codes = await Promise.all(Array.from({ length: 30 }, (_, i) => rpc("GraphService/DeployGraph", { project: "hostile", descriptor: bigValid(i), dryRun: true })));
    return [...new Set(codes)];
  }],
];

async function loopDelayMaxMs(): Promise<number> {
  const r = await http({ method: "GET", path: "/metrics", headers: AUTH });
  const m = /smo_event_loop_delay_seconds\{quantile="max"\} ([0-9.e+-]+)/.exec(r.body);
  return m ? Number(m[1]) * 1000 : Number.NaN;
}

const delays: { name: string; ms: number }[] = [];

beforeAll(async () => {
  serve = await spawnServe(["--karmada", "sim", "--project-prefix", "hostile,demo-"], { SMO_TOKEN: TOKEN });
  await loopDelayMaxMs(); // resets the window
}, 120_000);

afterAll(async () => {
  await serve?.stop();
  const sorted = [...delays].sort((a, b) => b.ms - a.ms);
  const median = [...delays].sort((a, b) => a.ms - b.ms)[Math.floor(delays.length / 2)];
  console.log(
    `[hostile] ${CASES.length} cases; event-loop delay max per case (server's own monitorEventLoopDelay): median ${median?.ms.toFixed(1)} ms; worst: ${sorted
      .slice(0, 5)
      .map((d) => `${d.name} ${d.ms.toFixed(1)} ms`)
      .join("; ")}`,
  );
});

describe("hostile input against a live smo serve", () => {
  it("has at least 50 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  for (const [group, name, expected, run] of CASES) {
    it(`${group}: ${name} → ${Array.isArray(expected) ? expected.join(" | ") : expected}`, { timeout: 60_000 }, async () => {
      const got = await run();
      const allowed = Array.isArray(expected) ? expected : [expected];
      for (const code of Array.isArray(got) ? got : [got]) expect(allowed, `${name}: got ${code}`).toContain(code);
      delays.push({ name, ms: await loopDelayMaxMs() });
    });
  }

  it("stored nothing", async () => {
    const r = await http({ path: "/smo.v1.GraphService/ListGraphs", headers: { "content-type": "application/json", ...AUTH }, body: "{}" });
    expect(JSON.parse(r.body)).toEqual({});
    expect(serve.child.exitCode).toBeNull();
  });
});
