// Starts Debian's docker-registry (Distribution 2.8) on a free loopback port with a temp config and storage.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinaries, startProcess, tempDir, type StartedProcess } from "../helpers/processes.js";

export const REGISTRY_BIN = "/usr/bin/docker-registry";
export const registryAvailability = requireBinaries(REGISTRY_BIN);

export interface TestRegistry {
  /** host:port */
  host: string;
  url: string;
  /** Storage root (blobs under docker/registry/v2/blobs/sha256/xx/<hex>/data). */
  root: string;
  process: StartedProcess;
  stop(): Promise<void>;
}

export async function startRegistry(opts: { htpasswdFile?: string } = {}): Promise<TestRegistry> {
  const dir = await tempDir("smo-registry-");
  const root = join(dir.path, "data");
  const config = join(dir.path, "config.yml");
  const auth = opts.htpasswdFile
    ? `auth:\n  htpasswd:\n    realm: smo-test\n    path: ${opts.htpasswdFile}\n`
    : "";
  const process = await startProcess({
    name: "docker-registry",
    command: REGISTRY_BIN,
    args: (port) => {
      // The config is rewritten per attempt because the port is part of it.
      const text = `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`;
      writeFileSync(config, text);
      return ["serve", config];
    },
    readyPath: "/v2/",
    readyStatus: (s) => s === 200 || s === 401,
  });
  return {
    host: `127.0.0.1:${process.port}`,
    url: process.url,
    root,
    process,
    async stop() {
      await process.stop();
      await dir.remove();
    },
  };
}

/** Path of a blob's data file in the registry's filesystem storage. */
export function blobDataPath(root: string, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(root, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
}

/** Uploads raw bytes as a blob (monolithic), for tests that push hand-made manifests. */
export async function rawUploadBlob(baseUrl: string, repo: string, bytes: Buffer, digest: string, headers: Record<string, string> = {}): Promise<void> {
  const start = await fetch(`${baseUrl}/v2/${repo}/blobs/uploads/`, { method: "POST", headers });
  await start.body?.cancel();
  if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
  const url = new URL(start.headers.get("location")!, baseUrl);
  url.searchParams.set("digest", digest);
  const put = await fetch(url, { method: "PUT", headers: { ...headers, "content-type": "application/octet-stream" }, body: bytes });
  if (put.status !== 201) throw new Error(`upload put: ${put.status} ${await put.text()}`);
  await put.body?.cancel();
}

export async function rawPutManifest(baseUrl: string, repo: string, ref: string, mediaType: string, body: Buffer): Promise<string> {
  const res = await fetch(`${baseUrl}/v2/${repo}/manifests/${ref}`, { method: "PUT", headers: { "content-type": mediaType }, body });
  if (res.status !== 201) throw new Error(`manifest put ${repo}:${ref}: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
  return res.headers.get("docker-content-digest")!;
}
