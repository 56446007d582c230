// A small stand-in for Grafana's dashboard API (Grafana itself is not installable here). It rejects what
// Grafana rejects, with Grafana's messages and statuses, and answers with Grafana's response shapes:
//   POST /api/dashboards/db     400 bad JSON / missing dashboard / empty title / uid too long or illegal,
//                               401 missing or wrong auth, 412 version mismatch without overwrite,
//                               200 {id, uid, url, status: "success", version, slug}
//   DELETE /api/dashboards/uid/:uid   200 {title, message, id} | 404 {message: "Dashboard not found"}
//   GET /api/dashboards/uid/:uid      200 {dashboard, meta} | 404
import type { IncomingMessage, ServerResponse } from "node:http";
import { serveHttp, type HttpTestServer } from "../helpers/processes.js";

export interface FakeGrafanaOptions {
  token?: string;
  basic?: { user: string; password: string };
  /** Sub-path of Grafana's root_url, e.g. "/grafana" (it appears in returned urls). */
  subPath?: string;
}

interface Stored {
  id: number;
  version: number;
  dashboard: Record<string, unknown>;
  folderUid?: string;
}

export interface FakeGrafana extends HttpTestServer {
  dashboards: Map<string, Stored>;
  requests: { method: string; path: string }[];
}

function slugify(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

export async function startFakeGrafana(opts: FakeGrafanaOptions = {}): Promise<FakeGrafana> {
  const dashboards = new Map<string, Stored>();
  const requests: { method: string; path: string }[] = [];
  let nextId = 1;
  const sub = opts.subPath ?? "";

  const send = (res: ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));

  function authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization ?? "";
    if (opts.token && h === `Bearer ${opts.token}`) return true;
    if (opts.basic && h === `Basic ${Buffer.from(`${opts.basic.user}:${opts.basic.password}`).toString("base64")}`) return true;
    return false;
  }

  function save(raw: string, res: ServerResponse): void {
    let body: { dashboard?: Record<string, unknown>; overwrite?: boolean; folderUid?: string };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      send(res, 400, { message: "bad request data" });
      return;
    }
    const d = body.dashboard;
    if (!d || typeof d !== "object") return send(res, 400, { message: "bad request data" });
    const title = typeof d.title === "string" ? d.title.trim() : "";
    if (!title) return send(res, 400, { message: "Dashboard title cannot be empty", status: "empty-name" });
    const uid = typeof d.uid === "string" && d.uid ? d.uid : `gen${nextId}`;
    if (uid.length > 40) return send(res, 400, { message: "uid too long, max 40 characters", status: "uid-too-long" });
    if (!/^[a-zA-Z0-9\-_]*$/.test(uid)) return send(res, 400, { message: "uid contains illegal characters", status: "invalid-uid" });
    const existing = dashboards.get(uid);
    if (existing && !body.overwrite && d.version !== existing.version) {
      return send(res, 412, { message: "The dashboard has been changed by someone else", status: "version-mismatch" });
    }
    const id = existing?.id ?? nextId++;
    const version = (existing?.version ?? 0) + 1;
    dashboards.set(uid, { id, version, dashboard: { ...d, id, uid, version }, ...(body.folderUid && { folderUid: body.folderUid }) });
    const slug = slugify(title);
    send(res, 200, { id, uid, url: `${sub}/d/${uid}/${slug}`, status: "success", version, slug });
  }

  const server = await serveHttp((req, res) => {
    const path = new URL(req.url!, "http://x").pathname;
    requests.push({ method: req.method!, path });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const local = sub && path.startsWith(sub) ? path.slice(sub.length) : path;
      if (!local.startsWith("/api/")) return send(res, 404, { message: "Not found" });
      if (!authorized(req)) return send(res, 401, { message: req.headers.authorization ? "invalid API key" : "Unauthorized" });
      const byUid = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(local);
      if (req.method === "POST" && local === "/api/dashboards/db") return save(Buffer.concat(chunks).toString("utf8"), res);
      if (byUid && req.method === "DELETE") {
        const uid = decodeURIComponent(byUid[1]!);
        const found = dashboards.get(uid);
        if (!found) return send(res, 404, { message: "Dashboard not found" });
        dashboards.delete(uid);
        const title = String(found.dashboard.title);
        return send(res, 200, { title, message: `Dashboard ${title} deleted`, id: found.id });
      }
      if (byUid && req.method === "GET") {
        const found = dashboards.get(decodeURIComponent(byUid[1]!));
        if (!found) return send(res, 404, { message: "Dashboard not found" });
        return send(res, 200, { dashboard: found.dashboard, meta: { version: found.version, folderUid: found.folderUid ?? "" } });
      }
      send(res, 404, { message: "Not found" });
    });
  });
  return Object.assign(server, { dashboards, requests });
}
