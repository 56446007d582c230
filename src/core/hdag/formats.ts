// String formats the descriptor must respect because the values end up in Kubernetes names, OCI references,
// Prometheus rules and SemVer tags. Each check is a pure predicate; rules turn a false into a message.

import { RFC1123_MAX } from "../../kernel/ids.js";

export { RFC1123_MAX, isRfc1123Label } from "../../kernel/ids.js";

/** The "expected …" half of the message for a bad id. */
export const RFC1123_EXPECTED = `an RFC 1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit, at most ${RFC1123_MAX} characters) because it becomes a Kubernetes name`;

/** Helm refuses release names longer than this; service ids become release names under the helm deployer. */
export const HELM_RELEASE_MAX = 53;

// The regular expression published on semver.org for SemVer 2.0.0. semver's own valid() also accepts a
// leading "v" (even in strict mode), which is not SemVer and is not a valid OCI tag either.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemVer(value: string): boolean {
  return SEMVER.test(value);
}

// Prometheus duration (prometheus/common model.ParseDuration): units y w d h m s ms, each at most once and in
// that order, integers only, or the bare "0". The total must fit Go's int64 nanoseconds.
const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365n * 86_400_000n, 7n * 86_400_000n, 86_400_000n, 3_600_000n, 60_000n, 1000n, 1n];
const MAX_MS = (2n ** 63n - 1n) / 1_000_000n;

/** Milliseconds of a Prometheus duration, or undefined when the text is not one. */
export function parsePrometheusDuration(value: string): number | undefined {
  if (value === "0") return 0;
  if (value === "") return undefined;
  const m = PROM_DURATION.exec(value);
  if (!m) return undefined;
  let total = 0n;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const digits = m[i + 1];
    if (digits !== undefined) total += BigInt(digits) * UNIT_MS[i]!;
  }
  return total > MAX_MS ? undefined : Number(total);
}

// OCI distribution repository path component (distribution/reference): lowercase, separated by . _ __ or -.
const REPO_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::\d{1,5})?$/;

/**
 * Why an artifact reference is unusable, or undefined when it is fine. Accepted: `oci://host[:port]/repo[:tag|@digest]`
 * (what helm install and hdarctl pull take) and `https://…` URLs (chart archives).
 */
export function ociReferenceProblem(value: string): string | undefined {
  if (value.startsWith("https://")) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return "not a valid https URL";
    }
    return url.hostname === "" ? "the URL has no host" : undefined;
  }
  if (!value.startsWith("oci://")) return 'must start with "oci://" or "https://"';
  const rest = value.slice("oci://".length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return "must name a host and a repository (oci://host[:port]/project/name)";
  if (!HOST.test(rest.slice(0, slash))) return `the host "${rest.slice(0, slash)}" is not a valid registry host`;
  return repositoryProblem(rest.slice(slash + 1));
}

function repositoryProblem(pathWithRef: string): string | undefined {
  let path = pathWithRef;
  const at = path.indexOf("@");
  if (at >= 0) {
    if (!DIGEST.test(path.slice(at + 1))) return `the digest "${path.slice(at + 1)}" is not a valid OCI digest`;
    path = path.slice(0, at);
  }
  const lastSlash = path.lastIndexOf("/");
  const colon = path.indexOf(":", lastSlash + 1);
  if (colon >= 0) {
    if (!TAG.test(path.slice(colon + 1))) return `the tag "${path.slice(colon + 1)}" is not a valid OCI tag`;
    path = path.slice(0, colon);
  }
  if (path === "") return "must name a repository after the host";
  for (const component of path.split("/")) {
    if (!REPO_COMPONENT.test(component)) {
      return `the repository component "${component}" must be lowercase letters, digits and . _ - separators`;
    }
  }
  return undefined;
}

/** Why a container image reference (`[host[:port]/]repo[:tag][@digest]`) is unusable, or undefined. */
export function imageReferenceProblem(value: string): string | undefined {
  if (value === "") return "must not be empty";
  if (/\s/.test(value)) return "must not contain whitespace";
  const first = value.split("/")[0]!;
  const hasHost = value.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasHost && !HOST.test(first)) return `the host "${first}" is not a valid registry host`;
  return repositoryProblem(hasHost ? value.slice(first.length + 1) : value);
}

/** Kubernetes environment variable names (the long-standing rule: no leading digit, letters digits - . _). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvName(value: string): boolean {
  return ENV_NAME.test(value);
}
