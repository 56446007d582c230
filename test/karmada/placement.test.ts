// Namespaces, PropagationPolicies and ServiceExport/ServiceImport through the real client-node against the
// simulated federation; objects are read back with client-node's CustomObjectsApi, as an operator would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, NotFoundError } from "../../src/core/errors.js";
import { createManifestDeployer } from "../../src/adapters/karmada/index.js";
import { startKarmadaTestbed, type KarmadaTestbed } from "./federation.js";
import { makeGraph, makeService } from "./fixtures.js";

let fed: KarmadaTestbed;
const ns = "brussels";

type Obj = { metadata: { name: string; labels?: Record<string, string>; managedFields?: { manager: string; operation: string }[] }; spec: Record<string, any> };

async function getCustom(group: string, version: string, plural: string, name: string): Promise<Obj | undefined> {
  try {
    return (await fed.client.kube.custom.getNamespacedCustomObject({ group, version, plural, namespace: ns, name })) as Obj;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}
const policy = (name: string) => getCustom("policy.karmada.io", "v1alpha1", "propagationpolicies", name);
const serviceExport = (name: string) => getCustom("multicluster.x-k8s.io", "v1alpha1", "serviceexports", name);
const serviceImport = (name: string) => getCustom("multicluster.x-k8s.io", "v1alpha1", "serviceimports", name);

beforeAll(async () => {
  fed = await startKarmadaTestbed();
  await fed.client.ensureNamespace(ns);
});

afterAll(async () => {
  await fed?.stop();
});

describe("namespaces", () => {
  it("ensureNamespace creates once and is idempotent", async () => {
    await fed.client.ensureNamespace("project-a");
    await fed.client.ensureNamespace("project-a");
    const namespaces = await fed.client.kube.core.listNamespace();
    expect(namespaces.items.filter((n) => n.metadata?.name === "project-a")).toHaveLength(1);
  });

  it("rejects a name that is no RFC 1123 label without calling the API", async () => {
    await expect(fed.client.ensureNamespace("Not_Valid")).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe("placement policies", () => {
  it("creates PropagationPolicy <svc> selecting the Deployment and Service, patches it on re-placement, removes it", async () => {
    expect(await fed.client.getPlacement(ns, "image-detection")).toBeUndefined();

    await fed.client.applyPlacement(ns, "image-detection", ["member2"]);
    const created = await policy("image-detection");
    expect(created?.spec.resourceSelectors).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", name: "image-detection" },
      { apiVersion: "v1", kind: "Service", name: "image-detection" },
    ]);
    expect(created?.spec.placement.clusterAffinity.clusterNames).toEqual(["member2"]);
    expect(await fed.client.getPlacement(ns, "image-detection")).toEqual(["member2"]);

    await fed.client.applyPlacement(ns, "image-detection", ["member3"]);
    expect(await fed.client.getPlacement(ns, "image-detection")).toEqual(["member3"]);
    // Patched in place, still one policy with the same selectors.
    expect((await policy("image-detection"))?.spec.resourceSelectors).toHaveLength(2);

    await fed.client.removePlacement(ns, "image-detection");
    expect(await fed.client.getPlacement(ns, "image-detection")).toBeUndefined();
    await fed.client.removePlacement(ns, "image-detection"); // idempotent
  });

  it("never writes an empty cluster list (Karmada would read it as every member)", async () => {
    await expect(fed.client.applyPlacement(ns, "svc", [])).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await policy("svc")).toBeUndefined();
  });

  it("only applies the cluster list to a policy its helm release made (the chart's policy keeps its selectors)", async () => {
    const chartPolicy = {
      apiVersion: "policy.karmada.io/v1alpha1",
      kind: "PropagationPolicy",
      metadata: { name: "vo", namespace: ns, labels: { "app.kubernetes.io/managed-by": "Helm" }, annotations: { "meta.helm.sh/release-name": "vo" } },
      spec: {
        propagateDeps: true,
        resourceSelectors: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "vo" },
          { apiVersion: "v1", kind: "Service", name: "vo" },
          { apiVersion: "v1", kind: "ConfigMap", name: "vo-scripts" },
        ],
        placement: { clusterAffinity: { clusterNames: ["member1"] } },
      },
    };
    await fed.client.kube.custom.createNamespacedCustomObject({
      group: "policy.karmada.io", version: "v1alpha1", plural: "propagationpolicies", namespace: ns, body: chartPolicy,
    });
    await fed.client.applyPlacement(ns, "vo", ["member2"]);
    const patched = await policy("vo");
    expect(patched?.spec.placement.clusterAffinity.clusterNames).toEqual(["member2"]);
    expect(patched?.spec.resourceSelectors).toHaveLength(3);
    expect(patched?.spec.propagateDeps).toBe(true);
  });

  it("refuses a policy someone else made (FailedPreconditionError naming it) and never deletes it", async () => {
    const foreign = {
      apiVersion: "policy.karmada.io/v1alpha1",
      kind: "PropagationPolicy",
      metadata: { name: "theirs", namespace: ns },
      spec: { resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", name: "theirs" }], placement: { clusterAffinity: { clusterNames: ["member1"] } } },
    };
    await fed.client.kube.custom.createNamespacedCustomObject({
      group: "policy.karmada.io", version: "v1alpha1", plural: "propagationpolicies", namespace: ns, body: foreign,
    });
    await expect(fed.client.applyPlacement(ns, "theirs", ["member2"])).rejects.toThrow(
      new RegExp(`PropagationPolicy ${ns}/theirs exists and is not managed by smo`),
    );
    await fed.client.removePlacement(ns, "theirs");
    expect((await policy("theirs"))?.spec.placement.clusterAffinity.clusterNames).toEqual(["member1"]);
  });

  it("writes its policies by server-side apply as field manager smo", async () => {
    await fed.client.applyPlacement(ns, "ssa", ["member1"]);
    await fed.client.applyPlacement(ns, "ssa", ["member2"]);
    const written = await policy("ssa");
    expect(written?.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "smo" });
    expect(written?.metadata.managedFields?.map((e) => `${e.manager}/${e.operation}`)).toEqual(["smo/Apply"]);
    expect(written?.spec.placement.clusterAffinity.clusterNames).toEqual(["member2"]);
  });
});

