// Level-triggered repair at start-up: a running graph whose objects vanished from Karmada (a federation that
// lost its state, like a restarted in-process simulator, or a policy deleted by hand) is re-applied; a graph
// that matches Karmada is left alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chain, descriptor } from "./descriptors.js";
import { inventory, policyClusters, startHarness, type Harness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function deleteObject(path: string): Promise<void> {
  const res = await fetch(`${h.sim.url}${path}`, { method: "DELETE" });
  expect(res.status).toBe(200);
}

describe("repairAll", () => {
  it("leaves converged graphs alone and re-applies the objects of a graph that lost them", async () => {
    await h.lifecycle.deploy({ project: "repair", descriptor: descriptor(chain("g-repair", { eventFront: true })) });
    const converged = await inventory(h.sim, "repair");
    const placement = await policyClusters(h.sim, "repair");
    expect(await h.lifecycle.repairAll()).toEqual([]);

    // Behind smo's back: a workload and a policy disappear.
    await deleteObject("/apis/apps/v1/namespaces/repair/deployments/middle");
    await deleteObject("/apis/policy.karmada.io/v1alpha1/namespaces/repair/propagationpolicies/back");
    expect((await inventory(h.sim, "repair")).deployments).toEqual(["back"]);

    // A restarted smo checks its running graphs against Karmada.
    const restarted = h.newLifecycle();
    expect(await restarted.repairAll()).toEqual(["g-repair"]);
    expect(await inventory(h.sim, "repair")).toEqual(converged);
    expect(await policyClusters(h.sim, "repair")).toEqual(placement);
    const view = await restarted.get("g-repair");
    expect(view.status).toBe("running");
    // The event-triggered service stays pending: a repair changes no status.
    expect(view.services.map((s) => [s.name, s.status])).toEqual([
      ["front", "pending"],
      ["middle", "deployed"],
      ["back", "deployed"],
    ]);
    const events = (await h.store.events.listAfter("g-repair", 0)).map((e) => e.type);
    expect(events).toEqual(["placed", "deployed", "repaired"]);
    // Converged again: nothing more to do.
    expect(await restarted.repairAll()).toEqual([]);
  });
});
