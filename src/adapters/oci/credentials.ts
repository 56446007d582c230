// Where registry credentials come from: explicit options first, then a Docker config.json `auths` entry
// (`auth` = base64("user:password") or `username`/`password`). Credential helpers (credsStore/credHelpers)
// are not run: smo never executes programs named by a config file.
import { readFile } from "node:fs/promises";
import { FailedPreconditionError } from "../../core/errors.js";
import type { OciClientOptions, RegistryCredentials } from "./options.js";

interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
}

/** Normalises a config key such as "https://index.docker.io/v1/" or "127.0.0.1:5000" to host[:port]. */
function registryKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "").toLowerCase();
}

function decodeEntry(registry: string, entry: DockerAuthEntry): RegistryCredentials | undefined {
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  if (!entry.auth) return undefined;
  const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) throw new FailedPreconditionError(`Docker config entry for ${registry} has a malformed "auth" field`);
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class CredentialStore {
  private dockerAuths: Promise<Record<string, DockerAuthEntry>> | undefined;

  constructor(private readonly options: OciClientOptions) {}

  async lookup(registry: string): Promise<RegistryCredentials | undefined> {
    const explicit = this.options.credentials;
    if (explicit) {
      for (const [key, creds] of Object.entries(explicit)) if (registryKey(key) === registry) return creds;
    }
    if (!this.options.dockerConfigPath) return undefined;
    this.dockerAuths ??= this.readDockerConfig(this.options.dockerConfigPath);
    const auths = await this.dockerAuths;
    for (const [key, entry] of Object.entries(auths)) {
      if (registryKey(key) === registry) return decodeEntry(registry, entry);
    }
    return undefined;
  }

  private async readDockerConfig(path: string): Promise<Record<string, DockerAuthEntry>> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw new FailedPreconditionError(`cannot read Docker config ${path}: ${(err as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text) as { auths?: Record<string, DockerAuthEntry> };
      return parsed.auths ?? {};
    } catch (err) {
      throw new FailedPreconditionError(`Docker config ${path} is not valid JSON: ${(err as Error).message}`);
    }
  }
}