describe("service export and import", () => {
  it("creates ServiceExport + <svc>-export on the exporting cluster, ServiceImport + <svc>-import where callers run", async () => {
    // The Service exists (ports come from it).
    await createManifestDeployer(fed.client).apply(ns, makeGraph("brussels"), makeService("noise-reduction"), { clusters: ["member2"], importClusters: [] }, 1);

    await fed.client.applyServiceExport(ns, "noise-reduction", "member2", ["member1", "member3", "member1"]);
    expect(await serviceExport("noise-reduction")).toBeDefined();
    const exportPolicy = await policy("noise-reduction-export");
    expect(exportPolicy?.spec.resourceSelectors).toEqual([
      { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceExport", name: "noise-reduction" },
    ]);
    expect(exportPolicy?.spec.placement.clusterAffinity.clusterNames).toEqual(["member2"]);

    const imported = await serviceImport("noise-reduction");
    expect(imported?.spec.type).toBe("ClusterSetIP");
    expect(imported?.spec.ports).toEqual([{ name: "web", port: 8080, protocol: "TCP" }]);
    const importPolicy = await policy("noise-reduction-import");
    expect(importPolicy?.spec.resourceSelectors).toEqual([
      { apiVersion: "multicluster.x-k8s.io/v1alpha1", kind: "ServiceImport", name: "noise-reduction" },
    ]);
    expect(importPolicy?.spec.placement.clusterAffinity.clusterNames).toEqual(["member1", "member3"]);

    // Re-applied after a re-placement: the same objects, patched.
    await fed.client.applyServiceExport(ns, "noise-reduction", "member3", ["member2"]);
    expect((await policy("noise-reduction-export"))?.spec.placement.clusterAffinity.clusterNames).toEqual(["member3"]);
    expect((await policy("noise-reduction-import"))?.spec.placement.clusterAffinity.clusterNames).toEqual(["member2"]);

    // No callers left: the import and its policy go (an empty policy would propagate everywhere).
    await fed.client.applyServiceExport(ns, "noise-reduction", "member3", []);
    expect(await serviceImport("noise-reduction")).toBeUndefined();
    expect(await policy("noise-reduction-import")).toBeUndefined();
    expect(await serviceExport("noise-reduction")).toBeDefined();

    await fed.client.removeServiceExport(ns, "noise-reduction");
    await fed.client.removeServiceExport(ns, "noise-reduction"); // idempotent
    expect(await serviceExport("noise-reduction")).toBeUndefined();
    expect(await policy("noise-reduction-export")).toBeUndefined();
  });

  it("imports with no ports when the Service does not exist yet", async () => {
    await fed.client.applyServiceExport(ns, "not-yet", "member1", ["member2"]);
    expect((await serviceImport("not-yet"))?.spec.ports).toEqual([]);
    await fed.client.removeServiceExport(ns, "not-yet");
  });
});

describe("errors", () => {
  it("maps a missing Deployment to NotFoundError on scale and to undefined on getReplicas", async () => {
    await expect(fed.client.scale(ns, "missing", 2)).rejects.toBeInstanceOf(NotFoundError);
    expect(await fed.client.getReplicas(ns, "missing")).toBeUndefined();
  });
});
