// The types of event a graph records (events table, WatchGraph, `smo graph watch`): one table that producers
// write and consumers read, so a misspelt type is a compile error and a new type must say how it is consumed.

interface EventTypeInfo {
  /** After this event the elasticity loop re-reads the graph: its services, clusters or state changed. */
  refreshesElasticity: boolean;
  meaning: string;
}

export const GRAPH_EVENT_TYPES = {
  deployed: { refreshesElasticity: true, meaning: "DeployGraph committed: graph, services and placement stored" },
  placed: { refreshesElasticity: true, meaning: "the solver's placement of a newly deployed graph" },
  replaced: { refreshesElasticity: true, meaning: "ReplaceGraph (or a capacity change) moved services" },
  started: { refreshesElasticity: true, meaning: "a stopped graph's workloads were applied again" },
  stopped: { refreshesElasticity: true, meaning: "workloads and policies removed, state kept" },
  removed: { refreshesElasticity: true, meaning: "everything smo created for the graph deleted" },
  "service-triggered": { refreshesElasticity: true, meaning: "an event-triggered service was started by its alerts" },
  scaled: { refreshesElasticity: false, meaning: "the elasticity loop applied a replica decision" },
  repaired: { refreshesElasticity: false, meaning: "a running graph drifted on Karmada and its objects were re-applied" },
  failed: { refreshesElasticity: false, meaning: "a Karmada action failed (retried or given up)" },
  "alert-firing": { refreshesElasticity: false, meaning: "an alert a service's trigger listens to fired" },
  "alert-resolved": { refreshesElasticity: false, meaning: "that alert resolved" },
} as const satisfies Record<string, EventTypeInfo>;

export type GraphEventType = keyof typeof GRAPH_EVENT_TYPES;

export function isGraphEventType(value: string): value is GraphEventType {
  return Object.hasOwn(GRAPH_EVENT_TYPES, value);
}

/** Whether the elasticity loop must re-read a graph after this event (false for types it does not know). */
export function refreshesElasticity(type: string): boolean {
  return isGraphEventType(type) && GRAPH_EVENT_TYPES[type].refreshesElasticity;
}
