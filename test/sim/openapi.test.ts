// /openapi/v2 and /openapi/v3 of the simulator: built from the CRD schemas it enforces (here the test fixture
// CRD) and its built-in kinds; enough for kubectl's default validation, `kubectl explain` and apply. Without
// any definitions the built-ins are still served.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSim, type Sim } from "../../src/sim/index.js";
import { requireBinaries, tempDir } from "../helpers/processes.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "karmada-api");
const KUBECTL = "/usr/bin/kubectl";
const run = promisify(execFile);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function get(sim: Sim, path: string, accept = "application/json"): Promise<{ status: number; type: string | null; body: any }> {
  const res = await fetch(sim.url + path, { headers: { accept } });
  return { status: res.status, type: res.headers.get("content-type"), body: res.status === 200 ? await res.json() : await res.text() };
}

describe("OpenAPI documents", () => {
  let sim: Sim;
  let bare: Sim;
  beforeAll(async () => {
    sim = await startSim({ clusters: 1, karmadaApiDir: FIXTURES });
    bare = await startSim({ clusters: 1, karmadaApiDir: join(FIXTURES, "absent") });
  });
  afterAll(async () => {
    await sim?.close();
    await bare?.close();
  });

  it("lists every served group version under /openapi/v3 with a hashed URL", async () => {
    const root = await get(sim, "/openapi/v3");
    expect(root.status).toBe(200);
    for (const key of ["api/v1", "apis/apps/v1", "apis/policy.karmada.io/v1alpha1", "apis/cluster.karmada.io/v1alpha1"]) {
      expect(root.body.paths[key].serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${key.replace(/\./g, "\\.")}\\?hash=[0-9A-F]{128}$`));
    }
    const doc = await get(sim, root.body.paths["apis/policy.karmada.io/v1alpha1"].serverRelativeURL);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.0.0");
  });

  it("describes a CRD kind from its schema, with ObjectMeta and a PATCH that takes fieldValidation", async () => {
    const doc = (await get(sim, "/openapi/v3/apis/policy.karmada.io/v1alpha1")).body;
    const pp = doc.components.schemas["io.karmada.policy.v1alpha1.PropagationPolicy"];
    expect(pp["x-kubernetes-group-version-kind"]).toEqual([{ group: "policy.karmada.io", version: "v1alpha1", kind: "PropagationPolicy" }]);
    expect(pp.properties.spec.properties.placement.properties.clusterAffinity.properties.clusterNames.type).toBe("array");
    expect(pp.properties.metadata.allOf[0].$ref).toBe("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    expect(doc.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].properties.managedFields).toBeDefined();
    const patch = doc.paths["/apis/policy.karmada.io/v1alpha1/namespaces/{namespace}/propagationpolicies/{name}"].patch;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "policy.karmada.io", version: "v1alpha1", kind: "PropagationPolicy" });
    expect(patch.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["fieldValidation", "fieldManager", "force", "dryRun"]));
    expect(Object.keys(patch.requestBody.content)).toContain("application/apply-patch+yaml");
  });

  it("serves the built-in kinds and the scale subresource", async () => {
    const apps = (await get(sim, "/openapi/v3/apis/apps/v1")).body;
    expect(apps.components.schemas["io.k8s.api.apps.v1.Deployment"].properties.spec.properties.replicas.type).toBe("integer");
    const scale = apps.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"].patch;
    expect(scale["x-kubernetes-group-version-kind"]).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    expect(apps.components.schemas["io.k8s.api.autoscaling.v1.Scale"]).toBeDefined();
    const core = (await get(sim, "/openapi/v3/api/v1")).body;
    expect(Object.keys(core.components.schemas)).toEqual(expect.arrayContaining(["io.k8s.api.core.v1.Service", "io.k8s.api.core.v1.Namespace"]));
  });

  it("answers /openapi/v2 as JSON and 406 to a protobuf-only Accept", async () => {
    const v2 = await get(sim, "/openapi/v2");
    expect(v2.status).toBe(200);
    expect(v2.body.swagger).toBe("2.0");
    expect(v2.body.definitions["io.karmada.policy.v1alpha1.PropagationPolicy"].properties.metadata.allOf[0].$ref).toBe(
      "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    );
    expect((await get(sim, "/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")).status).toBe(406);
    expect((await get(sim, "/openapi/v3/apis/nope/v1")).status).toBe(404);
  });

  it("without definitions still serves the built-ins, and Karmada kinds as open objects", async () => {
    expect(bare.schemaSource).toBeUndefined();
    const apps = (await get(bare, "/openapi/v3/apis/apps/v1")).body;
    expect(apps.components.schemas["io.k8s.api.apps.v1.Deployment"]).toBeDefined();
    const pp = (await get(bare, "/openapi/v3/apis/policy.karmada.io/v1alpha1")).body.components.schemas["io.karmada.policy.v1alpha1.PropagationPolicy"];
    expect(pp["x-kubernetes-preserve-unknown-fields"]).toBe(true);
  });
});

const avail = requireBinaries(KUBECTL);
describe.skipIf(avail.skip)(`kubectl with default validation against the simulator${avail.reason}`, () => {
  let sim: Sim;
  let dir: { path: string; remove(): Promise<void> };
  let kubeconfig: string;
  const kubectl = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { timeout: 20_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  };
  beforeAll(async () => {
    dir = await tempDir("smo-sim-openapi-");
    sim = await startSim({ clusters: 2, podStartMs: 20, karmadaApiDir: FIXTURES });
    kubeconfig = join(dir.path, "kubeconfig");
    await sim.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await sim?.close();
    await dir?.remove();
  });

  it("explains a Karmada field and a built-in field", async () => {
    const pp = await kubectl("explain", "propagationpolicy.spec.placement");
    expect(pp.code, pp.stderr).toBe(0);
    expect(pp.stdout).toContain("KIND:       PropagationPolicy");
    expect(pp.stdout).toMatch(/clusterAffinity\s+<Object>/);
    const dep = await kubectl("explain", "deployment.spec.replicas");
    expect(dep.code, dep.stderr).toBe(0);
    expect(dep.stdout).toContain("FIELD: replicas <integer>");
  });

  it("applies with default validation; the server refuses an unknown field and a wrong type", async () => {
    const write = async (name: string, text: string) => {
      const path = join(dir.path, name);
      await writeFile(path, text);
      return path;
    };
    const pp = (names: string, extra = "") => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: default}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    clusterAffinity: {clusterNames: ${names}}${extra}
`;
    const ok = await kubectl("apply", "-f", await write("ok.yaml", pp("[member1]")));
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("propagationpolicy.policy.karmada.io/web created");
    const again = await kubectl("apply", "-f", await write("ok2.yaml", pp("[member2]")));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("configured");
    const unknown = await kubectl("apply", "-f", await write("unknown.yaml", pp("[member1]", "\n  bogus: 1")));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('strict decoding error: unknown field "spec.bogus"');
    const wrong = await kubectl("apply", "-f", await write("wrong.yaml", pp("member1")));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("spec.placement.clusterAffinity.clusterNames: Invalid value");
  });
});
