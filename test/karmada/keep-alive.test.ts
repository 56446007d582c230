// Requests to the API server share kept-alive connections: client-node would open a new one (a TCP, and against a
// real Karmada a TLS, handshake) for every call. A minimal API server counts the connections it accepts.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKubeAccess } from "../../src/adapters/karmada/kube.js";

let server: Server;
let connections = 0;
let requests: string[] = [];
let kubeconfig = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""}`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "p" }, spec: { replicas: 3 } }));
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: secret-token } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("Karmada client connections", () => {
  it("sends sequential calls of every API group over one kept-alive connection, with the credentials on each", async () => {
    const access = createKubeAccess(kubeconfig, { logger: pino({ level: "silent" }), timeoutMs: 2000, retry: { attempts: 1, baseMs: 1, maxMs: 1 } });
    connections = 0;
    requests = [];
    for (let i = 0; i < 5; i++) {
      const d = await access.apps.readNamespacedDeployment({ name: "web", namespace: "p" });
      expect(d.spec?.replicas).toBe(3);
    }
    await access.core.readNamespace({ name: "p" });
    await access.custom.getClusterCustomObject({ group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters", name: "m1" });
    expect(requests).toHaveLength(7);
    expect(requests.every((r) => r.endsWith("Bearer secret-token"))).toBe(true);
    expect(connections).toBe(1);
  });
});
