// Checks that need every service id: references between services and the dependency order. Runs after all
// services were read, on the references they collected with their paths, so each finding lands on the entry.
import type { Ctx } from "../fields.js";
import type { Ref, ServiceRefs } from "../draft.js";
import { describe } from "../values.js";

export function checkReferences(ctx: Ctx, all: readonly ServiceRefs[], ids: ReadonlySet<string>): void {
  const known = `the id of a service of this graph (${[...ids].map((id) => JSON.stringify(id)).join(", ") || "none"})`;
  const mustExist = (ref: Ref): boolean => {
    if (ids.has(ref.id)) return true;
    ctx.issues.error(ref.path, `expected ${known}, found ${describe(ref.id)}`);
    return false;
  };

  for (const refs of all) {
    const seenTargets = new Set<string>();
    for (const ref of refs.connectionPoints) {
      if (!mustExist(ref)) continue;
      if (ref.id === refs.id) ctx.issues.warning(ref.path, "a service listing itself as a connection point is ignored");
      else if (seenTargets.has(ref.id)) ctx.issues.warning(ref.path, `${JSON.stringify(ref.id)} is listed twice; the repetition is ignored`);
      seenTargets.add(ref.id);
    }

    const latencyTargets = new Set<string>();
    for (const ref of refs.latencies) {
      if (!mustExist(ref)) continue;
      if (latencyTargets.has(ref.id)) {
        ctx.issues.error(ref.path, `expected one latency intent per connection point, found a second one for ${JSON.stringify(ref.id)}`);
      } else if (!seenTargets.has(ref.id)) {
        ctx.issues.warning(ref.path, `${JSON.stringify(ref.id)} is not in this service's connectionPoints, so no connection carries this qos`);
      }
      latencyTargets.add(ref.id);
    }

    for (const ref of refs.coLocation) {
      if (ref.grounded) continue; // a service of another graph: kept as a reference, not resolvable here
      if (!mustExist(ref)) continue;
      if (ref.id === refs.id) ctx.issues.warning(ref.path, "a service co-located with itself adds nothing and is ignored");
    }

    for (const ref of refs.dependencies) mustExist(ref);

    for (const ref of refs.eventSources) {
      // The Brussels demo names "vo", which is not a service: a source may be a device or a VO instance.
      if (!ids.has(ref.id)) ctx.issues.warning(ref.path, `${JSON.stringify(ref.id)} is not a service of this graph (taken as an external device or VO)`);
    }
  }
  checkDependencyCycles(ctx, all, ids);
}

/** Depth-first search over `auto.dependencies`; every edge closing a cycle is reported at its own entry. */
function checkDependencyCycles(ctx: Ctx, all: readonly ServiceRefs[], ids: ReadonlySet<string>): void {
  const edges = new Map<string, Ref[]>();
  for (const refs of all) {
    if (refs.id !== undefined) edges.set(refs.id, refs.dependencies.filter((d) => ids.has(d.id)));
  }
  const state = new Map<string, "active" | "done">();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS: the stack holds each node with the index of its next edge, so deep chains cannot
    // overflow the call stack.
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    state.set(start, "active");
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const out = edges.get(top.node) ?? [];
      if (top.next >= out.length) {
        state.set(top.node, "done");
        stack.pop();
        continue;
      }
      const edge = out[top.next++]!;
      const s = state.get(edge.id);
      if (s === "active") {
        const from = stack.findIndex((f) => f.node === edge.id);
        const cycle = [...stack.slice(from).map((f) => f.node), edge.id].join(" → ");
        ctx.issues.error(edge.path, `expected dependencies without cycles, found the cycle ${cycle}`);
      } else if (s === undefined) {
        state.set(edge.id, "active");
        stack.push({ node: edge.id, next: 0 });
      }
    }
  }
}
