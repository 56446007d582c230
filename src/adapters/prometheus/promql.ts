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

export const DEFAULT_LOAD_TEMPLATE = 'sum by (service) (rate(http_requests_total{namespace="{{project}}"}[{{window}}]))';

/** The load query for one project: `project` is label-escaped, `window` must be a Prometheus duration. */
export function renderLoadQuery(template: string, project: string, window: string): string {
  if (!isPromDuration(window)) {
    throw new InvalidArgumentError(`rate window "${window}" is not a Prometheus duration`, [
      { field: "window", description: "a Prometheus duration such as 5s or 1m30s" },
    ]);
  }
  return renderTemplate(template, { project: escapePromLabelValue(project), window });
}
