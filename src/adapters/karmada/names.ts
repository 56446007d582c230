// Kubernetes name checks done before any request, so a bad name is a precise InvalidArgumentError instead of
// a 422 from the API server (or, worse, a path traversal in a URL).
import { InvalidArgumentError } from "../../core/errors.js";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** RFC 1123 label (namespaces, services: at most 63 characters). */
export function checkLabelName(field: string, value: string): string {
  if (value.length === 0 || value.length > 63 || !DNS_LABEL.test(value)) {
    throw new InvalidArgumentError(`${field} "${value}" is not an RFC 1123 label`, [
      { field, description: "lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters" },
    ]);
  }
  return value;
}

/** RFC 1123 subdomain (object names such as clusters and policies: at most 253 characters). */
export function checkSubdomainName(field: string, value: string): string {
  if (value.length === 0 || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new InvalidArgumentError(`${field} "${value}" is not an RFC 1123 subdomain`, [
      { field, description: "lower-case letters, digits, '-' and '.', at most 253 characters" },
    ]);
  }
  return value;
}

export function checkLabelValue(field: string, value: string): string {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw new InvalidArgumentError(`${field} "${value}" is not a valid label value`, [
      { field, description: "at most 63 characters: letters, digits, '-', '_' and '.', starting and ending alphanumeric" },
    ]);
  }
  return value;
}
