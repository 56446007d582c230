// `hdarctl package tar` + `hdarctl push` for HDAG descriptors: packs `<id>-<version>.tar.gz` and pushes it to
// PROJECT/<hdaGraph.id>:<hdaGraph.version> with the manifest shape recorded from a real hdarctl push
// (Helm config and chart-content media types, the file name as the layer's image.title, image.created).
import { readFile } from "node:fs/promises";
import semver from "semver";
import { InvalidArgumentError, type FieldViolation } from "../../core/errors.js";
import { parseDescriptor } from "../../core/hdag/index.js";
import { packDescriptor } from "./archive.js";
import { MEDIA } from "./manifests.js";
import type { OciClientOptions } from "./options.js";
import { formatReference, isValidRepository, parsePushTarget } from "./reference.js";
import { RegistryConnector } from "./source.js";

export interface PushOptions extends OciClientOptions {
  /** Value of org.opencontainers.image.created; default now (seconds precision, UTC). */
  created?: Date;
}

export interface PushedArtifact {
  /** oci://HOST/PROJECT/<id>:<version> */
  reference: string;
  /** Manifest digest. */
  digest: string;
  repository: string;
  tag: string;
  /** `<id>-<version>.tar.gz`, the layer's org.opencontainers.image.title. */
  fileName: string;
  layerDigest: string;
  layerSize: number;
}

export interface ArtifactIdentity {
  id: string;
  version: string;
  description?: string;
}

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads and validates hdaGraph.id (RFC 1123 label) and hdaGraph.version (SemVer) from descriptor text. */
export function readArtifactIdentity(text: string): ArtifactIdentity {
  // The HDAG module's parser (YAML 1.2 with merge keys, alias limits); full validation is the deployer's job.
  const parsed = parseDescriptor(text);
  if (!parsed.ok) {
    const violations = parsed.errors.map((e) => ({ field: e.path || "descriptor", description: e.message }));
    throw new InvalidArgumentError(`descriptor is not valid YAML or JSON: ${violations[0]?.description ?? ""}`, violations);
  }
  const graph = (parsed.document as { hdaGraph?: Record<string, unknown> } | null)?.hdaGraph;
  if (!graph || typeof graph !== "object") {
    throw new InvalidArgumentError("descriptor has no hdaGraph mapping", [{ field: "hdaGraph", description: "required" }]);
  }
  const violations: FieldViolation[] = [];
  const id = graph.id;
  const version = typeof graph.version === "number" ? String(graph.version) : graph.version;
  if (typeof id !== "string" || id.length > 63 || !RFC1123_LABEL.test(id)) {
    violations.push({ field: "hdaGraph.id", description: "must be an RFC 1123 label (lower-case alphanumerics and '-', at most 63)" });
  }
  if (typeof version !== "string" || semver.valid(version) === null) {
    violations.push({ field: "hdaGraph.version", description: "must be a SemVer version such as 1.0.0" });
  }
  if (violations.length > 0) {
    throw new InvalidArgumentError(`descriptor cannot be packaged: ${violations.map((v) => v.field).join(", ")}`, violations);
  }
  const description = typeof graph.description === "string" ? graph.description : undefined;
  return { id: id as string, version: version as string, ...(description !== undefined && { description }) };
}

/** Helm-style chart metadata JSON (json.Marshal(Chart.Metadata) field order), what hdarctl's config appears to be. */
function configJson(identity: ArtifactIdentity): Buffer {
  return Buffer.from(
    JSON.stringify({
      name: identity.id,
      version: identity.version,
      ...(identity.description && { description: identity.description }),
      apiVersion: "v2",
    }),
  );
}

function createdAnnotation(created: Date): string {
  return created.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Packages descriptor text and pushes it under target `oci://HOST/PROJECT`. */
export async function pushDescriptorText(text: string, target: string, options: PushOptions = {}, json = false): Promise<PushedArtifact> {
  const project = parsePushTarget(target);
  const identity = readArtifactIdentity(text);
  const repository = `${project.repository}/${identity.id}`;
  if (!isValidRepository(repository)) {
    throw new InvalidArgumentError(`repository ${repository} is not a valid OCI repository name`, [
      { field: "target", description: "project path plus hdaGraph.id must form a valid repository" },
    ]);
  }
  // "+" (SemVer build metadata) is not allowed in tags; Helm writes "_" instead and reads it back.
  const tag = identity.version.replace(/\+/g, "_");
  const fileName = `${identity.id}-${identity.version}.tar.gz`;
  const ref = { ...project, repository, tag };
  const repo = new RegistryConnector(options).repository(ref, true);

  const { tarball } = await packDescriptor(text, json, options.tmpDir);
  const config = configJson(identity);
  const configDesc = await repo.uploadBlob(config);
  const layerDesc = await repo.uploadBlob(tarball);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.helmConfig, digest: configDesc.digest, size: configDesc.size },
    layers: [
      {
        mediaType: MEDIA.helmChart,
        digest: layerDesc.digest,
        size: layerDesc.size,
        annotations: { "org.opencontainers.image.title": fileName },
      },
    ],
    annotations: { "org.opencontainers.image.created": createdAnnotation(options.created ?? new Date()) },
  };
  const digest = await repo.putManifest(tag, MEDIA.ociManifest, Buffer.from(JSON.stringify(manifest)));
  options.logger?.info({ reference: formatReference(ref), digest }, "pushed HDAG artifact");
  return {
    reference: formatReference({ ...ref, scheme: "oci" }),
    digest,
    repository,
    tag,
    fileName,
    layerDigest: layerDesc.digest,
    layerSize: layerDesc.size,
  };
}

/** `smo artifact push FILE oci://HOST/PROJECT`: reads FILE (YAML or JSON) and pushes it. */
export async function pushDescriptor(file: string, target: string, options: PushOptions = {}): Promise<PushedArtifact> {
  const text = await readFile(file, "utf8");
  return pushDescriptorText(text, target, options, /\.json$/i.test(file));
}
