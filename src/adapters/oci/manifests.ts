// Manifest media types and the shapes smo reads: OCI image manifest / Docker v2 manifest (config + layers) and
// OCI index / Docker manifest list (an index resolves to its linux/amd64 entry, else its first manifest).
import { InvalidArgumentError } from "../../core/errors.js";

export const MEDIA = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  helmConfig: "application/vnd.cncf.helm.config.v1+json",
  helmChart: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerTar: "application/vnd.oci.image.layer.v1.tar",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  octetStream: "application/octet-stream",
} as const;

export const MANIFEST_ACCEPT = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList].join(", ");

/** Layer media types that may carry the descriptor; the content is then recognised by its magic bytes. */
export const DESCRIPTOR_LAYER_TYPES: ReadonlySet<string> = new Set([
  MEDIA.helmChart,
  MEDIA.ociLayerGzip,
  MEDIA.ociLayerTar,
  MEDIA.dockerLayerGzip,
  MEDIA.octetStream,
  "application/gzip",
  "application/x-gzip",
  "application/x-tar",
  "application/yaml",
  "application/x-yaml",
  "text/yaml",
  "application/json",
]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

export interface ImageManifest {
  kind: "image";
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface IndexManifest {
  kind: "index";
  mediaType: string;
  manifests: Descriptor[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

function bad(what: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`${what}: ${why}`, [{ field: "reference", description: why }]);
}

function descriptor(value: unknown, where: string, what: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (!d || typeof d !== "object") throw bad(what, `${where} is not an object`);
  if (typeof d.digest !== "string" || !DIGEST_RE.test(d.digest)) throw bad(what, `${where}.digest is missing or malformed`);
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) throw bad(what, `${where}.size is not a size`);
  return { ...d, mediaType: typeof d.mediaType === "string" ? d.mediaType : "", digest: d.digest, size: d.size };
}

/** Parses manifest bytes; `contentType` is the response's Content-Type (used when the body has no mediaType). */
export function parseManifest(bytes: Buffer, contentType: string | null, what: string): ImageManifest | IndexManifest {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw bad(what, "manifest is not JSON");
  }
  if (!json || typeof json !== "object") throw bad(what, "manifest is not a JSON object");
  if (json.schemaVersion !== 2) throw bad(what, `unsupported manifest schemaVersion ${String(json.schemaVersion)}`);
  const mediaType = typeof json.mediaType === "string" ? json.mediaType : (contentType ?? "").split(";")[0]!.trim();
  if (Array.isArray(json.manifests) || mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList) {
    if (!Array.isArray(json.manifests)) throw bad(what, "index has no manifests array");
    const manifests = json.manifests.map((m, i) => descriptor(m, `manifests[${i}]`, what));
    return { kind: "index", mediaType, manifests };
  }
  if (!Array.isArray(json.layers)) throw bad(what, "manifest has no layers array");
  return {
    kind: "image",
    mediaType,
    config: descriptor(json.config, "config", what),
    layers: json.layers.map((l, i) => descriptor(l, `layers[${i}]`, what)),
    ...(isRecord(json.annotations) ? { annotations: json.annotations as Record<string, string> } : {}),
  };
}

/** The entry of an index smo follows: the first linux/amd64 one when platforms are given, else the first. */
export function selectFromIndex(index: IndexManifest, what: string): Descriptor {
  if (index.manifests.length === 0) throw bad(what, "index lists no manifests");
  const amd64 = index.manifests.find((m) => m.platform?.os === "linux" && m.platform?.architecture === "amd64");
  return amd64 ?? index.manifests[0]!;
}
