// Registry authentication: basic auth against the real docker-registry (htpasswd), the bearer-token challenge
// flow against a small token realm and registry stand-in (which also pages its tag list with Link headers).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryAuth } from "../../src/adapters/oci/auth.js";
import { CredentialStore } from "../../src/adapters/oci/credentials.js";
import { networkFetcher } from "../../src/adapters/oci/http.js";
import { createOciArtifactSource, digestOf, MEDIA, packDescriptor, pushDescriptor } from "../../src/adapters/oci/index.js";
import { FailedPreconditionError } from "../../src/core/errors.js";
import { serveHttp, tempDir, type HttpTestServer } from "../helpers/processes.js";
import { registryAvailability, startRegistry, type TestRegistry } from "./registry-process.js";
import { fixturePath } from "../fixtures/index.js";

const HELLO = fixturePath("greeter.yaml");

/** A bcrypt htpasswd line (cost 4, to keep the registry's per-request check cheap): apache2-utils' htpasswd when installed, else Python's crypt (libxcrypt bcrypt). */
function bcryptLine(user: string, password: string): string | undefined {
  if (existsSync("/usr/bin/htpasswd")) return execFileSync("/usr/bin/htpasswd", ["-nbB", "-C", "4", user, password], { encoding: "utf8" }).trim();
  try {
    const script = "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))";
    const hash = execFileSync("/usr/bin/python3", ["-W", "ignore", "-c", script, password], { encoding: "utf8" }).trim();
    return hash.startsWith("$2") ? `${user}:${hash}` : undefined;
  } catch {
    return undefined;
  }
}

describe.skipIf(registryAvailability.skip)(`basic auth on docker-registry with htpasswd${registryAvailability.reason}`, () => {
  let reg: TestRegistry;
  let dir: { path: string; remove(): Promise<void> };
  let skipReason = "";

  beforeAll(async () => {
    dir = await tempDir("smo-oci-auth-");
    const line = bcryptLine("smo", "s3cret");
    if (!line) {
      skipReason = "no bcrypt generator (htpasswd or python3 crypt)";
      if (process.env.SMO_REQUIRE_INTEGRATION === "1") throw new Error(skipReason);
      return;
    }
    await writeFile(join(dir.path, "htpasswd"), `${line}\n`);
    reg = await startRegistry({ htpasswdFile: join(dir.path, "htpasswd") });
  });
  afterAll(async () => {
    await reg?.stop();
    await dir?.remove();
  });

  it("refuses without credentials, pushes and pulls with them, reads a Docker config.json entry", async (ctx) => {
    if (skipReason) ctx.skip();
    const insecureRegistries = [reg.host];
    await expect(pushDescriptor(HELLO, `oci://${reg.host}/demo`, { insecureRegistries })).rejects.toThrow(/no credentials/);
    const credentials = { [reg.host]: { username: "smo", password: "s3cret" } };
    const pushed = await pushDescriptor(HELLO, `oci://${reg.host}/demo`, { insecureRegistries, credentials });

    const dockerConfigPath = join(dir.path, "config.json");
    await writeFile(dockerConfigPath, JSON.stringify({ auths: { [`http://${reg.host}`]: { auth: Buffer.from("smo:s3cret").toString("base64") } } }));
    const got = await createOciArtifactSource({ insecureRegistries, dockerConfigPath }).fetchDescriptor(`oci://${reg.host}/demo/greeter-graph`);
    expect(got.digest).toBe(pushed.digest);

    const wrong = { [reg.host]: { username: "smo", password: "nope" } };
    const err = await createOciArtifactSource({ insecureRegistries, credentials: wrong }).fetchDescriptor(pushed.reference).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
  });
});

