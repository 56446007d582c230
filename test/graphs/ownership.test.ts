// smo as a well-behaved controller on Karmada, end to end: every object it writes carries its label and the
// graph annotation and is written by server-side apply as field manager `smo`; an object it did not make is
// neither updated nor deleted (FAILED_PRECONDITION naming it); and a replica count chosen after deployment
// (elasticity: a scale plus the stored desired count) survives ReplaceGraph, StopGraph+StartGraph, a repair
// and a redeploy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FailedPreconditionError } from "../../src/core/errors.js";
import { chain, descriptor } from "./descriptors.js";
import { listObjects, startHarness, type Harness } from "./harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function deployment(namespace: string, name: string) {
  return (await listObjects(h.sim, "deployments", namespace)).find((d) => d.metadata.name === name) as
    | { metadata: { resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: { manager: string; operation: string }[] }; spec: { replicas: number } }
    | undefined;
}

describe("ownership", () => {
  it("labels, annotates and server-side applies everything it writes", async () => {
    await h.lifecycle.deploy({ project: "p-own", descriptor: descriptor(chain("g-own")) });
    for (const kind of ["deployments", "services", "propagationpolicies", "serviceexports", "serviceimports"] as const) {
      for (const o of await listObjects(h.sim, kind, "p-own")) {
        const meta = o.metadata as { labels?: Record<string, string>; annotations?: Record<string, string>; managedFields?: { manager: string; operation: string }[] };
        expect(meta.labels?.["app.kubernetes.io/managed-by"], `${kind} ${o.metadata.name}`).toBe("smo");
        expect(meta.managedFields?.some((e) => e.manager === "smo" && e.operation === "Apply"), `${kind} ${o.metadata.name}`).toBe(true);
        expect(meta.annotations?.["smo/graph"], `${kind} ${o.metadata.name}`).toBe("g-own");
      }
    }
    await h.lifecycle.remove("g-own");
  });

  it("refuses to take over a Deployment it did not make, and never deletes it", async () => {
    const foreign = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "back", namespace: "hop3", labels: { app: "theirs" } },
      spec: { replicas: 2, selector: { matchLabels: { app: "theirs" } }, template: { metadata: { labels: { app: "theirs" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } } },
    };
    const created = await fetch(`${h.sim.url}/apis/apps/v1/namespaces/hop3/deployments?fieldManager=kubectl-create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(foreign),
    });
    expect(created.status).toBe(201);
    const before = await deployment("hop3", "back");

    const err = await h.lifecycle.deploy({ project: "hop3", descriptor: descriptor(chain("g-foreign")) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toContain("Deployment hop3/back exists and is not managed by smo (managed by kubectl-create)");
    expect(await deployment("hop3", "back")).toEqual(before);

    await h.lifecycle.remove("g-foreign");
    expect(await deployment("hop3", "back")).toEqual(before);
  });

  it("refuses a Deployment another graph owns", async () => {
    await h.lifecycle.deploy({ project: "p-two", descriptor: descriptor(chain("g-first")) });
    const err = await h.lifecycle.deploy({ project: "p-two", descriptor: descriptor(chain("g-second")) }).catch((e: unknown) => e);
    // Either the API refuses the duplicate service names, or the adapter refuses the object: never a takeover.
    expect(err).toBeInstanceOf(Error);
    expect((await deployment("p-two", "back"))?.metadata.annotations?.["smo/graph"]).toBe("g-first");
    await h.lifecycle.remove("g-first");
  });
});

describe("a replica count chosen after deployment is kept", () => {
  it("through ReplaceGraph, StopGraph+StartGraph, repair and redeploy", async () => {
    const spec = chain("g-keep");
    await h.lifecycle.deploy({ project: "p-keep", descriptor: descriptor(spec) });
    // What the elasticity loop does on a scale-up: the scale subresource, then the stored desired count.
    await h.client.scale("p-keep", "back", 4);
    await h.store.services.update("g-keep", "back", { desiredReplicas: 4 });
    const count = async () => (await deployment("p-keep", "back"))?.spec.replicas;
    expect(await count()).toBe(4);

    await h.lifecycle.replace("g-keep", {});
    expect(await count()).toBe(4);

    await h.lifecycle.stop("g-keep");
    await h.lifecycle.start("g-keep");
    expect(await count()).toBe(4);

    // Repair: the policy disappears, the graph's objects are re-applied with the stored plan.
    await fetch(`${h.sim.url}/apis/policy.karmada.io/v1alpha1/namespaces/p-keep/propagationpolicies/back`, { method: "DELETE" });
    await h.client.scale("p-keep", "back", 6); // a scale the store has not seen yet
    expect(await h.lifecycle.repairAll()).toContain("g-keep");
    expect(await count()).toBe(6);

    await h.lifecycle.deploy({ project: "p-keep", descriptor: descriptor(spec) }).catch(() => undefined);
    expect(await count()).toBe(6);
    const fields = (await deployment("p-keep", "back"))?.metadata.managedFields ?? [];
    expect(JSON.stringify(fields.find((e) => e.manager === "smo" && e.operation === "Apply"))).not.toContain("f:replicas");
    await h.lifecycle.remove("g-keep");
  });
});
