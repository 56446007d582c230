// DashboardPublisher over Grafana's HTTP API: POST /api/dashboards/db (overwrite) and
// DELETE /api/dashboards/uid/<uid>, with a service-account token or basic auth.
import type { Logger } from "pino";
import {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from "../../core/errors.js";
import type { Dashboard, DashboardPublisher } from "../../core/ports/observability.js";

export interface GrafanaPublisherOptions {
  /** Grafana base URL, possibly with a sub-path (http://host:3000/grafana). */
  url: string;
  /** Service-account token or API key (Authorization: Bearer). */
  token?: string;
  basic?: { user: string; password: string };
  /** Folder to publish into; default the General folder. */
  folderUid?: string;
  timeoutMs?: number;
  logger?: Logger;
}

interface SaveResponse {
  id?: number;
  uid?: string;
  url?: string;
  status?: string;
  version?: number;
  slug?: string;
  message?: string;
}

export function createGrafanaPublisher(options: GrafanaPublisherOptions): DashboardPublisher {
  if (options.token && options.basic) throw new InvalidArgumentError("give a Grafana token or basic credentials, not both", [{ field: "grafana", description: "token and basic both set" }]);
  const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const auth = options.token
    ? `Bearer ${options.token}`
    : options.basic
      ? `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`).toString("base64")}`
      : undefined;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: SaveResponse }> {
    const url = new URL(path, base);
    const headers: Record<string, string> = { accept: "application/json" };
    if (auth) headers.authorization = auth;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      throw new UnavailableError(`Grafana at ${url.host} unreachable: ${code ?? (err as Error).message}`, { cause: err });
    }
    // The timeout also covers the body: a Grafana that stalls after its headers is unavailable, not a crash.
    const text = await res.text().catch((err: unknown) => {
      throw new UnavailableError(`Grafana at ${url.host} broke off its answer: ${(err as Error).message}`, { cause: err });
    });
    let json: SaveResponse = {};
    try {
      json = text ? (JSON.parse(text) as SaveResponse) : {};
    } catch {
      json = { message: text.slice(0, 200) };
    }
    return { status: res.status, json };
  }

  function failure(status: number, json: SaveResponse, what: string): never {
    const message = `${what}: Grafana answered HTTP ${status}${json.message ? ` (${json.message})` : ""}`;
    if (status === 401 || status === 403) throw new FailedPreconditionError(message);
    if (status === 400) throw new InvalidArgumentError(message, [{ field: "dashboard", description: json.message ?? "rejected" }]);
    if (status === 404) throw new NotFoundError(message);
    if (status === 412) throw new AlreadyExistsError(message);
    throw new UnavailableError(message);
  }

  return {
    async publish(dashboard: Dashboard) {
      // Title and uid rules are Grafana's to enforce (400 → InvalidArgumentError); dashboardUid() keeps uids valid.
      const what = `publishing dashboard ${dashboard.uid}`;
      const body = {
        dashboard: { ...dashboard.model, id: null, uid: dashboard.uid, title: dashboard.title },
        overwrite: true,
        message: "published by smo",
        ...(options.folderUid && { folderUid: options.folderUid }),
      };
      const { status, json } = await call("POST", "api/dashboards/db", body);
      if (status !== 200 || json.status !== "success" || typeof json.url !== "string") failure(status, json, what);
      // Grafana's url already carries its sub-path (root_url), so resolve it against the origin.
      const url = new URL(json.url!, base).toString();
      options.logger?.info({ uid: dashboard.uid, version: json.version, url }, "dashboard published");
      return { url };
    },

    async remove(uid: string) {
      const { status, json } = await call("DELETE", `api/dashboards/uid/${encodeURIComponent(uid)}`);
      if (status === 200 || status === 404) return;
      failure(status, json, `removing dashboard ${uid}`);
    },
  };
}