/** Token realm + registry stand-in: every /v2/ call needs a bearer token obtained with basic credentials. */
async function startBearerRegistry() {
  const state = { tokenRequests: [] as string[], issued: new Set<string>(), tagPages: 0 };
  const text = await import("node:fs/promises").then((fs) => fs.readFile(HELLO, "utf8"));
  const { tarball } = await packDescriptor(text, false);
  const config = Buffer.from("{}");
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.helmConfig, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: MEDIA.helmChart, digest: digestOf(tarball), size: tarball.length }],
    }),
  );
  const blobs = new Map([
    [digestOf(config), config],
    [digestOf(tarball), tarball],
  ]);
  const tags = ["0.1.0", "latest", "1.0.0", "0.2.0", "1.0.0-beta.1"];
  const realm = await serveHttp((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, "http://x");
    state.tokenRequests.push(url.searchParams.get("scope") ?? "");
    if (req.headers.authorization !== `Basic ${Buffer.from("robot:pw").toString("base64")}` || url.searchParams.get("service") !== "fake-registry") {
      res.writeHead(401).end();
      return;
    }
    const token = `tok-${state.tokenRequests.length}`;
    state.issued.add(token);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token, expires_in: 300 }));
  });
  const registry: HttpTestServer = await serveHttp((req, res) => {
    const url = new URL(req.url!, "http://x");
    const token = req.headers.authorization?.replace(/^Bearer /, "");
    if (!token || !state.issued.has(token)) {
      res.writeHead(401, {
        "www-authenticate": `Bearer realm="${realm.url}/token",service="fake-registry",scope="repository:team/app:pull"`,
      });
      res.end();
      return;
    }
    if (url.pathname === "/v2/team/app/tags/list") {
      state.tagPages += 1;
      const n = Number(url.searchParams.get("n") ?? tags.length);
      const last = url.searchParams.get("last");
      const start = last ? tags.indexOf(last) + 1 : 0;
      const page = tags.slice(start, start + n);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (start + n < tags.length) headers.link = `</v2/team/app/tags/list?n=${n}&last=${page[page.length - 1]}>; rel="next"`;
      res.writeHead(200, headers).end(JSON.stringify({ name: "team/app", tags: page }));
      return;
    }
    if (url.pathname === "/v2/team/app/manifests/1.0.0") {
      res.writeHead(200, { "content-type": MEDIA.ociManifest, "docker-content-digest": digestOf(manifest) }).end(manifest);
      return;
    }
    const blob = /^\/v2\/team\/app\/blobs\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
    if (blob && blobs.has(blob[1]!)) {
      // Real registries redirect blob downloads (to storage); a same-origin redirect keeps the token.
      if (!url.searchParams.has("redirected")) {
        res.writeHead(307, { location: `${url.pathname}?redirected=1` }).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(blobs.get(blob[1]!));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "unknown" }] }));
  });
  return { state, realm, registry, text, manifestDigest: digestOf(manifest) };
}

describe("bearer-token registries", () => {
  let env: Awaited<ReturnType<typeof startBearerRegistry>>;
  beforeAll(async () => {
    env = await startBearerRegistry();
  });
  afterAll(async () => {
    await env?.registry.close();
    await env?.realm.close();
  });

  it("answers the challenge, caches the token per scope, and follows paginated tags to the highest SemVer", async () => {
    const host = `127.0.0.1:${env.registry.port}`;
    const source = createOciArtifactSource({
      insecureRegistries: ["127.0.0.1"],
      credentials: { [host]: { username: "robot", password: "pw" } },
      tagsPageSize: 2,
    });
    const before = env.state.tokenRequests.length;
    const pulled = await source.pull(`oci://${host}/team/app`);
    expect(pulled).toMatchObject({ reference: `oci://${host}/team/app:1.0.0`, text: env.text, digest: env.manifestDigest });
    expect(env.state.tagPages).toBe(3);
    expect(env.state.tokenRequests.slice(before)).toEqual(["repository:team/app:pull"]);
    await source.pull(`oci://${host}/team/app:1.0.0`);
    expect(env.state.tokenRequests.length).toBe(before + 1);
  });

  it("fails with FailedPreconditionError when the realm refuses the credentials", async () => {
    const host = `127.0.0.1:${env.registry.port}`;
    const source = createOciArtifactSource({ insecureRegistries: ["127.0.0.1"], credentials: { [host]: { username: "robot", password: "bad" } } });
    await expect(source.fetchDescriptor(`oci://${host}/team/app:1.0.0`)).rejects.toBeInstanceOf(FailedPreconditionError);
  });

  it("refuses a plain-HTTP token realm that is not listed as insecure", async () => {
    const host = `127.0.0.1:${env.registry.port}`;
    const source = createOciArtifactSource({ insecureRegistries: [host], credentials: { [host]: { username: "robot", password: "pw" } } });
    await expect(source.fetchDescriptor(`oci://${host}/team/app:1.0.0`)).rejects.toThrow(/token realm .* plain HTTP/);
  });

  it("renews a token once it has expired", async () => {
    let now = 1_000_000;
    const host = `127.0.0.1:${env.registry.port}`;
    const auth = new RegistryAuth(
      new CredentialStore({ credentials: { [host]: { username: "robot", password: "pw" } } }),
      ["127.0.0.1"],
      networkFetcher(5_000),
      () => now,
    );
    const challenge = { scheme: "bearer", params: { realm: `${env.realm.url}/token`, service: "fake-registry" } };
    const first = await auth.answer(host, "repository:team/app:pull", challenge);
    expect(await auth.headerFor(host, "repository:team/app:pull")).toBe(first);
    expect(await auth.headerFor(host, "repository:team/app:pull,push")).toBeUndefined();
    now += 299_000;
    expect(await auth.headerFor(host, "repository:team/app:pull")).toBeUndefined();
    // Expired tokens of other scopes do not pile up: fetching a new one drops them.
    expect(auth.cachedTokens).toBe(1);
    await auth.answer(host, "repository:team/other:pull", challenge);
    expect(auth.cachedTokens).toBe(1);
  });
});
