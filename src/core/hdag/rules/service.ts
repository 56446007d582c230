// hdaGraph.services: the list itself, service ids (unique RFC 1123 labels), and each service's deployment
// and artifact. Cross-service references are checked afterwards (references.ts) once every id is known.
import type { Ctx } from "../fields.js";
import { at, readList, readObject, readString, warnUnknownFields } from "../fields.js";
import { HELM_RELEASE_MAX, RFC1123_EXPECTED, isRfc1123Label } from "../formats.js";
import { emptyRefs, type ServiceDraft, type ServiceRefs } from "../draft.js";
import type { Path } from "../paths.js";
import { describe, own } from "../values.js";
import { checkArtifact } from "./artifact.js";
import { checkIntent } from "./intent.js";
import { checkTrigger } from "./trigger.js";

export interface ServicesResult {
  drafts: (ServiceDraft | undefined)[];
  refs: ServiceRefs[];
  /** Every id that names a service (first occurrence), even if that service is otherwise invalid. */
  ids: Set<string>;
}

export function checkServices(ctx: Ctx, value: unknown, path: Path, legacy: boolean): ServicesResult {
  const result: ServicesResult = { drafts: [], refs: [], ids: new Set() };
  const list = readList(ctx, value, path, "a non-empty list of services", { required: true, nonEmpty: true });
  if (!list) return result;
  const firstIndex = new Map<string, number>();
  list.forEach((item, i) => {
    const servicePath = [...path, i];
    const refs = emptyRefs(i);
    result.refs.push(refs);
    const obj = readObject(ctx, item, servicePath, "a service object {id, deployment, artifact}", { required: true });
    if (!obj) return result.drafts.push(undefined);
    warnUnknownFields(ctx, obj, servicePath, "service");

    const id = checkServiceId(ctx, own(obj, "id"), [...servicePath, "id"]);
    let unique = true;
    if (id !== undefined) {
      const first = firstIndex.get(id);
      if (first !== undefined) {
        unique = false;
        ctx.issues.error([...servicePath, "id"], `expected a unique service id, found ${describe(id)} again (first at services[${first}])`);
      } else {
        firstIndex.set(id, i);
        result.ids.add(id);
        refs.id = id;
      }
    }
    const draft = checkServiceBody(ctx, obj, servicePath, legacy, refs);
    result.drafts.push(id !== undefined && unique && draft ? { id, ...draft } : undefined);
  });
  return result;
}

function checkServiceId(ctx: Ctx, value: unknown, path: Path): string | undefined {
  const id = readString(ctx, value, path, { required: true, nonEmpty: true, what: "a service id (an RFC 1123 label)" });
  if (id === undefined) return undefined;
  if (!isRfc1123Label(id)) {
    ctx.issues.error(path, `expected ${RFC1123_EXPECTED}, found ${describe(id)}`);
    return undefined;
  }
  if (!/^[a-z]/.test(id)) {
    // The service id also names a Kubernetes Service, and Service names are RFC 1035 labels.
    ctx.issues.error(path, `expected a service id starting with a letter: it names a Kubernetes Service (an RFC 1035 label), found ${describe(id)}`);
    return undefined;
  }
  if (id.length > HELM_RELEASE_MAX) {
    ctx.issues.warning(path, `service id is ${id.length} characters long: Helm refuses release names over ${HELM_RELEASE_MAX}, so the helm deployer cannot install it`);
  }
  return id;
}

function checkServiceBody(ctx: Ctx, obj: Record<string, unknown>, path: Path, legacy: boolean, refs: ServiceRefs): Omit<ServiceDraft, "id"> | undefined {
  const before = ctx.issues.errors;
  const deployment = readObject(ctx, at(obj, "deployment"), [...path, "deployment"], "an object {trigger, intent}", { required: true });
  let trigger, intent;
  if (deployment) {
    warnUnknownFields(ctx, deployment, [...path, "deployment"], "deployment");
    trigger = checkTrigger(ctx, at(deployment, "trigger"), [...path, "deployment", "trigger"], refs);
    intent = checkIntent(ctx, at(deployment, "intent"), [...path, "deployment", "intent"], legacy, refs);
  }
  const artifact = checkArtifact(ctx, at(obj, "artifact"), [...path, "artifact"]);
  if (ctx.issues.errors > before || !trigger || !intent || !artifact) return undefined;
  return { ...intent, trigger, artifact };
}
