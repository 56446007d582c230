// Alertmanager webhook (JSON payload version 4): a strict parser with field paths in its errors, and a node
// http handler that the lifecycle mounts at POST /v1/alerts on smo's HTTP port.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { InvalidArgumentError, UnavailableError, type FieldViolation } from "../../core/errors.js";

export type AlertStatus = "firing" | "resolved";

export interface WebhookAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  /** null while firing (Alertmanager sends the zero time 0001-01-01T00:00:00Z). */
  endsAt: Date | null;
  fingerprint: string;
  generatorURL?: string;
}

export interface AlertmanagerWebhook {
  version: "4";
  status: AlertStatus;
  receiver: string;
  groupKey: string;
  truncatedAlerts: number;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

class Checker {
  readonly violations: FieldViolation[] = [];

  fail(field: string, description: string): void {
    this.violations.push({ field, description });
  }

  status(v: unknown, field: string): AlertStatus {
    if (v !== "firing" && v !== "resolved") this.fail(field, 'must be "firing" or "resolved"');
    return v as AlertStatus;
  }

  string(v: unknown, field: string, optional = false): string {
    if (v === undefined && optional) return "";
    if (typeof v !== "string") this.fail(field, "must be a string");
    else this.noNul(v, field);
    return typeof v === "string" ? v : "";
  }

  /** PostgreSQL text cannot hold NUL: refused here as a bad field rather than failing in the database (a 500). */
  noNul(v: string, field: string): void {
    if (v.includes("\u0000")) this.fail(field, "must not contain NUL characters");
  }

  labels(v: unknown, field: string, optional = false): Record<string, string> {
    if (v === undefined && optional) return {};
    if (!isObj(v)) {
      this.fail(field, "must be an object of strings");
      return {};
    }
    for (const [k, x] of Object.entries(v)) {
      if (typeof x !== "string") this.fail(`${field}.${k}`, "must be a string");
      else this.noNul(x, `${field}.${k}`);
      this.noNul(k, `${field} (a key)`);
    }
    return v as Record<string, string>;
  }

  time(v: unknown, field: string, optional: boolean): Date | null {
    if ((v === undefined || v === "") && optional) return null;
    const t = typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : Number.NaN;
    if (Number.isNaN(t)) {
      this.fail(field, "must be an RFC 3339 time");
      return null;
    }
    // Go's zero time means "not set".
    return (v as string).startsWith("0001-01-01") ? null : new Date(t);
  }
}

/** Validates an Alertmanager webhook body (object or JSON text); throws InvalidArgumentError listing every bad field. */
export function parseAlertmanagerWebhook(body: unknown): AlertmanagerWebhook {
  let doc = body;
  if (typeof body === "string" || Buffer.isBuffer(body)) {
    try {
      doc = JSON.parse(body.toString());
    } catch (err) {
      throw new InvalidArgumentError(`webhook body is not JSON: ${(err as Error).message}`, [{ field: "body", description: "not JSON" }]);
    }
  }
  if (!isObj(doc)) throw new InvalidArgumentError("webhook body must be a JSON object", [{ field: "body", description: "not an object" }]);
  const c = new Checker();
  if (doc.version !== "4") c.fail("version", `must be "4" (Alertmanager webhook payload version), got ${JSON.stringify(doc.version)}`);
  const status = c.status(doc.status, "status");
  const alerts: WebhookAlert[] = [];
  if (!Array.isArray(doc.alerts)) c.fail("alerts", "must be an array");
  else {
    doc.alerts.forEach((a: unknown, i: number) => {
      const p = `alerts[${i}]`;
      if (!isObj(a)) {
        c.fail(p, "must be an object");
        return;
      }
      const startsAt = c.time(a.startsAt, `${p}.startsAt`, false);
      const alert: WebhookAlert = {
        status: c.status(a.status, `${p}.status`),
        labels: c.labels(a.labels, `${p}.labels`),
        annotations: c.labels(a.annotations, `${p}.annotations`, true),
        startsAt: startsAt ?? new Date(0),
        endsAt: c.time(a.endsAt, `${p}.endsAt`, true),
        fingerprint: c.string(a.fingerprint, `${p}.fingerprint`),
      };
      if (a.generatorURL !== undefined) alert.generatorURL = c.string(a.generatorURL, `${p}.generatorURL`);
      alerts.push(alert);
    });
  }
  const truncated = doc.truncatedAlerts ?? 0;
  if (typeof truncated !== "number" || !Number.isInteger(truncated) || truncated < 0) c.fail("truncatedAlerts", "must be a non-negative integer");
  const payload: AlertmanagerWebhook = {
    version: "4",
    status,
    receiver: c.string(doc.receiver, "receiver", true),
    groupKey: c.string(doc.groupKey, "groupKey", true),
    truncatedAlerts: typeof truncated === "number" ? truncated : 0,
    groupLabels: c.labels(doc.groupLabels, "groupLabels", true),
    commonLabels: c.labels(doc.commonLabels, "commonLabels", true),
    commonAnnotations: c.labels(doc.commonAnnotations, "commonAnnotations", true),
    externalURL: c.string(doc.externalURL, "externalURL", true),
    alerts,
  };
  if (c.violations.length > 0) {
    throw new InvalidArgumentError(`invalid Alertmanager webhook: ${c.violations.map((v) => `${v.field} ${v.description}`).join("; ")}`, c.violations);
  }
  return payload;
}

/** Strict UTF-8: a replacement character would otherwise be stored in place of the sender's bytes. */
function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidArgumentError("webhook body is not valid UTF-8", [{ field: "body", description: "not valid UTF-8" }]);
  }
}

export interface AlertWebhookHandlerOptions {
  /** Largest accepted body. Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

/**
 * A node http handler for Alertmanager's webhook: 400 with the field violations on a bad payload, 200 once
 * `onAlerts` has resolved, 503/500 when it fails (Alertmanager retries on 5xx).
 */
export function createAlertWebhookHandler(
  onAlerts: (payload: AlertmanagerWebhook) => Promise<void> | void,
  options: AlertWebhookHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const max = options.maxBodyBytes ?? 1024 * 1024;
  return (req, res) => {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      reply(res, 405, { error: "method not allowed" });
      return;
    }
    // Alertmanager sends application/json. Anything else (text/plain, form encodings) is what a browser page can
    // post cross-origin without a preflight: refused before the body is read.
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") {
      res.shouldKeepAlive = false;
      reply(res, 415, { error: "content-type must be application/json" });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("error", () => undefined);
    req.on("end", () => {
      if (tooLarge) {
        reply(res, 413, { error: `body larger than ${max} bytes` });
        return;
      }
      let payload: AlertmanagerWebhook;
      try {
        payload = parseAlertmanagerWebhook(decodeUtf8(Buffer.concat(chunks)));
      } catch (err) {
        const e = err as InvalidArgumentError;
        options.logger?.warn({ err: e.message }, "rejected Alertmanager webhook");
        reply(res, 400, { error: e.message, violations: e.violations ?? [] });
        return;
      }
      Promise.resolve()
        .then(() => onAlerts(payload))
        .then(
          () => reply(res, 200, { status: "ok", alerts: payload.alerts.length }),
          (err: unknown) => {
            options.logger?.error({ err: (err as Error).message }, "handling Alertmanager webhook failed");
            // The log has the cause; database messages are not for the sender.
            if (err instanceof InvalidArgumentError) reply(res, 400, { error: err.message, violations: err.violations });
            else if (err instanceof UnavailableError) reply(res, 503, { error: err.message });
            else reply(res, 500, { error: "internal error; the server log has the details" });
          },
        );
    });
  };
}
