// Drives the simulator with the real kubectl exactly as an operator would: list member clusters, create a
// namespace and a Deployment, set its requests, apply a PropagationPolicy, scale, watch, and read errors.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type Sim } from "../../src/sim/index.js";
import { requireBinaries, tempDir, waitFor } from "../helpers/processes.js";

const KUBECTL = "/usr/bin/kubectl";
const avail = requireBinaries(KUBECTL);
const run = promisify(execFile);

describe.skipIf(avail.skip)(`simulator driven by kubectl${avail.reason}`, () => {
  let sim: Sim;
  let dir: { path: string; remove(): Promise<void> };
  let kubeconfig: string;

  async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { timeout: 20_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  }
  async function ok(...args: string[]): Promise<string> {
    const r = await kubectl(...args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }
  async function json(...args: string[]) {
    return JSON.parse(await ok(...args, "-o", "json"));
  }

  beforeAll(async () => {
    dir = await tempDir("smo-sim-kubectl-");
    // No token: kubectl (clientcmd) applies user credentials only to https servers.
    sim = await startSim({ clusters: 3, gpuClusters: 1, podStartMs: 50 });
    kubeconfig = join(dir.path, "kubeconfig.yaml");
    await sim.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await sim?.close();
    await dir?.remove();
  });

  it("lists the member clusters with Karmada's printer columns", async () => {
    const out = await ok("get", "clusters.cluster.karmada.io");
    expect(out.split("\n")[0]).toMatch(/^NAME\s+VERSION\s+MODE\s+READY\s+AGE/);
    for (const m of ["member1", "member2", "member3"]) expect(out).toMatch(new RegExp(`${m}\\s+v1\\.32\\.0\\s+Push\\s+True`));
    const list = await json("get", "clusters.cluster.karmada.io");
    const m1 = list.items.find((c: { metadata: { name: string } }) => c.metadata.name === "member1");
    expect(m1.status.resourceSummary.allocatable).toMatchObject({ cpu: "16", memory: "64Gi", "nvidia.com/gpu": "4" });
  });

  it("answers NotFound for a missing object", async () => {
    const r = await kubectl("-n", "default", "get", "deployment", "nope");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (NotFound): deployments.apps "nope" not found');
  });

  it("runs a Deployment on the member its PropagationPolicy names, scaled and resized with kubectl", async () => {
    await ok("create", "namespace", "shop");
    await ok("-n", "shop", "create", "deployment", "web", "--image=nginx:1.27", "--port=80");
    await ok("-n", "shop", "set", "resources", "deployment", "web", "--requests=cpu=2,memory=1Gi");
    const dep = await json("-n", "shop", "get", "deployment", "web");
    expect(dep.spec.template.spec.containers[0].resources.requests).toEqual({ cpu: "2", memory: "1Gi" });
    expect(dep.metadata.generation).toBe(2);

    const policy = join(dir.path, "pp.yaml");
    const manifest = (cluster: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: web
  namespace: shop
spec:
  resourceSelectors:
  - apiVersion: apps/v1
    kind: Deployment
    name: web
  placement:
    clusterAffinity:
      clusterNames: [${cluster}]
`;
    await writeFile(policy, manifest("member2"));
    expect(await ok("apply", "-f", policy)).toContain("propagationpolicy.policy.karmada.io/web created");
    expect(await ok("-n", "shop", "scale", "deployment", "web", "--replicas=3")).toContain("deployment.apps/web scaled");

    await waitFor(async () => ((await json("-n", "shop", "get", "deployment", "web")).status.availableReplicas === 3 ? true : undefined), "3 available replicas");
    const rb = await json("-n", "shop", "get", "resourcebindings.work.karmada.io", "web-deployment");
    expect(rb.spec.clusters).toEqual([{ name: "member2", replicas: 3 }]);
    expect(rb.status.aggregatedStatus).toEqual([
      expect.objectContaining({ clusterName: "member2", health: "Healthy", status: expect.objectContaining({ availableReplicas: 3 }) }),
    ]);
    const m2 = await json("get", "clusters.cluster.karmada.io", "member2");
    expect(m2.status.resourceSummary.allocated).toMatchObject({ cpu: "6", memory: "3Gi", pods: "3" });
    const m1 = await json("get", "clusters.cluster.karmada.io", "member1");
    expect(m1.status.resourceSummary.allocated.cpu).toBe("0");

    const wide = await ok("-n", "shop", "get", "deployment", "web");
    expect(wide).toMatch(/web\s+3\/3\s+3\s+3\s+/);

    // Re-placement by applying the changed policy moves the pods.
    await writeFile(policy, manifest("member3"));
    expect(await ok("apply", "-f", policy)).toContain("configured");
    await waitFor(async () => {
      const m3 = await json("get", "clusters.cluster.karmada.io", "member3");
      const d = await json("-n", "shop", "get", "deployment", "web");
      return m3.status.resourceSummary.allocated.cpu === "6" && d.status.availableReplicas === 3 ? true : undefined;
    }, "replicas moved to member3");
    expect((await json("get", "clusters.cluster.karmada.io", "member2")).status.resourceSummary.allocated.cpu).toBe("0");
  });

  it("applies and re-applies a manifest (client-side apply with last-applied-configuration)", async () => {
    const file = join(dir.path, "app.yaml");
    const manifest = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: apply-ns
  labels: {app: api}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
      - name: api
        image: ${image}
        ports: [{containerPort: 8080}]
        resources: {requests: {cpu: 250m}}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: apply-ns}
spec:
  selector: {app: api}
  ports: [{name: web, port: 80, targetPort: 8080}]
`;
    await writeFile(file, manifest(2, "api:1"));
    const first = await ok("apply", "-f", file);
    expect(first).toContain("deployment.apps/api created");
    expect(first).toContain("service/api created");
    await writeFile(file, manifest(4, "api:2"));
    expect(await ok("apply", "-f", file)).toContain("deployment.apps/api configured");
    const dep = await json("-n", "apply-ns", "get", "deployment", "api");
    expect(dep.spec.replicas).toBe(4);
    expect(dep.spec.template.spec.containers).toHaveLength(1);
    expect(dep.spec.template.spec.containers[0]).toMatchObject({ name: "api", image: "api:2", resources: { requests: { cpu: "250m" } } });
    expect(dep.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).toContain("api:2");
    expect(await ok("apply", "-f", file)).toContain("deployment.apps/api unchanged");
    const svc = await json("-n", "apply-ns", "get", "service", "api");
    expect(svc.spec.clusterIP).toMatch(/^10\.96\./);
    expect(await ok("-n", "apply-ns", "delete", "service", "api")).toContain('service "api" deleted');
    expect((await kubectl("-n", "apply-ns", "get", "service", "api")).code).toBe(1);
  });

  it("streams changes to kubectl get --watch", async () => {
    await ok("create", "namespace", "watched");
    await ok("-n", "watched", "create", "deployment", "w", "--image=busybox:1");
    const watch = kubectl("-n", "watched", "get", "deployment", "w", "--watch", "--request-timeout=2s", "-o", "custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas");
    await new Promise((r) => setTimeout(r, 500));
    await ok("-n", "watched", "scale", "deployment", "w", "--replicas=5");
    const out = (await watch).stdout;
    expect(out).toMatch(/w\s+1\n/);
    expect(out).toMatch(/w\s+5\n/);
  });

  it("deletes a namespace with its contents", async () => {
    await ok("create", "namespace", "gone");
    await ok("-n", "gone", "create", "deployment", "x", "--image=busybox:1");
    expect(await ok("delete", "namespace", "gone")).toContain('namespace "gone" deleted');
    expect((await kubectl("-n", "gone", "get", "deployment", "x")).stderr).toContain("NotFound");
  });
});
