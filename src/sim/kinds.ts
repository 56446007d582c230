// Per-kind defaulting and validation, the part of an API server's "strategy" that clients notice: defaults
// they read back (replicas, Service clusterIP and port protocol, Namespace phase) and 422 errors for objects a
// real server would reject (bad names, negative replicas, unparsable resource requests).
import type { StatusCause } from "./api-error.js";
import { parseBytes, parseCount, parseCpuMillis } from "./quantity.js";
import type { ResourceType } from "./resources.js";
import { structuredMatcher, type LabelSelectorSpec } from "./selectors.js";
import type { KObject } from "./store.js";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kinds whose names must be DNS labels (RFC 1123) rather than subdomains. */
const LABEL_NAMED = new Set(["Namespace", "Service", "Cluster"]);

export function validateName(t: ResourceType, name: string, field = "metadata.name"): StatusCause[] {
  if (LABEL_NAMED.has(t.kind)) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      return [
        {
          field,
          message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        },
      ];
    }
    return [];
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return [
      {
        field,
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  }
  return [];
}

export function validateNamespaceName(ns: string): boolean {
  return ns.length <= 63 && DNS_LABEL.test(ns);
}

function validateRequests(spec: KObject | undefined, base: string, causes: StatusCause[]): void {
  const containers = spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ field: `${base}.template.spec.containers`, reason: "FieldValueRequired", message: "Required value" });
    return;
  }
  containers.forEach((c: KObject, i: number) => {
    const field = `${base}.template.spec.containers[${i}]`;
    if (!c || typeof c.name !== "string" || !c.name) causes.push({ field: `${field}.name`, reason: "FieldValueRequired", message: "Required value" });
    if (!c || typeof c.image !== "string" || !c.image) causes.push({ field: `${field}.image`, reason: "FieldValueRequired", message: "Required value" });
    for (const section of ["requests", "limits"]) {
      const res = c?.resources?.[section];
      if (res === undefined || res === null) continue;
      for (const [k, v] of Object.entries(res as Record<string, unknown>)) {
        const ok = k === "cpu" ? parseCpuMillis(v) : k === "memory" || k.startsWith("ephemeral-storage") ? parseBytes(v) : parseCount(v);
        if (ok === undefined) causes.push({ field: `${field}.resources.${section}[${k}]`, message: `Invalid value: "${String(v)}": must be a valid resource quantity` });
      }
    }
  });
}

export function validate(t: ResourceType, obj: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  if (t.kind === "Deployment") {
    const spec = obj.spec;
    if (!spec || typeof spec !== "object") return [{ field: "spec", reason: "FieldValueRequired", message: "Required value" }];
    if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
      causes.push({ field: "spec.replicas", message: `Invalid value: ${JSON.stringify(spec.replicas)}: must be greater than or equal to 0` });
    }
    const sel = spec.selector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined;
    const labels = (spec.template?.metadata?.labels ?? {}) as Record<string, string>;
    if (!sel) causes.push({ field: "spec.selector", reason: "FieldValueRequired", message: "Required value" });
    else if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
      causes.push({ field: "spec.selector", message: "Invalid value: {}: empty selector is invalid for deployment" });
    } else if (!structuredMatcher(sel as LabelSelectorSpec)(labels)) {
      causes.push({ field: "spec.template.metadata.labels", message: "Invalid value: `selector` does not match template `labels`" });
    }
    validateRequests(spec, "spec", causes);
  }
  if (t.kind === "Service") {
    const ports = obj.spec?.ports;
    if (Array.isArray(ports)) {
      ports.forEach((p: KObject, i: number) => {
        if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535) {
          causes.push({ field: `spec.ports[${i}].port`, message: `Invalid value: ${JSON.stringify(p?.port)}: must be between 1 and 65535, inclusive` });
        }
      });
    }
  }
  return causes;
}

export interface DefaultingContext {
  allocateClusterIP(): string;
}

/** Fills the defaults a real API server would, keeping values the client set. */
export function applyDefaults(t: ResourceType, obj: KObject, previous: KObject | undefined, ctx: DefaultingContext): KObject {
  if (t.kind === "Namespace") {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name };
    obj.spec = { finalizers: ["kubernetes"], ...(obj.spec ?? {}) };
    obj.status = previous?.status ?? { phase: "Active" };
  }
  if (t.kind === "Deployment") {
    const spec = obj.spec;
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    spec.strategy ??= { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } };
    const pod = (spec.template.spec ??= {});
    pod.restartPolicy ??= "Always";
    pod.dnsPolicy ??= "ClusterFirst";
    pod.terminationGracePeriodSeconds ??= 30;
    pod.schedulerName ??= "default-scheduler";
    pod.securityContext ??= {};
    for (const c of pod.containers ?? []) {
      c.resources ??= {};
      c.terminationMessagePath ??= "/dev/termination-log";
      c.terminationMessagePolicy ??= "File";
      c.imagePullPolicy ??= typeof c.image === "string" && (c.image.endsWith(":latest") || !c.image.split("/").pop()!.includes(":")) ? "Always" : "IfNotPresent";
      for (const p of c.ports ?? []) p.protocol ??= "TCP";
    }
  }
  if (t.kind === "Service") {
    const spec = (obj.spec ??= {});
    spec.type ??= "ClusterIP";
    spec.sessionAffinity ??= "None";
    const ip = previous?.spec?.clusterIP ?? (spec.clusterIP && spec.clusterIP !== "" ? spec.clusterIP : undefined);
    if (spec.clusterIP !== "None") {
      spec.clusterIP = ip ?? ctx.allocateClusterIP();
      spec.clusterIPs = [spec.clusterIP];
    }
    spec.ipFamilies ??= ["IPv4"];
    spec.ipFamilyPolicy ??= "SingleStack";
    spec.internalTrafficPolicy ??= "Cluster";
    for (const p of spec.ports ?? []) {
      p.protocol ??= "TCP";
      p.targetPort ??= p.port;
    }
    obj.status = previous?.status ?? { loadBalancer: {} };
  }
  return obj;
}

/** Whether a change counts as a spec change (bumps metadata.generation): anything outside metadata and status. */
export function specOf(obj: KObject): KObject {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** Core kinds (Namespace, Service) carry no metadata.generation, like the real ones. */
export function hasGeneration(t: ResourceType): boolean {
  return t.group !== "";
}
