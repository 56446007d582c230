// hdaGraph.services[i].deployment.trigger: exactly one of `auto` (deploy now, after its dependencies) or
// `event` (deploy when Prometheus alerts fire: each event becomes an alerting rule).
import type { Ctx } from "../fields.js";
import { at, readEnum, readList, readObject, readString, readStringList, warnUnknownFields } from "../fields.js";
import { parsePrometheusDuration } from "../formats.js";
import type { ServiceRefs } from "../draft.js";
import type { EventSource, EventSpec, TriggerSpec } from "../model.js";
import type { Path } from "../paths.js";
import { EVENT_CONDITIONS } from "../schema.js";
import { describe } from "../values.js";

/** Longest accepted promQuery; real conditions are a line or two. */
export const MAX_PROMQL_CHARS = 4096;

export function checkTrigger(ctx: Ctx, value: unknown, path: Path, refs: ServiceRefs): TriggerSpec | undefined {
  const obj = readObject(ctx, value, path, "an object with exactly one of auto or event", { required: true });
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, "trigger");
  const hasAuto = Object.hasOwn(obj, "auto");
  const hasEvent = Object.hasOwn(obj, "event");
  if (hasAuto && hasEvent) {
    ctx.issues.error([...path, "event"], "expected exactly one of auto or event, found both");
    return undefined;
  }
  if (hasEvent) return checkEvent(ctx, at(obj, "event"), [...path, "event"], refs);
  if (hasAuto) return checkAuto(ctx, at(obj, "auto"), [...path, "auto"], refs);
  ctx.issues.error(path, `expected exactly one of auto or event, found ${Object.keys(obj).length ? `only ${Object.keys(obj).join(", ")}` : "an empty object"}`);
  return undefined;
}

function checkAuto(ctx: Ctx, value: unknown, path: Path, refs: ServiceRefs): TriggerSpec | undefined {
  // A bare `auto:` (null) is the natural YAML for "deploy now, no dependencies".
  if (value === null) return { kind: "auto", dependencies: [] };
  const obj = readObject(ctx, value, path, "an object {dependencies: [service ids]}", { required: true });
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, "auto");
  const deps = readStringList(ctx, at(obj, "dependencies"), [...path, "dependencies"], "a list of service ids");
  refs.dependencies.push(...deps.map((d) => ({ id: d.value, path: d.path })));
  return { kind: "auto", dependencies: deps.map((d) => d.value) };
}

function checkEvent(ctx: Ctx, value: unknown, path: Path, refs: ServiceRefs): TriggerSpec | undefined {
  const before = ctx.issues.errors;
  const obj = readObject(ctx, value, path, "an object {condition, events}", { required: true });
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, "event");
  const condition = readEnum(ctx, at(obj, "condition"), [...path, "condition"], EVENT_CONDITIONS, { required: true });
  const events: EventSpec[] = [];
  const seen = new Map<string, number>();
  readList(ctx, at(obj, "events"), [...path, "events"], "a non-empty list of events", { required: true, nonEmpty: true })?.forEach(
    (item, i) => {
      const event = checkEventItem(ctx, item, [...path, "events", i], refs);
      if (!event) return;
      const first = seen.get(event.id);
      if (first !== undefined) {
        // The id becomes the Prometheus alert name: two rules with one name would be indistinguishable.
        ctx.issues.error([...path, "events", i, "id"], `expected a unique event id, found ${describe(event.id)} again (first at events[${first}])`);
        return;
      }
      seen.set(event.id, i);
      events.push(event);
    },
  );
  if (ctx.issues.errors > before || condition === undefined) return undefined;
  return { kind: "event", condition, events };
}

function checkEventItem(ctx: Ctx, value: unknown, path: Path, refs: ServiceRefs): EventSpec | undefined {
  const before = ctx.issues.errors;
  const obj = readObject(ctx, value, path, "an object {id, source, condition}", { required: true });
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, "eventItem");
  const id = readString(ctx, at(obj, "id"), [...path, "id"], { required: true, nonEmpty: true });

  const sources: EventSource[] = [];
  readList(ctx, at(obj, "source"), [...path, "source"], "a list of {serviceId, metricId}")?.forEach((item, i) => {
    const srcPath = [...path, "source", i];
    const src = readObject(ctx, item, srcPath, "an object {serviceId, metricId}", { required: true });
    if (!src) return;
    warnUnknownFields(ctx, src, srcPath, "eventSource");
    const serviceId = readString(ctx, at(src, "serviceId"), [...srcPath, "serviceId"], { required: true, nonEmpty: true });
    const metricId = readString(ctx, at(src, "metricId"), [...srcPath, "metricId"], { required: true, nonEmpty: true });
    if (serviceId === undefined || metricId === undefined) return;
    refs.eventSources.push({ id: serviceId, path: [...srcPath, "serviceId"] });
    sources.push({ serviceId, metricId });
  });

  const cond = readObject(ctx, at(obj, "condition"), [...path, "condition"], "an object {promQuery, gracePeriod, description}", {
    required: true,
  });
  let promQuery, gracePeriod, description;
  if (cond) {
    warnUnknownFields(ctx, cond, [...path, "condition"], "eventCondition");
    promQuery = readString(ctx, at(cond, "promQuery"), [...path, "condition", "promQuery"], {
      required: true,
      nonEmpty: true,
      what: "a non-empty PromQL expression",
    });
    // Every graph's expressions land in rules Prometheus evaluates for all: a bound on their size.
    if (promQuery !== undefined && promQuery.length > MAX_PROMQL_CHARS) {
      ctx.issues.error([...path, "condition", "promQuery"], `expected a PromQL expression of at most ${MAX_PROMQL_CHARS} characters, found ${promQuery.length}`);
      promQuery = undefined;
    }
    gracePeriod = readString(ctx, at(cond, "gracePeriod"), [...path, "condition", "gracePeriod"], {
      required: true,
      what: "a Prometheus duration string such as 30s, 2m or 1h30m",
    });
    if (gracePeriod !== undefined && parsePrometheusDuration(gracePeriod) === undefined) {
      ctx.issues.error(
        [...path, "condition", "gracePeriod"],
        `expected a Prometheus duration (units y w d h m s ms in that order, e.g. 30s, 2m, 1h30m), found ${describe(gracePeriod)}`,
      );
    }
    description = readString(ctx, at(cond, "description"), [...path, "condition", "description"]);
  }
  if (ctx.issues.errors > before || id === undefined || promQuery === undefined || gracePeriod === undefined) return undefined;
  const event: EventSpec = { id, promQuery, gracePeriod, sources };
  if (description !== undefined) event.description = description;
  return event;
}
