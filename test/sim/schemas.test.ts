// The simulator holds custom resources to their CRD's openAPIV3Schema as kube-apiserver does: a tiny fixture
// CRD written here tests the machinery on every clone (pruning, Strict/Warn, defaults, types, enum, required,
// int-or-string, list uniqueness); the real Karmada CRDs are tested when ../shared/karmada-api is present.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { karmadaApiDir, startSim, type Sim } from "../../src/sim/index.js";
import { tempDir } from "../helpers/processes.js";

const FIXTURE_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: propagationpolicies.policy.karmada.io}
spec:
  group: policy.karmada.io
  scope: Namespaced
  names: {kind: PropagationPolicy, plural: propagationpolicies, singular: propagationpolicy}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        required: [spec]
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            required: [targets]
            properties:
              targets:
                type: array
                x-kubernetes-list-type: set
                items: {type: string}
              mode:
                type: string
                enum: [Fast, Slow]
                default: Fast
              port:
                x-kubernetes-int-or-string: true
                anyOf: [{type: integer}, {type: string}]
              weight: {type: integer, minimum: 0, maximum: 10}
              name: {type: string, maxLength: 5, pattern: '^[a-z]+$'}
              labels:
                type: object
                additionalProperties: {type: string}
              free:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              nested:
                type: object
                properties:
                  depth: {type: integer, default: 3}
