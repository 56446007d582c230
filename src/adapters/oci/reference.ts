// OCI artifact references as hdarctl and smo accept them:
//   oci://host[:port]/repo[:tag|@digest]     (transport chosen by the insecure-registry list)
//   https://host[:port]/repo[:tag|@digest]   (always TLS)
//   http://host[:port]/repo[:tag|@digest]    (plain HTTP; refused unless the registry is listed as insecure)
// Grammar from the OCI distribution spec; anything else is rejected before any network call.
import { FailedPreconditionError, InvalidArgumentError } from "../../core/errors.js";

export type ReferenceScheme = "oci" | "http" | "https";

export interface OciReference {
  scheme: ReferenceScheme;
  /** host[:port], host lower-cased. */
  registry: string;
  /** Repository path, e.g. demo/hello-world-graph. */
  repository: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
const REPOSITORY_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const HOST_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/;

function invalid(field: string, reference: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid artifact reference "${reference}": ${why}`, [{ field, description: why }]);
}

/** Validates host[:port]; returns it with the host lower-cased. */
export function parseRegistryHost(hostPort: string, field = "reference", reference = hostPort): string {
  const m = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!m) throw invalid(field, reference, `bad registry host "${hostPort}"`);
  const host = m[1]!;
  const port = m[2];
  const hostOk = IPV6_RE.test(host) || (host.length <= 253 && host.split(".").every((l) => HOST_LABEL_RE.test(l)));
  if (!hostOk) throw invalid(field, reference, `bad registry host "${host}"`);
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    throw invalid(field, reference, `port ${port} out of range`);
  }
  return port === undefined ? host.toLowerCase() : `${host.toLowerCase()}:${port}`;
}

function splitScheme(reference: string, field: string): { scheme: ReferenceScheme; rest: string } {
  const m = /^(oci|https?):\/\/(.*)$/.exec(reference);
  if (!m) throw invalid(field, reference, "must start with oci://, https:// or http://");
  return { scheme: m[1] as ReferenceScheme, rest: m[2]! };
}

function splitHost(reference: string, rest: string, field: string): { registry: string; path: string } {
  if (/[?#\s]/.test(rest)) throw invalid(field, reference, "query strings, fragments and spaces are not allowed");
  const slash = rest.indexOf("/");
  if (slash <= 0) throw invalid(field, reference, "missing repository path after the registry host");
  const hostPart = rest.slice(0, slash);
  if (hostPart.includes("@")) {
    throw invalid(field, reference, "credentials in the reference are not allowed; pass them as options or in a Docker config.json");
  }
  return { registry: parseRegistryHost(hostPart, field, reference), path: rest.slice(slash + 1) };
}

function checkRepository(reference: string, repository: string, field: string): void {
  if (repository.length === 0) throw invalid(field, reference, "missing repository path after the registry host");
  if (repository.length > 255) throw invalid(field, reference, "repository path longer than 255 characters");
  if (!REPOSITORY_RE.test(repository)) {
    throw invalid(field, reference, `repository "${repository}" must be lower-case path components [a-z0-9] separated by . _ __ - or /`);
  }
}

/** Parses an artifact reference (to pull). */
export function parseOciReference(reference: string, field = "reference"): OciReference {
  const { scheme, rest } = splitScheme(reference, field);
  const { registry, path } = splitHost(reference, rest, field);
  let name = path;
  let digest: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw invalid(field, reference, `digest "${digest}" must be sha256:<64 hex> or sha512:<128 hex>`);
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalid(field, reference, `tag "${tag}" must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`);
  }
  checkRepository(reference, name, field);
  return { scheme, registry, repository: name, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** Parses a push target `oci://HOST[:PORT]/PROJECT` (no tag, no digest). */
export function parsePushTarget(target: string, field = "target"): OciReference {
  const ref = parseOciReference(target, field);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw invalid(field, target, "a push target names a project (oci://HOST/PROJECT); the tag comes from hdaGraph.version");
  }
  return ref;
}

export function formatReference(ref: OciReference): string {
  const suffix = ref.digest ? `@${ref.digest}` : ref.tag ? `:${ref.tag}` : "";
  return `${ref.scheme}://${ref.registry}/${ref.repository}${suffix}`;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isValidRepository(repository: string): boolean {
  return repository.length <= 255 && REPOSITORY_RE.test(repository);
}

/**
 * Reads the insecure-registry list from the environment: SMO_INSECURE_REGISTRIES (comma or space separated)
 * and NEPHELE's INSECURE_REGISTRY (one registry), e.g. "127.0.0.1:5000,registry.local".
 */
export function insecureRegistriesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const raw = [env.SMO_INSECURE_REGISTRIES ?? "", env.INSECURE_REGISTRY ?? ""].join(",");
  return raw.split(/[\s,]+/).filter((s) => s.length > 0);
}

function stripScheme(entry: string): string {
  return entry.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

/** True when `registry` (host[:port]) is listed; an entry without a port covers every port of that host. */
export function isInsecureRegistry(registry: string, insecure: readonly string[]): boolean {
  const host = registry.replace(/:\d+$/, "");
  return insecure.some((e) => {
    const entry = stripScheme(e);
    return entry === registry || entry === host;
  });
}

/** Chooses the transport for a reference; plain HTTP only for listed registries. */
export function registryBaseUrl(ref: OciReference, insecure: readonly string[]): string {
  const listed = isInsecureRegistry(ref.registry, insecure);
  if (ref.scheme === "https") return `https://${ref.registry}`;
  if (ref.scheme === "http" && !listed) {
    throw new FailedPreconditionError(
      `plain HTTP to registry ${ref.registry} is not allowed: list it in insecureRegistries (SMO_INSECURE_REGISTRIES) or use https://`,
    );
  }
  return listed ? `http://${ref.registry}` : `https://${ref.registry}`;
}
