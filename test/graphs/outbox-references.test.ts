// Outbox rows hold what to converge (kind, namespace, service), not the objects: the executor renders the objects
// from the stored state when it applies a row, so a change committed after the row (here: a service moved before
// the deploy's rows are applied) is what reaches Karmada, never the older state the row was planned from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chain, descriptor } from "./descriptors.js";
import { policyClusters, startHarness, type Harness } from "./harness.js";

describe("outbox rows without snapshots", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("stores references and applies the state as of apply time", async () => {
    const stored: unknown[] = [];
    let moved = "";
    const lifecycle = h.newLifecycle({
      hooks: {
        afterCommit: async (graph, operation) => {
          if (operation !== "deploy") return;
          stored.push(...(await h.store.outbox.pending(graph)).map((r) => r.action));
          // A later commit moves `back` before any row is applied.
          const back = await h.store.services.get(graph, "back");
          moved = ["member1", "member2", "member3"].find((c) => c !== back!.cluster)!;
          await h.store.services.update(graph, "back", { cluster: moved });
        },
      },
    });
    await lifecycle.deploy({ project: "p-ref", descriptor: descriptor(chain("g-ref")) });

    const converge = stored.filter((a) => ["apply-workload", "apply-placement", "apply-export"].includes((a as { kind: string }).kind));
    expect(converge.length).toBeGreaterThanOrEqual(7);
    for (const a of converge) expect(Object.keys(a as object).sort()).toEqual(["kind", "namespace", "ref", "service"]);

    const policies = await policyClusters(h.sim, "p-ref");
    expect(policies.back).toEqual([moved]);
    expect(policies["back-export"]).toEqual([moved]);
    const view = await lifecycle.get("g-ref");
    expect(view.placement.back).toBe(moved);
    expect(view.status).toBe("running");
  });
});
