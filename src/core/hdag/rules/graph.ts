// The document and hdaGraph itself: wrapper, imVersion (with the 0.3.0 upgrade), id, version, free-text
// fields, then the graph intent and the services. Returns the draft only when no error was found.
import type { Ctx } from "../fields.js";
import { at, readEnum, readObject, readString, warnUnknownFields } from "../fields.js";
import { RFC1123_EXPECTED, isRfc1123Label, isSemVer } from "../formats.js";
import type { GraphDraft } from "../draft.js";
import type { ResolvedOptions } from "../options.js";
import type { Path } from "../paths.js";
import { IM_VERSIONS, LEGACY_IM_VERSION } from "../schema.js";
import { describe, isObject, own } from "../values.js";
import { checkGraphIntent } from "./graph-intent.js";
import { checkPlainData } from "./plain-data.js";
import { checkReferences } from "./references.js";
import { checkServices } from "./service.js";

export interface Unwrapped {
  /** The document whose top-level key is hdaGraph (the input itself unless it used the 2024 wrapper). */
  document: unknown;
  /** Where that document sits in the input: [] or ["hdag"]; every reported path starts with it. */
  prefix: Path;
}

/**
 * NEPHELE's SMO took `{hdag: {hdaGraph: …}}` in March 2024. It is accepted when it is unambiguous: no
 * top-level hdaGraph, and `hdag` is an object holding one. The unwrapped document is what gets stored.
 */
export function unwrapDocument(doc: unknown): Unwrapped {
  if (isObject(doc) && !Object.hasOwn(doc, "hdaGraph")) {
    const inner = own(doc, "hdag");
    if (isObject(inner) && Object.hasOwn(inner, "hdaGraph")) return { document: inner, prefix: ["hdag"] };
  }
  return { document: doc, prefix: [] };
}

export function checkDocument(ctx: Ctx, input: unknown, opts: ResolvedOptions): GraphDraft | undefined {
  checkPlainData(ctx, input);
  const { document: doc, prefix } = unwrapDocument(input);
  if (prefix.length > 0) {
    ctx.issues.warning(prefix, "the {hdag: {hdaGraph: …}} wrapper is the 2024 request form; smo unwraps it and stores only the inner document");
    const others = isObject(input) ? Object.keys(input).filter((key) => key !== "hdag") : [];
    for (const key of others) ctx.issues.warning([key], `unknown top-level field ${JSON.stringify(key)} is ignored`);
  }
  const graphPath: Path = [...prefix, "hdaGraph"];
  if (doc === undefined || doc === null || (isObject(doc) && Object.keys(doc).length === 0)) {
    ctx.issues.error(graphPath, "expected a document with a top-level hdaGraph object, found an empty document");
    return undefined;
  }
  if (!isObject(doc)) {
    ctx.issues.error(graphPath, `expected a document with a top-level hdaGraph object, found ${describe(doc)}`);
    return undefined;
  }
  warnUnknownFields(ctx, doc, prefix, "document");
  const graph = readObject(ctx, own(doc, "hdaGraph"), graphPath, "an object {imVersion, id, version, services, …}", { required: true });
  if (!graph) return undefined;
  return checkGraph(ctx, graph, graphPath, opts);
}

function checkGraph(ctx: Ctx, graph: Record<string, unknown>, graphPath: Path, opts: ResolvedOptions): GraphDraft | undefined {
  const before = ctx.issues.errors;
  warnUnknownFields(ctx, graph, graphPath, "graph");

  const imVersion = readEnum(ctx, at(graph, "imVersion"), [...graphPath, "imVersion"], IM_VERSIONS, { required: true });
  const legacy = imVersion === LEGACY_IM_VERSION;
  if (legacy) {
    ctx.issues.warning(
      [...graphPath, "imVersion"],
      'imVersion 0.3.0 is the legacy layout; it was upgraded to 0.4.0 (free-text hdaGraphIntent ignored, intent.resources read as compute {cpu, ram, storage}, network "" as no network intent)',
    );
  }

  const id = readString(ctx, at(graph, "id"), [...graphPath, "id"], { required: true, nonEmpty: true, what: "a graph id (an RFC 1123 label)" });
  if (id !== undefined && !isRfc1123Label(id)) {
    ctx.issues.error([...graphPath, "id"], `expected ${RFC1123_EXPECTED}, found ${describe(id)}`);
  }
  const version = readString(ctx, at(graph, "version"), [...graphPath, "version"], { required: true, what: "a SemVer 2.0 version string such as \"1.0.0\"" });
  if (version !== undefined && !isSemVer(version)) {
    ctx.issues.error([...graphPath, "version"], `expected a SemVer 2.0 version such as "1.0.0" or "2.1.0-rc.1", found ${describe(version)}`);
  }
  const designer = readString(ctx, at(graph, "designer"), [...graphPath, "designer"]);
  const description = readString(ctx, at(graph, "description"), [...graphPath, "description"]);

  const intent = checkGraphIntent(ctx, at(graph, "hdaGraphIntent"), [...graphPath, "hdaGraphIntent"], legacy, opts);
  const services = checkServices(ctx, at(graph, "services"), [...graphPath, "services"], legacy);
  checkReferences(ctx, services.refs, services.ids);

  if (ctx.issues.errors > before || id === undefined || version === undefined) return undefined;
  const drafts = services.drafts.filter((d) => d !== undefined);
  if (drafts.length !== services.drafts.length) return undefined;
  const draft: GraphDraft = { id, version, intent, services: drafts };
  if (designer !== undefined) draft.designer = designer;
  if (description !== undefined) draft.description = description;
  return draft;
}
