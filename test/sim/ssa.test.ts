// Server-side apply in the simulator, as the Kubernetes SSA documentation defines it: create via apply,
// managedFields in FieldsV1, shared ownership of equal values, 409 conflicts naming manager and field unless
// forced, removal of fields a manager stops applying (unless someone else owns them), Update entries for
// non-apply writes (scale subresource included); and the same through `kubectl apply --server-side`.
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
type Json = any;

describe("server-side apply", () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ clusters: 2, podStartMs: 20, karmadaApiDir: FIXTURES });
  });
  afterAll(async () => {
    await sim?.close();
  });

  const DEPLOY = "/apis/apps/v1/namespaces/ssa/deployments";
  const PP = "/apis/policy.karmada.io/v1alpha1/namespaces/ssa/propagationpolicies";

  async function apply(path: string, manager: string | undefined, body: unknown, force = false): Promise<{ status: number; body: Json }> {
    const q = new URLSearchParams();
    if (manager) q.set("fieldManager", manager);
    if (force) q.set("force", "true");
    const res = await fetch(`${sim.url}${path}?${q}`, {
      method: "PATCH",
      headers: { "content-type": "application/apply-patch+yaml" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }
  async function request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: Json }> {
    const res = await fetch(sim.url + path, { method, headers: { "content-type": contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }
  const deployment = (name: string, extra: Json = {}) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { team: "a", ...(extra.labels ?? {}) } },
    spec: {
      ...(extra.replicas === undefined ? {} : { replicas: extra.replicas }),
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "main", image: extra.image ?? "nginx:1.27" }] } },
    },
  });
  const managers = (obj: Json) => obj.metadata.managedFields.map((e: Json) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ""}`);

  it("creates through apply (201) and records the applied fields in FieldsV1", async () => {
    const r = await apply(`${DEPLOY}/web`, "smo", deployment("web", { replicas: 2 }));
    expect(r.status).toBe(201);
    expect(r.body.spec.replicas).toBe(2);
    const [entry] = r.body.metadata.managedFields;
    expect(entry).toMatchObject({ manager: "smo", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1" });
    expect(entry.fieldsV1).toEqual({
      "f:metadata": { "f:labels": { "f:team": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": { "f:containers": { 'k:{"name":"main"}': { ".": {}, "f:image": {}, "f:name": {} } } },
        },
      },
    });
    // Defaulted fields belong to nobody.
    expect(JSON.stringify(entry.fieldsV1)).not.toContain("revisionHistoryLimit");
  });

  it("requires a fieldManager and refuses force on other patches", async () => {
    expect((await apply(`${DEPLOY}/web`, undefined, deployment("web"))).status).toBe(422);
    const r = await request("PATCH", `${DEPLOY}/web?force=true`, { metadata: { labels: { x: "1" } } }, "application/merge-patch+json");
    expect(r.status).toBe(422);
  });

  it("answers 409 naming the manager and field when another manager owns a changed value, and forces on request", async () => {
    const scaled = await request("PATCH", `${DEPLOY}/web/scale?fieldManager=elastic`, { spec: { replicas: 5 } }, "application/merge-patch+json");
    expect(scaled.status).toBe(200);
    const live = (await request("GET", `${DEPLOY}/web`)).body;
    expect(managers(live)).toEqual(["smo/Apply", "elastic/Update/scale"]);
    // smo lost spec.replicas to the scale write.
    expect(live.metadata.managedFields[0].fieldsV1["f:spec"]["f:replicas"]).toBeUndefined();

    const conflict = await apply(`${DEPLOY}/web`, "other", deployment("web", { replicas: 3 }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.reason).toBe("Conflict");
    // An Update entry is named with its subresource, version and time; an Apply entry by its manager alone.
    const at = live.metadata.managedFields[1].time;
    expect(conflict.body.message).toBe(`Apply failed with 1 conflict: conflict with "elastic" with subresource "scale" using apps/v1 at ${at}: .spec.replicas`);
    expect(conflict.body.details.causes).toEqual([
      { reason: "FieldManagerConflict", message: `conflict with "elastic" with subresource "scale" using apps/v1 at ${at}`, field: ".spec.replicas" },
    ]);
    expect((await request("GET", `${DEPLOY}/web`)).body.spec.replicas).toBe(5);

    // The same values co-own without conflict; an image change by another manager conflicts with smo.
    const image = await apply(`${DEPLOY}/web`, "other", deployment("web", { image: "nginx:1.28" }));
    expect(image.status).toBe(409);
    expect(image.body.details.causes[0]).toMatchObject({ field: '.spec.template.spec.containers[name="main"].image', message: 'conflict with "smo"' });

    const forced = await apply(`${DEPLOY}/web`, "other", deployment("web", { replicas: 3 }), true);
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(3);
    expect(managers(forced.body)).toEqual(["smo/Apply", "other/Apply"]);
  });

  it("keeps a count the scale subresource chose when the applier leaves replicas out", async () => {
    await apply(`${DEPLOY}/api`, "smo", deployment("api", { replicas: 1 }));
    await request("PATCH", `${DEPLOY}/api/scale?fieldManager=elastic`, { spec: { replicas: 4 } }, "application/merge-patch+json");
    const again = await apply(`${DEPLOY}/api`, "smo", deployment("api", { image: "nginx:1.28" }));
    expect(again.status).toBe(200);
    expect(again.body.spec.replicas).toBe(4);
    expect(again.body.spec.template.spec.containers[0].image).toBe("nginx:1.28");
  });

  it("removes fields the manager stops applying unless another manager owns them", async () => {
    await apply(`${DEPLOY}/rm`, "smo", deployment("rm", { replicas: 2, labels: { tier: "web", keep: "yes" } }));
    // Another manager co-owns label "keep" (same value).
    await apply(`${DEPLOY}/rm`, "ops", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "rm", labels: { keep: "yes" } } });
    const r = await apply(`${DEPLOY}/rm`, "smo", deployment("rm"));
    expect(r.status).toBe(200);
    expect(r.body.metadata.labels).toEqual({ team: "a", keep: "yes" });
    // replicas was smo's alone: removed, then defaulted as on a real server.
    expect(r.body.spec.replicas).toBe(1);
  });

  it("records non-apply writes as Update entries that take changed fields from others", async () => {
    const created = await request("POST", `${DEPLOY}?fieldManager=maker`, deployment("upd", { replicas: 1 }));
    expect(created.status).toBe(201);
    expect(managers(created.body)).toEqual(["maker/Update"]);
    const patched = await request("PATCH", `${DEPLOY}/upd?fieldManager=editor`, { metadata: { labels: { team: "b" } } }, "application/merge-patch+json");
    expect(managers(patched.body)).toEqual(["maker/Update", "editor/Update"]);
    expect(patched.body.metadata.managedFields[1].fieldsV1).toEqual({ "f:metadata": { "f:labels": { "f:team": {} } } });
    expect(JSON.stringify(patched.body.metadata.managedFields[0].fieldsV1)).not.toContain("f:team");
    // A write that changes nothing keeps the resourceVersion.
    const same = await request("PATCH", `${DEPLOY}/upd?fieldManager=editor`, { metadata: { labels: { team: "b" } } }, "application/merge-patch+json");
    expect(same.body.metadata.resourceVersion).toBe(patched.body.metadata.resourceVersion);
  });

  it("merges list-map items by key: a Service port applied without its defaulted protocol stays one port", async () => {
    const svc = (ports: Json[]) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports } });
    const path = "/api/v1/namespaces/ssa/services/web";
    expect((await apply(path, "smo", svc([{ port: 80 }]))).status).toBe(201);
    const again = await apply(path, "smo", svc([{ port: 80, name: "http" }]));
    expect(again.body.spec.ports).toEqual([{ port: 80, name: "http", protocol: "TCP", targetPort: 80 }]);
    const second = await apply(path, "other", svc([{ port: 81 }]));
    expect(second.body.spec.ports.map((p: Json) => p.port)).toEqual([80, 81]);
  });

  it("applies a Karmada kind against its schema: defaults are not owned, unknown fields refused under Strict", async () => {
    const pp = (names: string[], extra: Json = {}) => ({
      apiVersion: "policy.karmada.io/v1alpha1",
      kind: "PropagationPolicy",
      metadata: { name: "web" },
      spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }], placement: { clusterAffinity: { clusterNames: names } }, ...extra },
    });
    const created = await apply(`${PP}/web`, "smo", pp(["member1"]));
    expect(created.status).toBe(201);
    expect(created.body.spec.conflictResolution).toBe("Abort");
    expect(JSON.stringify(created.body.metadata.managedFields[0].fieldsV1)).not.toContain("conflictResolution");
    // clusterNames is an atomic list: one field.
    expect(created.body.metadata.managedFields[0].fieldsV1["f:spec"]["f:placement"]).toEqual({ "f:clusterAffinity": { "f:clusterNames": {} } });
    const moved = await apply(`${PP}/web`, "smo", pp(["member2"]));
    expect(moved.body.spec.placement.clusterAffinity.clusterNames).toEqual(["member2"]);
    const strict = await fetch(`${sim.url}${PP}/web?fieldManager=smo&fieldValidation=Strict`, {
      method: "PATCH",
      headers: { "content-type": "application/apply-patch+yaml" },
      body: JSON.stringify(pp(["member2"], { bogus: true })),
    });
    expect(strict.status).toBe(400);
    expect(await strict.text()).toContain('strict decoding error: unknown field \\"spec.bogus\\"');
  });
});

const avail = requireBinaries(KUBECTL);
describe.skipIf(avail.skip)(`kubectl apply --server-side${avail.reason}`, () => {
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
    dir = await tempDir("smo-sim-ssa-");
    sim = await startSim({ clusters: 2, podStartMs: 20, karmadaApiDir: FIXTURES });
    kubeconfig = join(dir.path, "kubeconfig");
    await sim.writeKubeconfig(kubeconfig);
  });
  afterAll(async () => {
    await sim?.close();
    await dir?.remove();
  });

  it("applies, conflicts with a scale, and forces", async () => {
    const file = join(dir.path, "web.yaml");
    await writeFile(
      file,
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
`,
    );
    const first = await kubectl("apply", "--server-side", "-f", file);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("deployment.apps/web serverside-applied");
    expect((await kubectl("scale", "deployment", "web", "--replicas=4")).code).toBe(0);
    const conflict = await kubectl("apply", "--server-side", "-f", file);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps\/v1 at \S+: \.spec\.replicas/);
    const forced = await kubectl("apply", "--server-side", "--force-conflicts", "-f", file);
    expect(forced.code, forced.stderr).toBe(0);
    const live = JSON.parse((await kubectl("get", "deployment", "web", "-o", "json", "--show-managed-fields")).stdout);
    expect(live.spec.replicas).toBe(2);
    expect(live.metadata.managedFields.map((e: Json) => e.manager)).toEqual(["kubectl"]);
  });
});
