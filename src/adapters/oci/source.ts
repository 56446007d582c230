// ArtifactSource over an OCI registry: what `hdarctl pull <ref> --untar` followed by NEPHELE's "find the
// descriptor" step did, reimplemented with fetch, digest verification and safe extraction.
import { mkdir, mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { InvalidArgumentError } from "../../core/errors.js";
import type { ArtifactSource } from "../../core/ports/observability.js";
import { extractSafely, findDescriptor, isHdagDocument, type FoundDescriptor } from "./archive.js";
import { RegistryAuth } from "./auth.js";
import { CredentialStore } from "./credentials.js";
import { networkFetcher, RegistryHttp } from "./http.js";
import { DESCRIPTOR_LAYER_TYPES, selectFromIndex, type Descriptor, type ImageManifest } from "./manifests.js";
import { DEFAULT_MAX_BLOB_BYTES, DEFAULT_TIMEOUT_MS, type OciClientOptions } from "./options.js";
import { formatReference, isInsecureRegistry, parseOciReference, registryBaseUrl, type OciReference } from "./reference.js";
import { RepositoryClient } from "./registry.js";

export interface PulledArtifact {
  /** The reference actually pulled (tag filled in when it was resolved from the tag list). */
  reference: string;
  /** Digest of the manifest the reference resolved to (an index's own digest when it was an index). */
  digest: string;
  /** Path of the descriptor inside the artifact (e.g. hdag/hdag.yaml). */
  fileName: string;
  text: string;
}

export interface OciArtifactSource extends ArtifactSource {
  pull(reference: string): Promise<PulledArtifact>;
}

/** Shared plumbing of pull and push: one credential store, token cache and fetcher per instance. */
export class RegistryConnector {
  readonly auth: RegistryAuth;
  private readonly fetcher;

  constructor(readonly options: OciClientOptions) {
    this.fetcher = networkFetcher(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.auth = new RegistryAuth(new CredentialStore(options), options.insecureRegistries ?? [], this.fetcher);
  }

  repository(ref: OciReference, push = false): RepositoryClient {
    checkRegistryAllowed(ref.registry, this.options);
    const http = new RegistryHttp(registryBaseUrl(ref, this.options.insecureRegistries ?? []), ref.registry, this.auth, this.fetcher);
    return new RepositoryClient(http, ref.repository, push);
  }
}

const LOOPBACK_OR_LINK_LOCAL = /^(?:localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|169\.254\.\d+\.\d+|\[?fe[89ab][0-9a-f]?:[0-9a-f:.]*\]?)$/i;

/** Throws INVALID_ARGUMENT (field artifact) for a registry the options do not let smo reach. */
export function checkRegistryAllowed(registry: string, options: OciClientOptions): void {
  const listed = isInsecureRegistry(registry, [...(options.allowedRegistries ?? []), ...(options.insecureRegistries ?? [])]);
  if (listed) return;
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`registry ${registry} is not allowed: ${why}`, [{ field: "artifact", description: `registry ${registry} ${why}` }]);
  };
  if (options.allowedRegistries && options.allowedRegistries.length > 0) fail("it is not listed in --registry");
  const host = registry.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  if (options.refusePrivateAddresses && LOOPBACK_OR_LINK_LOCAL.test(host)) {
    fail("is a loopback or link-local address; list it with --registry to use it");
  }
}

/** Whether an address (IPv4, IPv6, IPv4-mapped IPv6) is loopback, link-local or unspecified. */
export function isLoopbackOrLinkLocalAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:(?=\d+\.)/, "");
  return a === "0.0.0.0" || a === "::" || LOOPBACK_OR_LINK_LOCAL.test(a);
}

const defaultResolve = async (host: string): Promise<string[]> => (await lookup(host, { all: true, verbatim: true })).map((r) => r.address);

/**
 * The name check above sees only the reference's text; a DNS name (an /etc/hosts entry, a wildcard DNS service)
 * may still lead to loopback or link-local addresses. Those are refused the same way, unless listed. Resolved
 * here and again by the request itself, so a name whose answers change between the two is not caught (list the
 * registries with --registry where that matters).
 */
