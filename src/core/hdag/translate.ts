// From a validated draft to the GraphModel the rest of smo uses: size classes become quantities, scaling
// gets its defaults, connection points become qos-labelled connections and co-location becomes groups.
import type { ComputeDraft, GraphDraft, ServiceDraft } from "./draft.js";
import type { Connection, CpuClass, GraphModel, RamClass, ScalingModel, ServiceModel, ServiceResources, StorageClass } from "./model.js";
import { DEFAULT_SCALING_STRATEGY, IM_VERSION } from "./schema.js";

const MI = 2 ** 20;
const GI = 2 ** 30;
const G = 10 ** 9;

/** Cores per replica, as NEPHELE's SMO maps the classes. */
export const CPU_CORES: Readonly<Record<CpuClass, number>> = { light: 0.5, small: 1, medium: 4, large: 8 };
/** Bytes: 500Mi / 1Gi / 2Gi / 8Gi (binary units, Kubernetes `Mi`/`Gi`). */
export const RAM_BYTES: Readonly<Record<RamClass, number>> = { light: 500 * MI, small: GI, medium: 2 * GI, large: 8 * GI };
/** Bytes: 10G / 20G / 40G (decimal units, Kubernetes `G`, NEPHELE's "10GB"). */
export const STORAGE_BYTES: Readonly<Record<StorageClass, number>> = { small: 10 * G, medium: 20 * G, large: 40 * G };

export function translateDraft(draft: GraphDraft, scalingDefaults: ScalingModel): GraphModel {
  const services = draft.services.map((s) => translateService(s, scalingDefaults));
  const model: GraphModel = {
    id: draft.id,
    version: draft.version,
    imVersion: IM_VERSION,
    intent: { ...draft.intent, scalingStrategy: draft.intent.scalingStrategy ?? DEFAULT_SCALING_STRATEGY },
    services,
    connections: connectionsOf(services, draft.intent.highPerformance),
    coLocationGroups: coLocationGroupsOf(services),
  };
  if (draft.designer !== undefined) model.designer = draft.designer;
  if (draft.description !== undefined) model.description = draft.description;
  return model;
}

export function resourcesOf(c: ComputeDraft): ServiceResources {
  return {
    cpuClass: c.cpu,
    ramClass: c.ram,
    storageClass: c.storage,
    cpu: CPU_CORES[c.cpu],
    memoryBytes: RAM_BYTES[c.ram],
    storageBytes: STORAGE_BYTES[c.storage],
    gpu: c.gpu ? 1 : 0,
  };
}

function translateService(s: ServiceDraft, defaults: ScalingModel): ServiceModel {
  return {
    id: s.id,
    resources: resourcesOf(s.compute),
    trigger: structuredClone(s.trigger),
    // Validation warned about self-references and repetitions; the model simply leaves them out.
    connectionPoints: [...new Set(s.connectionPoints)].filter((t) => t !== s.id),
    latencies: s.latencies.map((l) => ({ ...l })),
    coLocation: s.coLocation.filter((c) => c.groundedGraphId !== undefined || c.service !== s.id).map((c) => ({ ...c })),
    deviceProximity: s.deviceProximity,
    scaling: scalingOf(s.scaling, defaults),
    // Deep copy: deployers add placement values to valuesOverwrite and must not alter the stored descriptor.
    artifact: structuredClone(s.artifact),
  };
}

/**
 * Stated fields win; a stated bound that contradicts a default bound moves the default (minReplicas 20 alone
 * with a default maximum of 10 means 20..20, not an invalid model).
 */
export function scalingOf(stated: Partial<ScalingModel>, defaults: ScalingModel): ScalingModel {
  const scaling = { ...defaults, ...stated };
  if (scaling.maxReplicas < scaling.minReplicas) {
    if (stated.maxReplicas === undefined) scaling.maxReplicas = scaling.minReplicas;
    else scaling.minReplicas = scaling.maxReplicas;
  }
  return scaling;
}

/** One connection per caller→callee pair; qos from the caller's latency intent naming the callee. */
function connectionsOf(services: readonly ServiceModel[], highPerformance: boolean): Connection[] {
  const out: Connection[] = [];
  for (const s of services) {
    for (const to of s.connectionPoints) {
      const latency = s.latencies.find((l) => l.connectionPoint === to);
      // highPerformance is "defined end-to-end for all services" and overrides per-service latency intents.
      out.push({ from: s.id, to, qos: highPerformance ? "ultralow" : (latency?.qos ?? "best-effort") });
    }
  }
  return out;
}

/** Union-find over coLocation ids within the graph; groups of two or more, in service order. */
function coLocationGroupsOf(services: readonly ServiceModel[]): string[][] {
  const parent = new Map(services.map((s) => [s.id, s.id]));
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let cur = x; cur !== root; ) {
      const next = parent.get(cur)!;
      parent.set(cur, root); // path compression
      cur = next;
    }
    return root;
  };
  for (const s of services) {
    for (const c of s.coLocation) {
      if (c.groundedGraphId !== undefined || c.service === undefined || !parent.has(c.service)) continue;
      parent.set(find(c.service), find(s.id));
    }
  }
  const groups = new Map<string, string[]>();
  for (const s of services) {
    const root = find(s.id);
    groups.set(root, [...(groups.get(root) ?? []), s.id]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
