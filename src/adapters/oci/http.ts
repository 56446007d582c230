// HTTP to one registry: auth on 401, redirects followed by hand (Authorization never leaves the registry's
// origin, no https→http downgrade), network failures and statuses mapped to smo's typed errors.
import {
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from "../../core/errors.js";
import { parseChallenge, type Fetcher, type RegistryAuth } from "./auth.js";
import { MAX_DETAIL_CHARS, readCapped } from "./body.js";

const TLS_PLAIN_HTTP_CODES = new Set(["ERR_SSL_WRONG_VERSION_NUMBER", "ERR_SSL_PACKET_LENGTH_TOO_LONG", "EPROTO"]);
const TLS_TRUST_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** fetch with a timeout, mapping network failures to typed errors. */
export function networkFetcher(timeoutMs: number, fetchImpl: typeof fetch = fetch): Fetcher {
  return async (url, init) => {
    try {
      return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const host = new URL(url).host;
      const name = (err as Error).name;
      if (name === "TimeoutError" || name === "AbortError") {
        throw new UnavailableError(`${host} did not answer within ${timeoutMs} ms`, { cause: err });
      }
      // One message whatever failed (refused, reset, not TLS, untrusted certificate): distinct messages told a
      // client which ports of a host were open, making oci:// references a port scanner. The cause (kept on the
      // error, logged by the caller) has the detail for the operator.
      const code = causeCode(err);
      const hint = code && (TLS_PLAIN_HTTP_CODES.has(code) || TLS_TRUST_CODES.has(code)) ? "tls" : "network";
      throw new UnavailableError(
        `cannot reach registry ${host} over ${url.startsWith("https:") ? "https" : "http"} (plain HTTP only for --insecure-registries; the server log has the cause)`,
        { cause: Object.assign(err as Error, { smoHint: hint }) },
      );
    }
  };
}

export interface RegistryRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Token scope the request needs, e.g. repository:demo/app:pull */
  scope: string;
}

const MAX_REDIRECTS = 5;

export class RegistryHttp {
  constructor(
    readonly baseUrl: string,
    readonly registry: string,
    private readonly auth: RegistryAuth,
    private readonly fetcher: Fetcher,
  ) {}

  async send(pathOrUrl: string, req: RegistryRequest): Promise<Response> {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`;
    const authorization = await this.auth.headerFor(this.registry, req.scope);
    let res = await this.follow(url, req, authorization);
    if (res.status !== 401) return res;
    const challenge = parseChallenge(res.headers.get("www-authenticate"));
    await res.body?.cancel();
    const answer = await this.auth.answer(this.registry, req.scope, challenge);
    res = await this.follow(url, req, answer);
    if (res.status === 401) {
      await res.body?.cancel();
      throw new FailedPreconditionError(`registry ${this.registry} rejected the credentials (HTTP 401)`);
    }
    return res;
  }

  private async follow(start: string, req: RegistryRequest, authorization: string | undefined): Promise<Response> {
    let url = start;
    let method = req.method ?? "GET";
    let body = req.body;
    const origin = new URL(this.baseUrl).origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { ...req.headers };
      if (authorization && new URL(url).origin === origin) headers.authorization = authorization;
      const res = await this.fetcher(url, { method, headers, body, redirect: "manual" });
      const location = res.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      await res.body?.cancel();
      const next = new URL(location, url);
      if (new URL(url).protocol === "https:" && next.protocol !== "https:") {
        throw new FailedPreconditionError(`registry ${this.registry} redirected to ${next.origin}, a downgrade from https`);
      }
      if (res.status === 303) {
        method = "GET";
        body = undefined;
      }
      url = next.toString();
    }
    throw new UnavailableError(`registry ${this.registry}: more than ${MAX_REDIRECTS} redirects`);
  }
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string }[];
}

/** Throws the typed error for a non-success registry response. */
export async function registryFailure(res: Response, what: string): Promise<never> {
  const { text } = await readCapped(res);
  let detail = text.slice(0, MAX_DETAIL_CHARS);
  try {
    const parsed = JSON.parse(text) as RegistryErrorBody;
    if (parsed.errors?.length) detail = parsed.errors.map((e) => `${e.code ?? "?"}: ${e.message ?? ""}`).join("; ");
  } catch {
    // not JSON (or cut at the cap): keep the raw text
  }
  detail = detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}…` : detail;
  const message = `${what}: HTTP ${res.status}${detail ? ` (${detail.trim()})` : ""}`;
  if (res.status === 404) throw new NotFoundError(message);
  if (res.status === 401 || res.status === 403) throw new FailedPreconditionError(message);
  if (res.status === 429 || res.status >= 500) throw new UnavailableError(message);
  throw new InvalidArgumentError(message, [{ field: "reference", description: message }]);
}
