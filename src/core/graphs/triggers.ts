// Alertmanager → event-triggered services. Every alert about a known graph/service/event is recorded as an
// event (alert-firing / alert-resolved); a firing one whose service is pending and whose condition now holds
// (ANY: this event; ALL: every event firing) deploys the service through the outbox, like a deploy does.
// A resolved alert does not undeploy anything (NEPHELE's SMO behaves the same).
import type { OutboxAction } from "./actions.js";
import { ALERT_FIRING, ALERT_RESOLVED, conditionMet, eventOfAlert, firingEvents } from "./alerts.js";
import { toStored } from "./actions.js";
import type { LifecycleCore } from "./core.js";
import { planTrigger } from "./plan.js";
import type { AlertOutcome, IncomingAlert } from "./types.js";
import type { EventRecord, OutboxRecord } from "../ports/store.js";

export async function handleAlerts(core: LifecycleCore, alerts: IncomingAlert[]): Promise<AlertOutcome> {
  const outcome: AlertOutcome = { triggered: [], recorded: 0, ignored: 0 };
  for (const alert of alerts) {
    const labels = alert.labels ?? {};
    const graphName = labels.graph;
    const serviceName = labels.service;
    const log = core.logger.child({ graph: graphName, service: serviceName, alertname: labels.alertname });
    const graph = graphName ? await core.store.graphs.get(graphName) : undefined;
    const service = graph ? core.modelOf(graph).services.find((s) => s.id === serviceName) : undefined;
    const eventId = graph && service ? eventOfAlert(graph.name, service, labels) : undefined;
    if (!graph || !service || !eventId) {
      log.info({ labels }, "alert ignored: no event-triggered service of a known graph matches its labels");
      outcome.ignored++;
      continue;
    }
    const firing = alert.status === "firing";
    await core.mutex.run(graph.name, async () => {
      const result = await core.store.transaction(async (tx) => {
        const locked = await tx.graphs.lock(graph.name);
        if (!locked) return undefined;
        const events: EventRecord[] = [
          await tx.events.append({
            graph: graph.name,
            type: firing ? ALERT_FIRING : ALERT_RESOLVED,
            service: service.id,
            message: `alert ${labels.alertname ?? eventId} ${firing ? "firing" : "resolved"}`,
            details: { event: eventId, alert: labels.alertname ?? null, startsAt: alert.startsAt instanceof Date ? alert.startsAt.toISOString() : (alert.startsAt ?? null), fingerprint: alert.fingerprint ?? null },
          }),
        ];
        if (!firing || (locked.status !== "running" && locked.status !== "deploying")) return { events, triggered: false };
        const record = await tx.services.get(graph.name, service.id);
        if (!record || record.status !== "pending") return { events, triggered: false };
        if ((await tx.outbox.pending(graph.name)).some((row) => deploysService(row, service.id))) return { events, triggered: false };
        // ANY (or a single event): this firing alert is the condition; only ALL needs the other events' state,
        // read from the history (bounded by --retention).
        const needsHistory = service.trigger.kind === "event" && service.trigger.condition === "ALL" && service.trigger.events.length > 1;
        const firingNow = needsHistory ? firingEvents(await tx.events.listAfter(graph.name, 0), service.id) : new Set([eventId]);
        if (!conditionMet(service, firingNow)) return { events, triggered: false };

        const ctx = core.planContext(locked, core.modelOf(locked), await tx.services.listByGraph(graph.name));
        events.push(
          await tx.events.append({
            graph: graph.name,
            type: "service-triggered",
            service: service.id,
            message: `event ${eventId} fired: deploying ${service.id} on ${record.cluster ?? "?"}`,
            details: { event: eventId, alert: labels.alertname ?? null, cluster: record.cluster },
          }),
        );
        await tx.graphs.update(graph.name, { status: "deploying" });
        await tx.outbox.enqueue(graph.name, toStored(planTrigger(ctx, service.id)));
        return { events, triggered: true };
      });
      if (!result) {
        outcome.ignored++;
        return;
      }
      outcome.recorded++;
      if (!result.triggered) {
        core.hub.published(result.events);
        return;
      }
      outcome.triggered.push(`${graph.name}/${service.id}`);
      log.info({ event: eventId }, "event-triggered service deploying");
      try {
        await core.afterCommit(graph.name, "trigger", result.events);
      } catch (err) {
        // Committed: the outbox completes it (retry loop or resume). The webhook still answers 200.
        log.warn({ err: (err as Error).message }, "triggered service not applied yet");
      }
    });
  }
  return outcome;
}

/** A pending outbox row that will mark the service deployed: its trigger is already on its way. */
function deploysService(row: OutboxRecord, service: string): boolean {
  const action = row.action as OutboxAction;
  return action.kind === "mark-services" && action.statuses[service] === "deployed";
}