export async function checkRegistryResolves(registry: string, options: OciClientOptions): Promise<void> {
  if (!options.refusePrivateAddresses) return;
  if (isInsecureRegistry(registry, [...(options.allowedRegistries ?? []), ...(options.insecureRegistries ?? [])])) return;
  const host = registry.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) !== 0) return; // literals were checked by checkRegistryAllowed
  let addresses: string[];
  try {
    addresses = await (options.resolveHost ?? defaultResolve)(host);
  } catch {
    return; // unresolvable: the request fails with the usual network message
  }
  const bad = addresses.find(isLoopbackOrLinkLocalAddress);
  if (bad !== undefined) {
    const why = `resolves to the loopback or link-local address ${bad}; list it with --registry to use it`;
    throw new InvalidArgumentError(`registry ${registry} is not allowed: it ${why}`, [{ field: "artifact", description: `registry ${registry} ${why}` }]);
  }
}

async function sniff(file: string): Promise<"gzip" | "tar" | "other"> {
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(262);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
    if (bytesRead >= 262 && head.subarray(257, 262).toString("latin1") === "ustar") return "tar";
    return "other";
  } finally {
    await handle.close();
  }
}

export function createOciArtifactSource(options: OciClientOptions = {}): OciArtifactSource {
  const connector = new RegistryConnector(options);
  const maxBlob = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
  const limits = { maxBytes: options.maxExtractedBytes ?? 4 * maxBlob, maxEntries: options.maxArchiveEntries ?? 10_000 };
  const log = options.logger;

  async function descriptorInLayer(repo: RepositoryClient, layer: Descriptor, dir: string, i: number): Promise<FoundDescriptor | undefined> {
    const blob = join(dir, `blob-${i}`);
    await repo.downloadBlob(layer, blob, maxBlob);
    const kind = await sniff(blob);
    if (kind === "other") {
      // A plain file pushed as a layer (ORAS style): accept it when it is the descriptor itself.
      if (layer.size > 4 * 1024 * 1024) return undefined;
      const text = await readFile(blob, "utf8");
      const title = layer.annotations?.["org.opencontainers.image.title"] ?? "hdag.yaml";
      return isHdagDocument(text) ? { fileName: title, text } : undefined;
    }
    const out = join(dir, `layer-${i}`);
    await mkdir(out);
    await extractSafely(blob, out, limits, `layer ${layer.digest}`);
    return findDescriptor(out);
  }

  async function searchLayers(repo: RepositoryClient, manifest: ImageManifest, what: string): Promise<FoundDescriptor> {
    const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), "smo-oci-"));
    try {
      const candidates = manifest.layers.filter((l) => DESCRIPTOR_LAYER_TYPES.has(l.mediaType) || l.mediaType === "");
      for (const [i, layer] of candidates.entries()) {
        const found = await descriptorInLayer(repo, layer, dir, i);
        if (found) return found;
      }
      const types = manifest.layers.map((l) => l.mediaType || "?").join(", ") || "no layers";
      throw new InvalidArgumentError(`artifact ${what} contains no YAML or JSON file with a top-level hdaGraph key (layers: ${types})`, [
        { field: "artifact", description: "no file with a top-level hdaGraph key" },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async function pull(reference: string): Promise<PulledArtifact> {
    const ref = parseOciReference(reference);
    const repo = connector.repository(ref);
    await checkRegistryResolves(ref.registry, options);
    const tag = ref.digest || ref.tag ? ref.tag : await repo.highestSemverTag(options.tagsPageSize);
    const resolved: OciReference = { ...ref, ...(tag !== undefined && { tag }) };
    const what = formatReference(resolved);
    const top = await repo.getManifest(ref.digest ?? tag!);
    let manifest = top.manifest;
    if (manifest.kind === "index") {
      const child = await repo.getManifest(selectFromIndex(manifest, what).digest);
      if (child.manifest.kind === "index") {
        throw new InvalidArgumentError(`artifact ${what}: nested indexes are not supported`, [
          { field: "artifact", description: "index points to another index" },
        ]);
      }
      manifest = child.manifest;
    }
    const found = await searchLayers(repo, manifest, what);
    log?.debug({ reference: what, digest: top.digest, fileName: found.fileName }, "pulled HDAG artifact");
    return { reference: what, digest: top.digest, fileName: found.fileName, text: found.text };
  }

  return {
    pull,
    async fetchDescriptor(reference) {
      const { text, fileName, digest } = await pull(reference);
      return { text, fileName, digest };
    },
  };
}
