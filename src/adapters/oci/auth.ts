// Registry authentication: anonymous first; on 401 the WWW-Authenticate challenge decides between basic
// credentials and the bearer-token flow (Docker token spec: GET realm?service=…&scope=…, optionally with basic
// credentials). Tokens are cached per registry and scope until shortly before they expire.
import { readSmallJson } from "./body.js";
import { FailedPreconditionError, UnavailableError } from "../../core/errors.js";
import type { CredentialStore } from "./credentials.js";
import { isInsecureRegistry } from "./reference.js";

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (quoted or token values). */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, "$1") : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const DEFAULT_TOKEN_SECONDS = 60;

export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export class RegistryAuth {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly basicRegistries = new Set<string>();

  constructor(
    private readonly credentials: CredentialStore,
    private readonly insecure: readonly string[],
    private readonly fetcher: Fetcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** Tokens held (for tests: expired ones are dropped whenever a new one is fetched). */
  get cachedTokens(): number {
    return this.tokens.size;
  }

  /** A long-running process pulls from ever new repositories (one scope each): forget tokens no longer usable. */
  private pruneExpired(): void {
    const now = this.now();
    for (const [key, cached] of this.tokens) if (cached.expiresAt <= now) this.tokens.delete(key);
  }

  /** Authorization header to send up front for this registry and scope, if one is known. */
  async headerFor(registry: string, scope: string): Promise<string | undefined> {
    const cached = this.tokens.get(`${registry}|${scope}`);
    if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
    if (this.basicRegistries.has(registry)) return this.basicHeader(registry);
    return undefined;
  }

  /** Answers a 401 challenge; returns the Authorization header to retry with. */
  async answer(registry: string, scope: string, challenge: Challenge | undefined): Promise<string> {
    if (challenge?.scheme === "basic") {
      const header = await this.basicHeader(registry);
      this.basicRegistries.add(registry);
      return header;
    }
    if (challenge?.scheme === "bearer") return `Bearer ${await this.fetchToken(registry, scope, challenge)}`;
    throw new FailedPreconditionError(`registry ${registry} asked for authentication with an unsupported challenge`);
  }

  private async basicHeader(registry: string): Promise<string> {
    const creds = await this.credentials.lookup(registry);
    if (!creds) {
      throw new FailedPreconditionError(`registry ${registry} requires authentication and no credentials are configured for it`);
    }
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
  }

  private async fetchToken(registry: string, scope: string, challenge: Challenge): Promise<string> {
    const realm = challenge.params.realm;
    if (!realm) throw new FailedPreconditionError(`registry ${registry} sent a bearer challenge without realm`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new FailedPreconditionError(`registry ${registry} sent an invalid token realm "${realm}"`);
    }
    if (url.protocol === "http:" && !isInsecureRegistry(url.host, this.insecure)) {
      throw new FailedPreconditionError(`token realm ${realm} uses plain HTTP and ${url.host} is not listed as insecure`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new FailedPreconditionError(`token realm ${realm} is not an http(s) URL`);
    }
    if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
    const wanted = challenge.params.scope ?? scope;
    if (wanted) url.searchParams.set("scope", wanted);
    const headers: Record<string, string> = { accept: "application/json" };
    const creds = await this.credentials.lookup(registry);
    if (creds) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    const res = await this.fetcher(url.toString(), { method: "GET", headers });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new FailedPreconditionError(`token service ${url.origin} refused credentials for ${registry} (HTTP ${res.status})`);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new UnavailableError(`token service ${url.origin} answered HTTP ${res.status}`);
    }
    const body = (await readSmallJson(res)) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new UnavailableError(`token service ${url.origin} returned no token`);
    const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    // Renew a little early so a token does not expire between the check and the request.
    const margin = Math.min(10, seconds / 10) * 1000;
    this.pruneExpired();
    this.tokens.set(`${registry}|${scope}`, { token, expiresAt: this.now() + seconds * 1000 - margin });
    return token;
  }
}
