// Identity of a descriptor for idempotent deploys: the same content hashes the same whatever its key
// order, YAML or JSON spelling, comments or whitespace.
import { createHash } from "node:crypto";

/** JSON with object keys sorted (UTF-16 code unit order, as RFC 8785) and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    // Non-JSON scalars (undefined, functions) are rendered as null, like JSON.stringify does inside lists.
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

/** sha256 hex of canonicalJson(document). */
export function canonicalDescriptorHash(document: unknown): string {
  return createHash("sha256").update(canonicalJson(document), "utf8").digest("hex");
}
