// kubectl conformance: the scenarios a user runs with default kubectl flags (apply with validation, explain,
// server-side apply with a conflict, strict unknown field, wrong type, scale, watch). By default they run
// against a fresh simulator (the real Karmada CRDs when ../shared/karmada-api or SMO_KARMADA_API_DIR is there,
// else the test fixture CRD). Set SMO_CONFORMANCE_KUBECONFIG to a real Karmada control plane's kubeconfig to
// run the very same file against it: every object goes into a namespace of its own, deleted at the end.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { karmadaApiDir, startSim, type Sim } from "../../src/sim/index.js";
import { requireBinaries, tempDir, waitFor } from "../helpers/processes.js";

const KUBECTL = process.env.SMO_KUBECTL ?? "/usr/bin/kubectl";
const EXTERNAL = process.env.SMO_CONFORMANCE_KUBECONFIG;
const FIXTURES = join(import.meta.dirname, "..", "fixtures", "karmada-api");
const run = promisify(execFile);
const avail = requireBinaries(KUBECTL);
const target = EXTERNAL ? `kubeconfig ${EXTERNAL}` : "the simulator";

describe.skipIf(avail.skip)(`kubectl conformance against ${target}${avail.reason}`, () => {
  let sim: Sim | undefined;
  let dir: { path: string; remove(): Promise<void> };
  let kubeconfig: string;
  // A namespace of our own, so a run against a shared control plane touches nothing else.
  const ns = `smo-conformance-${process.pid}-${Math.floor(Math.random() * 1e6)}`;

  async function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { timeout: 30_000 });
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
  async function file(name: string, text: string): Promise<string> {
    const path = join(dir.path, name);
    await writeFile(path, text);
    return path;
  }
  const policy = (clusterNames: string, extra = "") => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: ${ns}}
spec:
  resourceSelectors:
  - {apiVersion: apps/v1, kind: Deployment, name: web}
  placement:
    clusterAffinity:
      clusterNames: ${clusterNames}${extra}
`;
  const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${ns}, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources: {requests: {cpu: 100m, memory: 64Mi}}
`;

  beforeAll(async () => {
    dir = await tempDir("smo-conformance-");
    if (EXTERNAL) {
      kubeconfig = EXTERNAL;
    } else {
      const real = karmadaApiDir(undefined);
      sim = await startSim({ clusters: 2, podStartMs: 20, karmadaApiDir: existsSync(real) ? real : FIXTURES });
      kubeconfig = join(dir.path, "kubeconfig");
      await sim.writeKubeconfig(kubeconfig);
    }
    await ok("create", "namespace", ns);
  });
  afterAll(async () => {
    if (kubeconfig) await kubectl("delete", "namespace", ns, "--wait=false");
    await sim?.close();
    await dir?.remove();
  });

  it("applies a PropagationPolicy with default validation, then reconfigures it", async () => {
    expect(await ok("apply", "-f", await file("pp.yaml", policy("[member1]")))).toContain("propagationpolicy.policy.karmada.io/web created");
    expect(await ok("apply", "-f", await file("pp2.yaml", policy("[member2]")))).toContain("propagationpolicy.policy.karmada.io/web configured");
    expect(await ok("-n", ns, "get", "propagationpolicy", "web", "-o", "jsonpath={.spec.placement.clusterAffinity.clusterNames}")).toBe('["member2"]');
  });

  it("explains a Karmada field path", async () => {
    const out = await ok("explain", "propagationpolicy.spec.placement");
    expect(out).toContain("KIND:       PropagationPolicy");
    expect(out).toContain("FIELD: placement <Object>");
    expect(out).toMatch(/clusterAffinity\s+<Object>/);
  });

  it("refuses an unknown field (strict decoding error) and a wrong type (422)", async () => {
    const unknown = await kubectl("apply", "-f", await file("unknown.yaml", policy("[member1]", "\n  bogusField: 1")));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('strict decoding error: unknown field "spec.bogusField"');
    const wrong = await kubectl("apply", "-f", await file("wrong.yaml", policy("member1")));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/spec\.placement\.clusterAffinity\.clusterNames: Invalid value: "string": .*must be of type array/);
  });

  it("server-side applies a Deployment, conflicts after a scale by another manager, and forces", async () => {
    const path = await file("deploy.yaml", deployment(2));
    expect(await ok("apply", "--server-side", "-f", path)).toContain("deployment.apps/web serverside-applied");
    await ok("-n", ns, "scale", "deployment", "web", "--replicas=3");
    const conflict = await kubectl("apply", "--server-side", "-f", path);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/Apply failed with 1 conflict: conflict with "kubectl[^"]*"( with subresource "scale")?( using apps\/v1( at \S+)?)?: \.spec\.replicas/);
    expect(await ok("-n", ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")).toBe("3");
    await ok("apply", "--server-side", "--force-conflicts", "-f", path);
    expect(await ok("-n", ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")).toBe("2");
    const managers = await ok("-n", ns, "get", "deployment", "web", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}");
    expect(managers.split(" ")).toContain("kubectl");
  });

  it("scales through the scale subresource and streams the change to a watch", async () => {
    const watcher = spawn(KUBECTL, ["--kubeconfig", kubeconfig, "-n", ns, "get", "deployment", "web", "--watch", "--output-watch-events", "-o", "custom-columns=EVENT:.type,REPLICAS:.object.spec.replicas", "--no-headers"]);
    let out = "";
    watcher.stdout.on("data", (b: Buffer) => (out += b.toString()));
    try {
      await waitFor(() => (/ADDED\s+2/.test(out) ? true : undefined), "the watch to list the Deployment");
      expect(await ok("-n", ns, "scale", "deployment", "web", "--replicas=5")).toContain("deployment.apps/web scaled");
      await waitFor(() => (/MODIFIED\s+5/.test(out) ? true : undefined), "the watch to report replicas 5");
    } finally {
      watcher.kill();
    }
    expect(await ok("-n", ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")).toBe("5");
  });
});
