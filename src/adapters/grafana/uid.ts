// Stable Grafana dashboard uids: readable when the names fit, otherwise a truncated prefix plus a hash of the
// full names, so the same graph/service always maps to the same uid (re-publishing overwrites, never duplicates).
import { createHash } from "node:crypto";

/** Grafana's limit on dashboard uids. */
export const MAX_UID_LENGTH = 40;
const HASH_LENGTH = 8;

/**
 * uid from a kind prefix and name parts, e.g. dashboardUid("s", ["image-detection-graph", "noise-reduction"]).
 * Grafana accepts [a-zA-Z0-9_-]; other characters become "-", and then a hash suffix keeps distinct names distinct.
 */
export function dashboardUid(kind: string, parts: readonly string[]): string {
  const raw = ["smo", kind, ...parts].join("-");
  const slug = raw.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
  if (slug.length <= MAX_UID_LENGTH && slug === raw) return slug;
  const hash = createHash("sha256").update(JSON.stringify([kind, ...parts])).digest("hex").slice(0, HASH_LENGTH);
  const prefix = slug.slice(0, MAX_UID_LENGTH - HASH_LENGTH - 1).replace(/-+$/, "");
  return `${prefix}-${hash}`;
}