`;

interface Reply {
  status: number;
  body: Record<string, any>;
  warning: string | null;
}

async function send(sim: Sim, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Reply> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, warning: res.headers.get("warning") };
}

const PP = "/apis/policy.karmada.io/v1alpha1/namespaces/default/propagationpolicies";
const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: "policy.karmada.io/v1alpha1", kind: "PropagationPolicy", metadata: { name }, spec });

describe("schema enforcement (fixture CRD)", () => {
  let sim: Sim;
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    dir = await tempDir("smo-sim-schema-");
    await writeFile(join(dir.path, "pp.yaml"), FIXTURE_CRD);
    sim = await startSim({ clusters: 1, karmadaApiDir: dir.path });
  });
  afterAll(async () => {
    await sim?.close();
    await dir?.remove();
  });

  it("reports where its schemas come from", () => {
    expect(sim.schemaSource).toBe(dir.path);
  });

  it("fills defaults and keeps fields the schema names, maps and preserved subtrees", async () => {
    const r = await send(sim, "POST", PP, policy("ok", { targets: ["a"], port: "http", labels: { x: "1" }, free: { any: { thing: 1 } }, nested: {} }));
    expect(r.status).toBe(201);
    expect(r.body.spec).toEqual({ targets: ["a"], mode: "Fast", port: "http", labels: { x: "1" }, free: { any: { thing: 1 } }, nested: { depth: 3 } });
    expect(r.warning).toBeNull();
  });

  it("refuses unknown fields under fieldValidation=Strict with the strict decoding message", async () => {
    const r = await send(sim, "POST", `${PP}?fieldValidation=Strict`, policy("strict", { targets: ["a"], x: 1, nested: { y: 2 } }));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: "Status", reason: "BadRequest" });
    expect(r.body.message).toBe(
      'PropagationPolicy in version "v1alpha1" cannot be handled as a PropagationPolicy: strict decoding error: unknown field "spec.x", unknown field "spec.nested.y"',
    );
    expect((await send(sim, "GET", `${PP}/strict`)).status).toBe(404);
  });

  it("prunes unknown fields with a Warning under the default (Warn), silently under Ignore", async () => {
    const r = await send(sim, "POST", PP, policy("warned", { targets: ["a"], x: 1, metadataLike: { a: 1 } }));
    expect(r.status).toBe(201);
    expect(r.body.spec).toEqual({ targets: ["a"], mode: "Fast" });
    expect(r.warning).toBe('299 - "unknown field \\"spec.x\\"", 299 - "unknown field \\"spec.metadataLike\\""');
    const ignored = await send(sim, "POST", `${PP}?fieldValidation=Ignore`, { ...policy("ignored", { targets: ["a"], x: 1 }), metadata: { name: "ignored", bogus: 1 } });
    expect(ignored.status).toBe(201);
    expect(ignored.warning).toBeNull();
    expect(ignored.body.metadata.bogus).toBeUndefined();
    expect((await send(sim, "POST", `${PP}?fieldValidation=Loose`, policy("bad", { targets: [] }))).status).toBe(400);
  });

  it("answers 422 Invalid with one cause per violation", async () => {
    const r = await send(sim, "POST", PP, policy("bad", { targets: "a", mode: "Medium", port: true, weight: 11, name: "Toolong" }));
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe("Invalid");
    expect(r.body.details).toMatchObject({ name: "bad", group: "policy.karmada.io", kind: "PropagationPolicy" });
    expect(r.body.details.causes).toEqual([
      { reason: "FieldValueTypeInvalid", field: "spec.targets", message: 'Invalid value: "string": spec.targets in body must be of type array: "string"' },
      { reason: "FieldValueNotSupported", field: "spec.mode", message: 'Unsupported value: "Medium": supported values: "Fast", "Slow"' },
      { reason: "FieldValueTypeInvalid", field: "spec.port", message: 'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"' },
      { reason: "FieldValueInvalid", field: "spec.weight", message: "Invalid value: 11: spec.weight in body should be less than or equal to 10" },
      { reason: "FieldValueTooLong", field: "spec.name", message: "Too long: may not be more than 5 bytes" },
      { reason: "FieldValueInvalid", field: "spec.name", message: `Invalid value: "Toolong": spec.name in body should match '^[a-z]+$'` },
    ]);
    expect(r.body.message).toMatch(/^PropagationPolicy\.policy\.karmada\.io "bad" is invalid: \[spec\.targets: Invalid value: "string": /);

    const missing = await send(sim, "POST", PP, policy("missing", {}));
    expect(missing.body.details.causes).toEqual([{ reason: "FieldValueRequired", field: "spec.targets", message: "Required value" }]);
    expect(missing.body.message).toBe('PropagationPolicy.policy.karmada.io "missing" is invalid: spec.targets: Required value');
    const dup = await send(sim, "POST", PP, policy("dup", { targets: ["a", "a"] }));
    expect(dup.body.details.causes).toEqual([{ reason: "FieldValueDuplicate", field: "spec.targets[1]", message: 'Duplicate value: "a"' }]);
    const noSpec = await send(sim, "POST", PP, { apiVersion: "policy.karmada.io/v1alpha1", kind: "PropagationPolicy", metadata: { name: "nospec" } });
    expect(noSpec.body.details.causes).toEqual([{ reason: "FieldValueRequired", field: "spec", message: "Required value" }]);
  });

  it("checks updates and patches too, and a null drops a non-nullable field before defaulting", async () => {
    const merge = await send(sim, "PATCH", `${PP}/ok`, { spec: { targets: 5 } }, "application/merge-patch+json");
    expect(merge.status).toBe(422);
    const current = (await send(sim, "GET", `${PP}/ok`)).body;
    const put = await send(sim, "PUT", `${PP}/ok?fieldValidation=Strict`, { ...current, spec: { ...current.spec, extra: true } });
    expect(put.status).toBe(400);
    const reset = await send(sim, "PUT", `${PP}/ok`, { ...current, spec: { ...current.spec, mode: null } });
    expect(reset.status).toBe(200);
    expect(reset.body.spec.mode).toBe("Fast");
  });
});

describe("built-in kinds", () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ clusters: 1 });
  });
  afterAll(() => sim?.close());

  const deployment = (name: string, spec: Record<string, unknown>) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } },
      ...spec,
    },
  });

  it("refuses a Deployment whose selector does not match its template, negative replicas, an empty selector", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments";
    const wrong = await send(sim, "POST", path, deployment("web", { selector: { matchLabels: { app: "other" } } }));
    expect(wrong.status).toBe(422);
    expect(wrong.body.details.causes).toEqual([
      { reason: "FieldValueInvalid", field: "spec.template.metadata.labels", message: "Invalid value: `selector` does not match template `labels`" },
    ]);
    const expr = await send(sim, "POST", path, deployment("expr", { selector: { matchExpressions: [{ key: "app", operator: "In", values: ["x"] }] } }));
    expect(expr.body.details.causes.map((c: { field: string }) => c.field)).toEqual(["spec.template.metadata.labels"]);
    const negative = await send(sim, "POST", path, deployment("neg", { replicas: -1 }));
    expect(negative.body.details.causes.map((c: { field: string }) => c.field)).toEqual(["spec.replicas"]);
    const empty = await send(sim, "POST", path, deployment("empty", { selector: {} }));
    expect(empty.body.details.causes.map((c: { field: string }) => c.field)).toContain("spec.selector");
    expect((await send(sim, "POST", path, deployment("fine", {}))).status).toBe(201);
  });

  it("refuses names that are not RFC 1123", async () => {
    const ns = await send(sim, "POST", "/api/v1/namespaces", { metadata: { name: "Shop_1" } });
    expect(ns.status).toBe(422);
    expect(ns.body.details.causes[0]).toMatchObject({ field: "metadata.name" });
    const svc = await send(sim, "POST", "/api/v1/namespaces/default/services", { metadata: { name: "a.b" }, spec: { ports: [{ port: 80 }] } });
    expect(svc.status).toBe(422);
    const dep = await send(sim, "POST", "/apis/apps/v1/namespaces/default/deployments", deployment("UPPER", {}));
    expect(dep.status).toBe(422);
  });
});

const REAL_DIR = karmadaApiDir(undefined);
const realPresent = existsSync(join(REAL_DIR, "policy.karmada.io_propagationpolicies.yaml"));
if (!realPresent && process.env.SMO_REQUIRE_INTEGRATION === "1") throw new Error(`SMO_REQUIRE_INTEGRATION=1 but the Karmada API definitions are not at ${REAL_DIR}`);
const realReason = realPresent ? "" : ` (skipped: no Karmada API definitions at ${REAL_DIR}; set SMO_KARMADA_API_DIR)`;

describe.skipIf(!realPresent)(`the real Karmada CRDs${realReason}`, () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ clusters: 1, karmadaApiDir: REAL_DIR });
  });
  afterAll(() => sim?.close());

  it("refuses clusterNames given as a string, and unknown fields under Strict", async () => {
    const bad = await send(sim, "POST", PP, {
      ...policy("web", { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }], placement: { clusterAffinity: { clusterNames: "member1" } } }),
    });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes).toEqual([
      {
        reason: "FieldValueTypeInvalid",
        field: "spec.placement.clusterAffinity.clusterNames",
        message: 'Invalid value: "string": spec.placement.clusterAffinity.clusterNames in body must be of type array: "string"',
      },
    ]);
    const strict = await send(sim, "POST", `${PP}?fieldValidation=Strict`, policy("web", { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment" }], x: 1 }));
    expect(strict.body.message).toContain('strict decoding error: unknown field "spec.x"');
  });

  it("accepts a valid policy and fills Karmada's defaults", async () => {
    const ok = await send(sim, "POST", PP, policy("web", { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }], placement: { clusterAffinity: { clusterNames: ["member1"] } } }));
    expect(ok.status).toBe(201);
    expect(ok.body.spec).toMatchObject({ conflictResolution: "Abort", preemption: "Never", priority: 0, schedulerName: "default-scheduler" });
  });

  it("checks the kinds smo writes besides policies", async () => {
    const fhpa = await send(sim, "POST", "/apis/autoscaling.karmada.io/v1alpha1/namespaces/default/federatedhpas", {
      metadata: { name: "h" },
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: "ten" },
    });
    expect(fhpa.status).toBe(422);
    expect(fhpa.body.details.causes).toContainEqual(expect.objectContaining({ field: "spec.maxReplicas", reason: "FieldValueTypeInvalid" }));
    const op = await send(sim, "POST", "/apis/policy.karmada.io/v1alpha1/namespaces/default/overridepolicies", {
      metadata: { name: "o" },
      spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web" }], overrideRules: [{ overriders: { imageOverrider: [{ component: "Registry", operator: "replace", value: "r.io" }] } }] },
    });
    expect(op.status).toBe(201);
    const mcs = await send(sim, "POST", "/apis/networking.karmada.io/v1alpha1/namespaces/default/multiclusterservices", { metadata: { name: "m" }, spec: { ports: [{ port: 80 }] } });
    expect(mcs.status).toBe(422);
    expect(mcs.body.details.causes).toEqual([{ reason: "FieldValueRequired", field: "spec.types", message: "Required value" }]);
  });
});
