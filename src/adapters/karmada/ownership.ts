// What smo may touch on Karmada. Every object smo writes carries `app.kubernetes.io/managed-by: smo` and, when
// it belongs to a graph, the annotation `smo/graph: <graph id>`. smo updates or deletes an object only when it
// carries them (and names the same graph), or when smo's own helm deployer made it (Helm release named after
// the service); anything else — made by a user, a chart, another graph — is refused with FAILED_PRECONDITION
// naming the object and its manager. Objects are written by server-side apply with field manager `smo`; an
// apply conflict is forced only on smo's own objects (or when every conflicting manager is smo's).
import { ConflictError, FailedPreconditionError } from "../../core/errors.js";

export const FIELD_MANAGER = "smo";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const GRAPH_ANNOTATION = "smo/graph";
const HELM_RELEASE_ANNOTATION = "meta.helm.sh/release-name";

export interface OwnedObject {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager?: string }[];
  };
}

export interface Expectation {
  /** The graph the object must belong to; undefined: any smo-managed object. */
  graphId?: string;
  /** A Helm release smo's helm deployer runs for this service: its objects count as smo's. */
  helmRelease?: string;
  /** Accept an smo-labelled object without the graph annotation (policies written before it existed). */
  adoptUnannotated?: boolean;
}

/** Who manages an object: its managed-by label, else the managers in managedFields, else "unknown". */
export function managerOf(obj: OwnedObject): string {
  const label = obj.metadata?.labels?.[MANAGED_BY_LABEL];
  if (label) return label;
  const managers = [...new Set((obj.metadata?.managedFields ?? []).map((e) => e.manager).filter(Boolean))];
  return managers.length ? managers.join(", ") : "unknown";
}

function madeByOurHelm(obj: OwnedObject, expect: Expectation): boolean {
  return expect.helmRelease !== undefined && obj.metadata?.labels?.[MANAGED_BY_LABEL] === "Helm" && obj.metadata?.annotations?.[HELM_RELEASE_ANNOTATION] === expect.helmRelease;
}

/** Why smo must not touch `obj`, or undefined when it may. */
export function refusal(what: string, obj: OwnedObject, expect: Expectation = {}): string | undefined {
  if (madeByOurHelm(obj, expect)) return undefined;
  const manager = managerOf(obj);
  if (obj.metadata?.labels?.[MANAGED_BY_LABEL] !== "smo") {
    return `${what} exists and is not managed by smo (managed by ${manager}); smo neither updates nor deletes it`;
  }
  if (expect.graphId === undefined) return undefined;
  const graph = obj.metadata?.annotations?.[GRAPH_ANNOTATION];
  if (graph === undefined && expect.adoptUnannotated) return undefined;
  if (graph === undefined) return `${what} carries no ${GRAPH_ANNOTATION} annotation (managed by ${manager}); smo neither updates nor deletes it`;
  if (graph !== expect.graphId) return `${what} belongs to graph ${graph}, not ${expect.graphId}; smo neither updates nor deletes it`;
  return undefined;
}

export function checkOwnership(what: string, obj: OwnedObject | undefined, expect: Expectation = {}): void {
  if (!obj) return;
  const why = refusal(what, obj, expect);
  if (why) throw new FailedPreconditionError(why);
}

/** The managers an apply conflict names ("conflict(s) with \"m\" …"). */
export function conflictManagers(err: ConflictError): string[] {
  return [...err.message.matchAll(/conflicts? with "([^"]+)"/g)].map((m) => m[1]!);
}

/**
 * Whether smo may force an apply conflict: the object is smo's own (labelled, and of the expected graph), every
 * conflicting manager is smo itself (smo, smo-*), or the object is one smo's helm deployer made, whose placement
 * fields smo decides (the chart only echoes smo's values).
 */
export function ownConflict(err: ConflictError, obj: OwnedObject | undefined, expect: Expectation): boolean {
  if (obj !== undefined && madeByOurHelm(obj, expect)) return true;
  // smo's own object (its label, and the graph's annotation when a graph is expected): the fields smo applies are
  // smo's to decide, so another manager's change to them is drift that the apply takes back (level-triggered).
  if (obj !== undefined && obj.metadata?.labels?.[MANAGED_BY_LABEL] === "smo" && refusal("", obj, expect) === undefined) return true;
  const managers = conflictManagers(err);
  return managers.length > 0 && managers.every((m) => m === FIELD_MANAGER || m.startsWith(`${FIELD_MANAGER}-`));
}

export function conflictRefused(what: string, err: ConflictError): FailedPreconditionError {
  return new FailedPreconditionError(`${what}: fields are owned by another manager, smo does not force them (${err.message})`, { cause: err });
}
