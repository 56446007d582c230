// Event types are one table: which of them make the elasticity loop re-read a graph is data, not string matching.
import { describe, expect, it } from "vitest";
import { GRAPH_EVENT_TYPES, isGraphEventType, refreshesElasticity } from "../../src/core/events.js";

describe("graph event types", () => {
  it("refresh the elasticity loop when services, clusters or state change, not on its own or alert events", () => {
    const refreshing = Object.keys(GRAPH_EVENT_TYPES).filter(refreshesElasticity).sort();
    expect(refreshing).toEqual(["deployed", "placed", "removed", "replaced", "service-triggered", "started", "stopped"]);
    expect(refreshesElasticity("scaled")).toBe(false);
  });

  it("treat a type this version does not know (a newer writer's row) as not refreshing", () => {
    expect(isGraphEventType("archived")).toBe(false);
    expect(refreshesElasticity("archived")).toBe(false);
    expect(isGraphEventType("toString")).toBe(false);
  });
});
