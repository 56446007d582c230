// Alert rules of event-triggered services and the bookkeeping that decides when such a service deploys.
// One rule per event (condition ANY and ALL alike); with ALL the service deploys once every event's alert is
// firing, which is worked out from the alert-firing / alert-resolved events recorded for it.
import { createHash } from "node:crypto";
import type { GraphEventType } from "../events.js";
import type { ServiceModel } from "../hdag/model.js";
import type { AlertRule } from "../ports/observability.js";
import type { EventRecord } from "../ports/store.js";

export const ALERT_FIRING = "alert-firing" satisfies GraphEventType;
export const ALERT_RESOLVED = "alert-resolved" satisfies GraphEventType;

/**
 * A Prometheus alert name ([a-zA-Z_:][a-zA-Z0-9_:]*) unique per graph/service/event: the readable parts
 * sanitised, plus a short hash of the exact triple so two triples that sanitise alike still differ.
 */
export function alertName(graph: string, service: string, event: string): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, "_");
  const hash = createHash("sha256").update(`${graph}\u0000${service}\u0000${event}`).digest("hex").slice(0, 8);
  return `smo_${clean(graph)}_${clean(service)}_${clean(event)}_${hash}`;
}

export function rulesForService(graph: string, service: ServiceModel): AlertRule[] {
  if (service.trigger.kind !== "event") return [];
  return service.trigger.events.map((event) => ({
    alert: alertName(graph, service.id, event.id),
    expr: event.promQuery,
    for: event.gracePeriod,
    labels: { graph, service: service.id, event: event.id, severity: "critical" },
    annotations: {
      description: event.description ?? `event ${event.id} of service ${service.id}`,
      summary: `smo: event ${event.id} deploys ${graph}/${service.id}`,
    },
  }));
}

/**
 * Which event of `service` an alert is about: the `event` label smo puts on its rules, else the alert name
 * (smo's own name, or the bare event id as NEPHELE's SMO named its rules). Undefined when none matches.
 */
export function eventOfAlert(graph: string, service: ServiceModel, labels: Record<string, string>): string | undefined {
  if (service.trigger.kind !== "event") return undefined;
  const ids = service.trigger.events.map((e) => e.id);
  if (labels.event && ids.includes(labels.event)) return labels.event;
  const name = labels.alertname;
  if (!name) return ids.length === 1 ? ids[0] : undefined;
  return ids.find((id) => id === name || alertName(graph, service.id, id) === name);
}

/** Events of `service` whose alert is firing now, from the graph's event history (reset by a stop). */
export function firingEvents(history: EventRecord[], service: string): Set<string> {
  const firing = new Set<string>();
  for (const e of history) {
    if (e.type === "stopped") firing.clear();
    if (e.service !== service) continue;
    const event = (e.details as { event?: string } | null)?.event;
    if (!event) continue;
    if (e.type === ALERT_FIRING) firing.add(event);
    else if (e.type === ALERT_RESOLVED) firing.delete(event);
  }
  return firing;
}

/** Whether the service's trigger condition holds given the firing events. */
export function conditionMet(service: ServiceModel, firing: Set<string>): boolean {
  if (service.trigger.kind !== "event") return false;
  const ids = service.trigger.events.map((e) => e.id);
  return service.trigger.condition === "ALL" ? ids.every((id) => firing.has(id)) : ids.some((id) => firing.has(id));
}
