// hdaGraph.services[i].deployment.intent: compute class, network latencies, co-location, connection points and
// smo's scaling extension. In imVersion 0.3.0 `resources: <class>` stands for compute and `network: ""` for none.
import { DEFAULT_MAX_REPLICAS } from "../options.js";
import type { Ctx } from "../fields.js";
import { at, readBoolean, readEnum, readList, readNumber, readObject, readString, readStringList, warnUnknownFields } from "../fields.js";
import type { ComputeDraft, ServiceRefs } from "../draft.js";
import type { CoLocationRef, Qos, ScalingModel } from "../model.js";
import type { Path } from "../paths.js";
import { CPU_CLASSES, GPU_BOOLEAN_STRINGS, QOS_LEVELS, RAM_CLASSES, STORAGE_CLASSES } from "../schema.js";
import { describe, type JsonObject } from "../values.js";

export interface IntentDraft {
  compute: ComputeDraft;
  latencies: { connectionPoint: string; qos: Qos }[];
  deviceProximity: boolean;
  coLocation: CoLocationRef[];
  connectionPoints: string[];
  scaling: Partial<ScalingModel>;
}

export function checkIntent(ctx: Ctx, value: unknown, path: Path, legacy: boolean, refs: ServiceRefs): IntentDraft | undefined {
  const before = ctx.issues.errors;
  const obj = readObject(ctx, value, path, "an object {network, compute, coLocation, connectionPoints, metrics}", { required: true });
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, legacy ? "legacyIntent" : "intent");

  const compute = checkComputeOrResources(ctx, obj, path, legacy);
  const network = checkNetwork(ctx, at(obj, "network"), [...path, "network"], legacy, refs);
  const coLocation = checkCoLocation(ctx, at(obj, "coLocation"), [...path, "coLocation"], refs);
  const connectionPoints = readStringList(ctx, at(obj, "connectionPoints"), [...path, "connectionPoints"], "a list of service ids");
  refs.connectionPoints.push(...connectionPoints.map((c) => ({ id: c.value, path: c.path })));
  // metrics: always [] in real files and never read by any SMO; its entries have no defined shape yet.
  readList(ctx, at(obj, "metrics"), [...path, "metrics"], "a list");
  const scaling = checkScaling(ctx, at(obj, "scaling"), [...path, "scaling"]);

  if (ctx.issues.errors > before || !compute) return undefined;
  return {
    compute,
    latencies: network.latencies,
    deviceProximity: network.deviceProximity,
    coLocation,
    connectionPoints: connectionPoints.map((c) => c.value),
    scaling,
  };
}

function checkComputeOrResources(ctx: Ctx, intent: JsonObject, path: Path, legacy: boolean): ComputeDraft | undefined {
  const resources = at(intent, "resources");
  const hasCompute = at(intent, "compute") !== undefined && at(intent, "compute") !== null;
  if (legacy && resources !== undefined && resources !== null) {
    if (hasCompute) {
      ctx.issues.warning([...path, "resources"], "both compute and the 0.3.0 resources class are given; resources is ignored");
    } else {
      // 0.3.0: one class for everything. Storage has no "light" class, so light keeps the default small.
      const cls = readEnum(ctx, resources, [...path, "resources"], CPU_CLASSES, { required: true });
      if (cls === undefined) return undefined;
      return { cpu: cls, ram: cls, storage: cls === "light" ? "small" : cls, gpu: false };
    }
  }
  return checkCompute(ctx, at(intent, "compute"), [...path, "compute"]);
}

function checkCompute(ctx: Ctx, value: unknown, path: Path): ComputeDraft | undefined {
  const obj = readObject(ctx, value, path, "an object {cpu, ram, storage, gpu}", { required: true });
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, "compute");
  const cpu = readEnum(ctx, at(obj, "cpu"), [...path, "cpu"], CPU_CLASSES, { required: true });
  const ram = readEnum(ctx, at(obj, "ram"), [...path, "ram"], RAM_CLASSES, { required: true });
  const storage = readEnum(ctx, at(obj, "storage"), [...path, "storage"], STORAGE_CLASSES) ?? "small";
  const gpu = checkGpu(ctx, at(obj, "gpu"), [...path, "gpu"]);
  if (cpu === undefined || ram === undefined || gpu === undefined) return undefined;
  return { cpu, ram, storage, gpu };
}

/** gpu.enabled: a boolean, or the strings "True"/"False" that NEPHELE's SMOs compared against. */
function checkGpu(ctx: Ctx, value: unknown, path: Path): boolean | undefined {
  const obj = readObject(ctx, value, path, "an object {enabled: true|false}");
  if (!obj) return value === undefined || value === null ? false : undefined;
  warnUnknownFields(ctx, obj, path, "gpu");
  const enabled = at(obj, "enabled");
  if (typeof enabled === "string" && Object.hasOwn(GPU_BOOLEAN_STRINGS, enabled)) return GPU_BOOLEAN_STRINGS[enabled];
  if (typeof enabled === "boolean") return enabled;
  ctx.issues.error([...path, "enabled"], `expected a boolean (or the string "True" or "False"), found ${describe(enabled)}`);
  return undefined;
}

