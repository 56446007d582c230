// PromQL text built from user data: label values escaped, durations validated, templates rendered with
// placeholders that must all be known, so no input can change the shape of a query.
import { InvalidArgumentError } from "../../core/errors.js";

/** Escapes a string for use inside a double-quoted PromQL label value ("…"). */
export function escapePromLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes RE2 metacharacters so that a value matches literally inside a `=~` matcher (then label-escape it). */
export function escapePromRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const DURATION_RE = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

export function isPromDuration(value: string): boolean {
  return DURATION_RE.test(value) && !/^0+(?:ms|s|m|h|d|w|y)$/.test(value);
}

/**
 * Replaces `{{name}}` placeholders (spaces allowed inside the braces) with already-escaped values.
 * An unknown placeholder is an error, so a typo in a template fails loudly instead of querying nothing.
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>, field = "template"): string {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new InvalidArgumentError(`unknown placeholder {{${name}}} in query template`, [
        { field, description: `unknown placeholder {{${name}}}; known: ${Object.keys(values).join(", ")}` },
      ]);
    }
    return value;
  });
}

/**
 * `irate` (the last two samples in the window) moves to a new rate one scrape after the change, where `rate`
 * averages the whole window and lags it; the window (3 scrape intervals by default) only has to hold two samples.
 */
export const DEFAULT_LOAD_TEMPLATE = 'sum by (service) (irate(http_requests_total{namespace="{{project}}"}[{{window}}]))';

/** The default template, restricted to one scrape job's series when `job` is given. */
export function defaultLoadTemplate(job?: string): string {
  return job === undefined ? DEFAULT_LOAD_TEMPLATE : DEFAULT_LOAD_TEMPLATE.replace('"{{project}}"', '"{{project}}",job="{{job}}"');
}

/**
 * The load query for one project: `project` (and `job`) are label-escaped, `window` must be a Prometheus
 * duration. `{{job}}` is known only when a job is configured.
 */
export function renderLoadQuery(template: string, project: string, window: string, job?: string): string {
  if (!isPromDuration(window)) {
    throw new InvalidArgumentError(`rate window "${window}" is not a Prometheus duration`, [
      { field: "window", description: "a Prometheus duration such as 5s or 1m30s" },
    ]);
  }
  const values: Record<string, string> = { project: escapePromLabelValue(project), window };
  if (job !== undefined) values.job = escapePromLabelValue(job);
  return renderTemplate(template, values);
}
