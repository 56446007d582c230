// OCI distribution API calls for one repository: manifests, blobs (verified), tags (paginated), uploads.
import semver from "semver";
import { InvalidArgumentError, NotFoundError } from "../../core/errors.js";
import { digestOf, readVerified } from "./digest.js";
import { registryFailure, type RegistryHttp } from "./http.js";
import { readSmallJson } from "./body.js";
import { MAX_MANIFEST_BYTES } from "./options.js";
import { MANIFEST_ACCEPT, parseManifest, type Descriptor, type ImageManifest, type IndexManifest } from "./manifests.js";

export interface FetchedManifest {
  manifest: ImageManifest | IndexManifest;
  digest: string;
  bytes: Buffer;
}

export class RepositoryClient {
  constructor(
    private readonly http: RegistryHttp,
    readonly repository: string,
    private readonly push = false,
  ) {}

  get scope(): string {
    return `repository:${this.repository}:${this.push ? "pull,push" : "pull"}`;
  }

  private get what(): string {
    return `${this.http.registry}/${this.repository}`;
  }

  /** GET a manifest by tag or digest; verifies the digest (the reference's, or Docker-Content-Digest). */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const what = `manifest ${this.what}${reference.includes(":") ? "@" : ":"}${reference}`;
    const res = await this.http.send(`/v2/${this.repository}/manifests/${reference}`, {
      scope: this.scope,
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (!res.ok) await registryFailure(res, what);
    const byDigest = reference.includes(":");
    const header = res.headers.get("docker-content-digest") ?? undefined;
    const expectedDigest = byDigest ? reference : header && /^sha(256|512):/.test(header) ? header : undefined;
    const { bytes, digest } = await readVerified(res.body, {
      ...(expectedDigest && { digest: expectedDigest }),
      limit: MAX_MANIFEST_BYTES,
      what,
    });
    const contentType = res.headers.get("content-type");
    return { manifest: parseManifest(bytes!, contentType, what), digest: expectedDigest ?? digest, bytes: bytes! };
  }

  /** Streams a blob into `file`, verifying size and digest. */
  async downloadBlob(desc: Descriptor, file: string, limit: number): Promise<void> {
    const what = `blob ${desc.digest} of ${this.what}`;
    const res = await this.http.send(`/v2/${this.repository}/blobs/${desc.digest}`, { scope: this.scope });
    if (!res.ok) await registryFailure(res, what);
    await readVerified(res.body, { digest: desc.digest, size: desc.size, limit, what }, file);
  }

  /** All tags, following `Link: <…>; rel="next"` pagination. */
  async listTags(pageSize?: number): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${this.repository}/tags/list${pageSize ? `?n=${pageSize}` : ""}`;
    for (let page = 0; next && page < 1000; page++) {
      const res = await this.http.send(next, { scope: this.scope, headers: { accept: "application/json" } });
      if (!res.ok) await registryFailure(res, `tags of ${this.what}`);
      // One page of tags; an answer beyond 1 MiB is refused unread rather than buffered whole.
      const body = (await readSmallJson(res, 1024 * 1024)) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      next = nextLink(res.headers.get("link"));
    }
    return tags;
  }

  /** The tag Helm would pick for a reference without version: the highest SemVer (stable before pre-release). */
  async highestSemverTag(pageSize?: number): Promise<string> {
    const tags = await this.listTags(pageSize);
    // Helm stores build metadata with "_" because "+" is not allowed in tags.
    const versions = tags
      .map((tag) => ({ tag, version: semver.valid(tag.replace(/_/g, "+")) }))
      .filter((t): t is { tag: string; version: string } => t.version !== null);
    const stable = versions.filter((t) => semver.prerelease(t.version) === null);
    const pool = stable.length > 0 ? stable : versions;
    if (pool.length === 0) throw new NotFoundError(`${this.what} has no SemVer tag (tags: ${tags.slice(0, 10).join(", ") || "none"})`);
    pool.sort((a, b) => semver.rcompare(a.version, b.version));
    return pool[0]!.tag;
  }

  async blobExists(digest: string): Promise<boolean> {
    const res = await this.http.send(`/v2/${this.repository}/blobs/${digest}`, { method: "HEAD", scope: this.scope });
    await res.body?.cancel();
    if (res.ok) return true;
    if (res.status === 404) return false;
    return registryFailure(res, `blob ${digest} of ${this.what}`);
  }

  /** Monolithic upload: POST /blobs/uploads/ then PUT <location>?digest=…; skipped when the blob exists. */
  async uploadBlob(bytes: Buffer): Promise<Descriptor & { uploaded: boolean }> {
    const digest = digestOf(bytes);
    if (await this.blobExists(digest)) return { mediaType: "", digest, size: bytes.length, uploaded: false };
    const start = await this.http.send(`/v2/${this.repository}/blobs/uploads/`, { method: "POST", scope: this.scope });
    await start.body?.cancel();
    if (start.status !== 202) await registryFailure(start, `starting upload to ${this.what}`);
    const location = start.headers.get("location");
    if (!location) throw new InvalidArgumentError(`registry ${this.what} gave no upload location`);
    const url = new URL(location, this.http.baseUrl);
    url.searchParams.set("digest", digest);
    const put = await this.http.send(url.toString(), {
      method: "PUT",
      scope: this.scope,
      headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
      body: bytes,
    });
    await put.body?.cancel();
    if (put.status !== 201) await registryFailure(put, `uploading ${digest} to ${this.what}`);
    return { mediaType: "", digest, size: bytes.length, uploaded: true };
  }

  /** PUT a manifest under a tag (or digest); returns its digest. */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const res = await this.http.send(`/v2/${this.repository}/manifests/${reference}`, {
      method: "PUT",
      scope: this.scope,
      headers: { "content-type": mediaType },
      body: bytes,
    });
    await res.body?.cancel();
    if (res.status !== 201) await registryFailure(res, `pushing manifest ${this.what}:${reference}`);
    return res.headers.get("docker-content-digest") ?? digestOf(bytes);
  }
}

/** Parses `Link: </v2/…?last=x&n=2>; rel="next"`. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(",")) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}