function checkNetwork(ctx: Ctx, value: unknown, path: Path, legacy: boolean, refs: ServiceRefs) {
  const out = { latencies: [] as { connectionPoint: string; qos: Qos }[], deviceProximity: false };
  if (legacy && value === "") return out; // 0.3.0 wrote an empty string for "no network intent"
  const obj = readObject(ctx, value, path, "an object {deviceProximity, latencies}");
  if (!obj) return out;
  warnUnknownFields(ctx, obj, path, "network");

  const proximity = readObject(ctx, at(obj, "deviceProximity"), [...path, "deviceProximity"], "an object {enabled: true|false}");
  if (proximity) {
    warnUnknownFields(ctx, proximity, [...path, "deviceProximity"], "flag");
    out.deviceProximity = readBoolean(ctx, at(proximity, "enabled"), [...path, "deviceProximity", "enabled"], { required: true }) ?? false;
  }

  readList(ctx, at(obj, "latencies"), [...path, "latencies"], "a list of {connectionPoint, qos}")?.forEach((item, i) => {
    const itemPath = [...path, "latencies", i];
    const latency = readObject(ctx, item, itemPath, "an object {connectionPoint, qos}", { required: true });
    if (!latency) return;
    warnUnknownFields(ctx, latency, itemPath, "latency");
    const target = readString(ctx, at(latency, "connectionPoint"), [...itemPath, "connectionPoint"], { required: true, what: "a service id" });
    const qos = readEnum(ctx, at(latency, "qos"), [...itemPath, "qos"], QOS_LEVELS, { required: true });
    if (target === "") {
      // Real files carry `connectionPoint: ""` as a placeholder for "the next service".
      ctx.issues.warning([...itemPath, "connectionPoint"], "empty connectionPoint: this latency intent names no service and is ignored");
      return;
    }
    if (target === undefined || qos === undefined) return;
    refs.latencies.push({ id: target, path: [...itemPath, "connectionPoint"] });
    out.latencies.push({ connectionPoint: target, qos });
  });
  return out;
}

function checkCoLocation(ctx: Ctx, value: unknown, path: Path, refs: ServiceRefs): CoLocationRef[] {
  const out: CoLocationRef[] = [];
  readList(ctx, value, path, "a list of {id, groundedGraphId?}")?.forEach((item, i) => {
    const obj = readObject(ctx, item, [...path, i], "an object {id, groundedGraphId?}", { required: true });
    if (!obj) return;
    warnUnknownFields(ctx, obj, [...path, i], "coLocation");
    const id = readString(ctx, at(obj, "id"), [...path, i, "id"], { required: true, nonEmpty: true, what: "a service id" });
    const grounded = readString(ctx, at(obj, "groundedGraphId"), [...path, i, "groundedGraphId"], { nonEmpty: true });
    if (id === undefined) return;
    // With groundedGraphId the id names a service of another (already deployed) graph: kept as a reference.
    refs.coLocation.push({ id, path: [...path, i, "id"], grounded: grounded !== undefined });
    out.push(grounded !== undefined ? { service: id, groundedGraphId: grounded } : { service: id });
  });
  return out;
}

/** smo extension: the linear capacity model `alpha·replicas + beta` requests/s. */
function checkScaling(ctx: Ctx, value: unknown, path: Path): Partial<ScalingModel> {
  const obj = readObject(ctx, value, path, "an object {alpha, beta, minReplicas, maxReplicas}");
  if (!obj) return {};
  warnUnknownFields(ctx, obj, path, "scaling");
  const scaling: Partial<ScalingModel> = {};
  const alpha = readNumber(ctx, at(obj, "alpha"), [...path, "alpha"], { exclusiveMin: 0 });
  const beta = readNumber(ctx, at(obj, "beta"), [...path, "beta"]);
  const min = readNumber(ctx, at(obj, "minReplicas"), [...path, "minReplicas"], { integer: true, min: 1, max: ctx.maxReplicas ?? DEFAULT_MAX_REPLICAS });
  const max = readNumber(ctx, at(obj, "maxReplicas"), [...path, "maxReplicas"], { integer: true, min: 1, max: ctx.maxReplicas ?? DEFAULT_MAX_REPLICAS });
  if (alpha !== undefined) scaling.alpha = alpha;
  if (beta !== undefined) scaling.beta = beta;
  if (min !== undefined) scaling.minReplicas = min;
  if (max !== undefined) scaling.maxReplicas = max;
  if (min !== undefined && max !== undefined && max < min) {
    ctx.issues.error([...path, "maxReplicas"], `expected an integer ≥ minReplicas (${min}), found number ${max}`);
  }
  return scaling;
}
