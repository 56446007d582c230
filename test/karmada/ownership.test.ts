// The rules of what smo may touch (pure): the managed-by label and the graph annotation, Helm releases smo's
// helm deployer runs, and which apply conflicts smo may force.
import { describe, expect, it } from "vitest";
import { ConflictError } from "../../src/core/errors.js";
import { conflictManagers, managerOf, ownConflict, refusal, type OwnedObject } from "../../src/adapters/karmada/ownership.js";

const smo = (graph?: string): OwnedObject => ({
  metadata: { labels: { "app.kubernetes.io/managed-by": "smo" }, annotations: graph ? { "smo/graph": graph } : {} },
});

describe("ownership rules", () => {
  it("names the manager from the label, else from managedFields", () => {
    expect(managerOf({ metadata: { labels: { "app.kubernetes.io/managed-by": "argocd" } } })).toBe("argocd");
    expect(managerOf({ metadata: { managedFields: [{ manager: "kubectl-create" }, { manager: "kubectl" }, { manager: "kubectl" }] } })).toBe("kubectl-create, kubectl");
    expect(managerOf({})).toBe("unknown");
  });

  it("refuses objects without smo's label, without the graph annotation, or of another graph", () => {
    expect(refusal("Deployment a/b", { metadata: { managedFields: [{ manager: "kubectl-create" }] } })).toBe(
      "Deployment a/b exists and is not managed by smo (managed by kubectl-create); smo neither updates nor deletes it",
    );
    expect(refusal("Deployment a/b", smo(), { graphId: "g" })).toContain("carries no smo/graph annotation");
    expect(refusal("Deployment a/b", smo(), { graphId: "g", adoptUnannotated: true })).toBeUndefined();
    expect(refusal("Deployment a/b", smo("h"), { graphId: "g" })).toBe("Deployment a/b belongs to graph h, not g; smo neither updates nor deletes it");
    expect(refusal("Deployment a/b", smo("g"), { graphId: "g" })).toBeUndefined();
    const helm = { metadata: { labels: { "app.kubernetes.io/managed-by": "Helm" }, annotations: { "meta.helm.sh/release-name": "vo" } } };
    expect(refusal("PropagationPolicy a/vo", helm, { helmRelease: "vo" })).toBeUndefined();
    expect(refusal("PropagationPolicy a/vo", helm, { helmRelease: "other" })).toContain("not managed by smo (managed by Helm)");
  });

  it("forces a conflict on smo's own object (its fields are smo's to decide), or when every conflicting manager is smo's", () => {
    const conflict = (m: string) => new ConflictError(`apply Deployment a/b: HTTP 409 Conflict: ${m}`);
    const own = conflict('Apply failed with 2 conflicts: conflicts with "smo":\n- .a\nconflicts with "smo-scale" with subresource "scale" using apps/v1 at t:\n- .b');
    expect(conflictManagers(own)).toEqual(["smo", "smo-scale"]);
    expect(ownConflict(own, smo("g"), {})).toBe(true);
    const foreign = conflict('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1 at t: .spec.template.spec.containers[name="c"].image');
    // smo's object of the expected graph: another manager's change to a field smo applies is drift, taken back.
    expect(ownConflict(foreign, smo("g"), { graphId: "g" })).toBe(true);
    // Another graph's object, or one without smo's label: never forced.
    expect(ownConflict(foreign, smo("g"), { graphId: "other" })).toBe(false);
    expect(ownConflict(foreign, { metadata: { labels: { "app.kubernetes.io/managed-by": "kubectl" } } }, {})).toBe(false);
    expect(ownConflict(foreign, undefined, {})).toBe(false);
    const helm = { metadata: { labels: { "app.kubernetes.io/managed-by": "Helm" }, annotations: { "meta.helm.sh/release-name": "vo" } } };
    expect(ownConflict(foreign, helm, { helmRelease: "vo" })).toBe(true);
  });
});
