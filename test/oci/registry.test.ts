// OCI artifacts against a real registry (Debian docker-registry on loopback): push/pull round trip, tag-less
// SemVer resolution, the manifest shape recorded from hdarctl, Docker v2 and OCI index manifests, corruption,
// unsafe tarballs, error mapping.
import { readFile, writeFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from "../../src/core/errors.js";
import {
  createOciArtifactSource,
  digestOf,
  DigestMismatchError,
  MEDIA,
  packDescriptor,
  pushDescriptor,
  pushDescriptorText,
  UnsafeArchiveError,
} from "../../src/adapters/oci/index.js";
import { run as artifactCommand } from "../../src/cli/commands/artifact.js";
import { freePort, tempDir } from "../helpers/processes.js";
import { blobDataPath, rawPutManifest, rawUploadBlob, registryAvailability, startRegistry, type TestRegistry } from "./registry-process.js";
import { gzipTar } from "./tar-craft.js";
import { deployableFixtures, fixturePath, HDARCTL_MANIFEST, loadCorpus } from "../fixtures/index.js";

const HELLO = fixturePath("greeter.yaml");
const corpus = loadCorpus();

function descriptor(id: string, version: string, extra = ""): string {
  return `hdaGraph:\n  imVersion: 0.4.0\n  id: ${id}\n  version: "${version}"\n  description: test ${id} ${version}${extra}\n  services: []\n`;
}

describe.skipIf(registryAvailability.skip)(`OCI artifacts on docker-registry${registryAvailability.reason}`, () => {
  let reg: TestRegistry;
  let work: { path: string; remove(): Promise<void> };
  const insecure = () => ({ insecureRegistries: [reg.host] });

  beforeAll(async () => {
    reg = await startRegistry();
    work = await tempDir("smo-oci-test-");
  });
  afterAll(async () => {
    await reg?.stop();
    await work?.remove();
  });

  /** Pushes a hand-made image manifest with one layer; returns its digest. */
  async function pushRaw(repo: string, tag: string, layer: Buffer, opts: { layerType?: string; manifestType?: string; configType?: string; title?: string } = {}) {
    const config = Buffer.from("{}");
    await rawUploadBlob(reg.url, repo, config, digestOf(config));
    await rawUploadBlob(reg.url, repo, layer, digestOf(layer));
    const manifestType = opts.manifestType ?? MEDIA.ociManifest;
    const manifest = {
      schemaVersion: 2,
      mediaType: manifestType,
      config: { mediaType: opts.configType ?? "application/vnd.oci.image.config.v1+json", digest: digestOf(config), size: config.length },
      layers: [
        {
          mediaType: opts.layerType ?? MEDIA.ociLayerGzip,
          digest: digestOf(layer),
          size: layer.length,
          ...(opts.title && { annotations: { "org.opencontainers.image.title": opts.title } }),
        },
      ],
    };
    return rawPutManifest(reg.url, repo, tag, manifestType, Buffer.from(JSON.stringify(manifest)));
  }

  it("pushes a descriptor as hdarctl does and pulls it back with the digest verified", async () => {
    const pushed = await pushDescriptor(HELLO, `oci://${reg.host}/demo0`, { ...insecure(), created: new Date("2025-08-04T15:19:35Z") });
    expect(pushed).toMatchObject({
      reference: `oci://${reg.host}/demo0/greeter-graph:0.2.0`,
      repository: "demo0/greeter-graph",
      tag: "0.2.0",
      fileName: "greeter-graph-0.2.0.tar.gz",
    });
    const source = createOciArtifactSource(insecure());
    const got = await source.fetchDescriptor(`oci://${reg.host}/demo0/greeter-graph:0.2.0`);
    expect(got.text).toBe(await readFile(HELLO, "utf8"));
    expect(got.fileName).toBe("hdag/hdag.yaml");
    expect(got.digest).toBe(pushed.digest);
    // The same bytes under the digest reference, and http:// form (listed insecure) as NEPHELE passes it.
    expect((await source.fetchDescriptor(`oci://${reg.host}/demo0/greeter-graph@${pushed.digest}`)).text).toBe(got.text);
    expect((await source.fetchDescriptor(`http://${reg.host}/demo0/greeter-graph`)).digest).toBe(pushed.digest);
  });

  it("round-trips every fixture descriptor, and the corpus when present, byte for byte (pinned by digest)", async () => {
    const files = [...deployableFixtures(), ...corpus.files.filter((f) => !f.name.includes("/"))];
    expect(files.length).toBeGreaterThanOrEqual(corpus.skip ? 9 : 19);
    const source = createOciArtifactSource(insecure());
    for (const f of files) {
      const pushed = await pushDescriptor(f.path, `oci://${reg.host}/round-trip`, insecure());
      const got = await source.fetchDescriptor(`oci://${reg.host}/${pushed.repository}@${pushed.digest}`);
      expect(got.text, f.name).toBe(f.text);
      expect(got.fileName, f.name).toBe(f.name.endsWith(".json") ? "hdag/hdag.json" : "hdag/hdag.yaml");
    }
  });

  it("writes the manifest with the structure recorded from a real hdarctl push", async () => {
    const pushed = await pushDescriptor(HELLO, `oci://${reg.host}/shape`, insecure());
    const res = await fetch(`${reg.url}/v2/shape/greeter-graph/manifests/0.2.0`, { headers: { accept: MEDIA.ociManifest } });
    const ours = (await res.json()) as Record<string, any>;
    const recorded = JSON.parse(await readFile(HDARCTL_MANIFEST, "utf8")) as Record<string, any>;
    const shape = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(shape) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)])) : typeof v;
    expect(shape(ours)).toEqual(shape(recorded));
    expect(Object.keys(ours)).toEqual(Object.keys(recorded));
    expect(ours.config.mediaType).toBe(recorded.config.mediaType);
    expect(ours.layers[0].mediaType).toBe(recorded.layers[0].mediaType);
    expect(ours.layers[0].annotations["org.opencontainers.image.title"]).toBe("greeter-graph-0.2.0.tar.gz");
    expect(ours.annotations["org.opencontainers.image.created"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(ours.layers[0].digest).toBe(pushed.layerDigest);
    const config = await fetch(`${reg.url}/v2/shape/greeter-graph/blobs/${ours.config.digest}`);
    expect(await config.json()).toMatchObject({ name: "greeter-graph", version: "0.2.0", apiVersion: "v2" });
  });

  it("reads an artifact pushed with the recorded hdarctl manifest structure (chart-like tarball, descriptor not first)", async () => {
    const recorded = JSON.parse(await readFile(HDARCTL_MANIFEST, "utf8")) as Record<string, any>;
    const text = descriptor("noise-graph", "0.1.0");
    // values.yaml sits shallower than the descriptor: NEPHELE's "first .yaml" rule would pick it.
    const layer = gzipTar([
      { path: "noise-reduction/values.yaml", body: "replicas: 1\n" },
      { path: "noise-reduction/Chart.yaml", body: "apiVersion: v2\nname: noise-reduction\nversion: 0.1.0\n" },
      { path: "noise-reduction/hdag/hdag.yaml", body: text },
    ]);
    const config = Buffer.from(JSON.stringify({ name: "noise-reduction", version: "0.1.0", apiVersion: "v2" }));
    await rawUploadBlob(reg.url, "test/noise-reduction", config, digestOf(config));
    await rawUploadBlob(reg.url, "test/noise-reduction", layer, digestOf(layer));
    const manifest = structuredClone(recorded);
    manifest.config.digest = digestOf(config);
    manifest.config.size = config.length;
    manifest.layers[0].digest = digestOf(layer);
    manifest.layers[0].size = layer.length;
    await rawPutManifest(reg.url, "test/noise-reduction", "0.1.0", MEDIA.ociManifest, Buffer.from(JSON.stringify(manifest)));
    const got = await createOciArtifactSource(insecure()).fetchDescriptor(`oci://${reg.host}/test/noise-reduction:0.1.0`);
    expect(got).toMatchObject({ text, fileName: "noise-reduction/hdag/hdag.yaml" });
  });

  it("resolves a reference without tag to the highest stable SemVer tag (not the lexical or newest one)", async () => {
    for (const v of ["0.9.0", "1.10.0", "1.2.0", "2.0.0-rc.1"]) {
      await pushDescriptorText(descriptor("multi-graph", v), `oci://${reg.host}/versions`, insecure());
    }
    await pushRaw("versions/multi-graph", "latest", gzipTar([{ path: "hdag/hdag.yaml", body: descriptor("multi-graph", "9.9.9") }]));
    // Distribution 2.8 ignores ?n= for tags; Link pagination is covered against the fake registry (auth.test.ts).
    const source = createOciArtifactSource(insecure());
    const pulled = await source.pull(`oci://${reg.host}/versions/multi-graph`);
    expect(pulled.reference).toBe(`oci://${reg.host}/versions/multi-graph:1.10.0`);
    expect(pulled.text).toContain('version: "1.10.0"');
  });

  it("reads a Docker v2 manifest with a generic layer recognised by its gzip magic", async () => {
    const text = descriptor("docker-graph", "1.0.0");
    await pushRaw("docker/graph", "1.0.0", gzipTar([{ path: "hdag.yml", body: text }]), {
      manifestType: MEDIA.dockerManifest,
      configType: "application/vnd.docker.container.image.v1+json",
      layerType: MEDIA.octetStream,
    });
    const got = await createOciArtifactSource(insecure()).fetchDescriptor(`oci://${reg.host}/docker/graph:1.0.0`);
    expect(got).toMatchObject({ text, fileName: "hdag.yml" });
  });

  it("follows an OCI index to its linux/amd64 manifest", async () => {
    const repo = "index/graph";
    const arm = await pushRaw(repo, "arm", gzipTar([{ path: "hdag/hdag.yaml", body: descriptor("index-graph", "1.0.0", " arm") }]));
    const amd = await pushRaw(repo, "amd", gzipTar([{ path: "hdag/hdag.yaml", body: descriptor("index-graph", "1.0.0", " amd") }]));
    const size = async (tag: string) => Number((await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, { method: "HEAD", headers: { accept: MEDIA.ociManifest } })).headers.get("content-length"));
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA.ociIndex,
      manifests: [
        { mediaType: MEDIA.ociManifest, digest: arm, size: await size("arm"), platform: { os: "linux", architecture: "arm64" } },
        { mediaType: MEDIA.ociManifest, digest: amd, size: await size("amd"), platform: { os: "linux", architecture: "amd64" } },
      ],
    };
    const indexDigest = await rawPutManifest(reg.url, repo, "1.0.0", MEDIA.ociIndex, Buffer.from(JSON.stringify(index)));
    const got = await createOciArtifactSource(insecure()).fetchDescriptor(`oci://${reg.host}/${repo}:1.0.0`);
    expect(got.text).toContain("test index-graph 1.0.0 amd");
    expect(got.digest).toBe(indexDigest);
  });

  it("accepts a plain descriptor file pushed as a layer (ORAS style)", async () => {
    const text = descriptor("plain-graph", "1.0.0");
    await pushRaw("plain/graph", "1.0.0", Buffer.from(text), { layerType: MEDIA.octetStream, title: "graph.yaml" });
    expect(await createOciArtifactSource(insecure()).fetchDescriptor(`oci://${reg.host}/plain/graph:1.0.0`)).toMatchObject({ text, fileName: "graph.yaml" });
  });

  it("refuses a blob whose content no longer matches its digest", async () => {
    const pushed = await pushDescriptorText(descriptor("corrupt-graph", "1.0.0"), `oci://${reg.host}/corrupt`, insecure());
    const file = blobDataPath(reg.root, pushed.layerDigest);
    const bytes = await readFile(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await writeFile(file, bytes);
    await expect(createOciArtifactSource(insecure()).fetchDescriptor(pushed.reference)).rejects.toBeInstanceOf(DigestMismatchError);
  });

  it("refuses a layer bigger than the configured limit before reading it", async () => {
    const pushed = await pushDescriptorText(descriptor("big-graph", "1.0.0"), `oci://${reg.host}/big`, insecure());
    await expect(createOciArtifactSource({ ...insecure(), maxBlobBytes: 100 }).fetchDescriptor(pushed.reference)).rejects.toThrow(/over the 100-byte limit/);
  });

  it("refuses a tarball with entries escaping the extraction directory", async () => {
    const evil = gzipTar([
      { path: "hdag/hdag.yaml", body: descriptor("evil-graph", "1.0.0") },
      { path: "../../escaped.yaml", body: "pwned: true\n" },
    ]);
    await pushRaw("evil/graph", "1.0.0", evil, { layerType: MEDIA.helmChart });
    const err = await createOciArtifactSource(insecure()).fetchDescriptor(`oci://${reg.host}/evil/graph:1.0.0`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeArchiveError);
    expect((err as Error).message).toContain("../../escaped.yaml");
  });

  it("maps a missing manifest, tag list or repository to NotFoundError", async () => {
    const source = createOciArtifactSource(insecure());
    await expect(source.fetchDescriptor(`oci://${reg.host}/demo0/greeter-graph:9.9.9`)).rejects.toBeInstanceOf(NotFoundError);
    await expect(source.fetchDescriptor(`oci://${reg.host}/nothing/here`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses plain HTTP to a registry that is not listed as insecure", async () => {
    const source = createOciArtifactSource();
    await expect(source.fetchDescriptor(`http://${reg.host}/demo0/greeter-graph:0.2.0`)).rejects.toBeInstanceOf(FailedPreconditionError);
    // oci:// means https for an unlisted registry; this one speaks plain HTTP, so TLS fails. The message is the
    // same as for a closed port (no port scanning through error texts); it names the setting to check.
    const err = await source.fetchDescriptor(`oci://${reg.host}/demo0/greeter-graph:0.2.0`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/insecure-registries/);
    const closed = await source.fetchDescriptor("oci://127.0.0.1:1/demo0/greeter-graph:0.2.0").catch((e: unknown) => e);
    expect((closed as Error).message.replace("127.0.0.1:1", reg.host)).toBe((err as Error).message);
  });

  it("refuses loopback and link-local registries unless listed, and registries outside --registry", async () => {
    const { checkRegistryAllowed } = await import("../../src/adapters/oci/source.js");
    const strict = { refusePrivateAddresses: true };
    for (const registry of ["127.0.0.1:5000", "localhost", "[::1]:5000", "169.254.169.254", "[fe80::1]:80"]) {
      expect(() => checkRegistryAllowed(registry, strict), registry).toThrow(InvalidArgumentError);
    }
    expect(() => checkRegistryAllowed("127.0.0.1:5000", { ...strict, insecureRegistries: ["127.0.0.1:5000"] })).not.toThrow();
    expect(() => checkRegistryAllowed("127.0.0.1:5000", { ...strict, allowedRegistries: ["127.0.0.1"] })).not.toThrow();
    expect(() => checkRegistryAllowed("registry.example.org", strict)).not.toThrow();
    expect(() => checkRegistryAllowed("registry.example.org", { allowedRegistries: ["ghcr.io"] })).toThrow(/not listed in --registry/);
    expect(() => checkRegistryAllowed("127.0.0.1:5000", {})).not.toThrow(); // library default: no refusal
  });

  it("refuses a registry name that resolves to a loopback or link-local address unless listed", async () => {
    const { createOciArtifactSource, checkRegistryResolves } = await import("../../src/adapters/oci/source.js");
    const answers: Record<string, string[]> = {
      "registry.loop.example": ["203.0.113.7", "127.0.0.1"],
      "registry.mapped.example": ["::ffff:127.0.0.2"],
      "registry.metadata.example": ["169.254.169.254"],
      "registry.v6.example": ["fe80::1"],
      "registry.public.example": ["203.0.113.7", "2001:db8::1"],
    };
    const resolveHost = async (host: string) => answers[host] ?? [];
    const strict = { refusePrivateAddresses: true, resolveHost };
    for (const host of ["registry.loop.example", "registry.mapped.example", "registry.metadata.example", "registry.v6.example"]) {
      const source = createOciArtifactSource(strict);
      const err = await source.fetchDescriptor(`oci://${host}:5000/x/y:1`).catch((e: unknown) => e);
      expect(err, host).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).violations[0]).toMatchObject({ field: "artifact" });
      expect((err as Error).message).toMatch(/resolves to the loopback or link-local address/);
    }
    await expect(checkRegistryResolves("registry.public.example", strict)).resolves.toBeUndefined();
    await expect(checkRegistryResolves("registry.loop.example:5000", { ...strict, allowedRegistries: ["registry.loop.example:5000"] })).resolves.toBeUndefined();
    await expect(checkRegistryResolves("registry.loop.example", { resolveHost })).resolves.toBeUndefined(); // library default: no refusal
    // A name that does not resolve is left to the request, which fails with the usual network message.
    await expect(checkRegistryResolves("registry.nowhere.example", { ...strict, resolveHost: () => Promise.reject(new Error("ENOTFOUND")) })).resolves.toBeUndefined();
  });

  it("reads at most 64 KiB of an error body and truncates its message", async () => {
    const { readCapped, MAX_SMALL_BODY_BYTES } = await import("../../src/adapters/oci/body.js");
    let pulled = 0;
    const huge = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 65_536;
        if (pulled > 300 * 1024 * 1024) controller.close();
        else controller.enqueue(new Uint8Array(65_536).fill(0x61));
      },
    });
    const r = await readCapped(new Response(huge));
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBe(MAX_SMALL_BODY_BYTES);
    expect(pulled).toBeLessThan(1024 * 1024);
    const { registryFailure } = await import("../../src/adapters/oci/http.js");
    const failure = await registryFailure(new Response("x".repeat(20 * 1024 * 1024), { status: 400 }), "manifest").catch((e: unknown) => e);
    expect((failure as Error).message.length).toBeLessThan(400);
  });

  it("maps connection refused to UnavailableError", async () => {
    const port = await freePort();
    const source = createOciArtifactSource({ insecureRegistries: [`127.0.0.1:${port}`] });
    await expect(source.fetchDescriptor(`oci://127.0.0.1:${port}/x/y:1.0.0`)).rejects.toBeInstanceOf(UnavailableError);
  });

  it("packs deterministically so a second push reuses the same layer", async () => {
    const a = await packDescriptor("hdaGraph: {}\n", false);
    const b = await packDescriptor("hdaGraph: {}\n", false);
    expect(digestOf(a.tarball)).toBe(digestOf(b.tarball));
    const first = await pushDescriptor(HELLO, `oci://${reg.host}/again`, insecure());
    const second = await pushDescriptor(HELLO, `oci://${reg.host}/again`, insecure());
    expect(second.layerDigest).toBe(first.layerDigest);
  });

  it("smo artifact push / pull round trip through the CLI command", async () => {
    const captured = () => {
      const out = { text: "" };
      const stream = new Writable({ write: (c, _e, cb) => ((out.text += String(c)), cb()) });
      return { out, stream };
    };
    const call = async (args: string[]) => {
      const o = captured();
      const e = captured();
      const code = await artifactCommand(args, { stdout: o.stream, stderr: e.stream, env: { HOME: work.path } });
      return { code, stdout: o.out.text, stderr: e.out.text };
    };
    const push = await call(["push", HELLO, `oci://${reg.host}/cli`, "--insecure"]);
    expect(push).toMatchObject({ code: 0, stderr: "" });
    expect(push.stdout).toMatch(new RegExp(`^Pushed: oci://${reg.host}/cli/greeter-graph:0.2.0\nFile: greeter-graph-0.2.0.tar.gz\nDigest: sha256:[a-f0-9]{64}\n$`));
    const printed = await call(["pull", `oci://${reg.host}/cli/greeter-graph`, "--insecure"]);
    expect(printed.stdout).toBe(await readFile(HELLO, "utf8"));
    const written = await call(["pull", `oci://${reg.host}/cli/greeter-graph:0.2.0`, "--insecure", "-o", join(work.path, "out")]);
    expect(written.code).toBe(0);
    expect(await readFile(join(work.path, "out", "hdag.yaml"), "utf8")).toBe(await readFile(HELLO, "utf8"));
    const refused = await call(["pull", `http://${reg.host}/cli/greeter-graph`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/plain HTTP .* not allowed/);
    const bad = await call(["pull", "oci://r.io/UPPER"]);
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.stderr).toMatch(/reference: repository "UPPER"/);
  });
});
