// ensureNamespace is a server-side apply of the name alone, as field manager smo: it creates a missing namespace
// and leaves one that already exists as it was (its labels and their manager kept).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKarmadaTestbed, type KarmadaTestbed } from "./federation.js";

interface Namespace {
  metadata: { name: string; labels?: Record<string, string>; managedFields?: { manager?: string; operation?: string }[] };
}

describe("ensureNamespace", () => {
  let fed: KarmadaTestbed;
  beforeAll(async () => {
    fed = await startKarmadaTestbed({ clusters: 1, gpuClusters: 0 });
  });
  afterAll(async () => {
    await fed?.stop();
  });

  const get = async (name: string) => (await (await fetch(`${fed.sim.url}/api/v1/namespaces/${name}`)).json()) as Namespace;

  it("creates a missing namespace by server-side apply, and applying again changes nothing", async () => {
    await fed.client.ensureNamespace("ns-new");
    const first = await get("ns-new");
    expect(first.metadata.name).toBe("ns-new");
    await fed.client.ensureNamespace("ns-new");
    expect((await get("ns-new")).metadata).toMatchObject({ name: "ns-new", labels: first.metadata.labels });
  });

  it("leaves an existing namespace's labels as they were", async () => {
    const res = await fetch(`${fed.sim.url}/api/v1/namespaces?fieldManager=hop3`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "ns-hop3", labels: { owner: "hop3" } } }),
    });
    expect(res.status).toBe(201);
    await fed.client.ensureNamespace("ns-hop3");
    const after = await get("ns-hop3");
    expect(after.metadata.labels).toEqual({ owner: "hop3", "kubernetes.io/metadata.name": "ns-hop3" });
    // smo applies no field of it, so hop3 stays the manager of what it set.
    expect(after.metadata.managedFields?.map((e) => e.manager)).toContain("hop3");
  });
});
