// Rendezvous (highest random weight) hashing of projects over the live members: every member computes the same
// owner from the same member list, and adding or removing a member moves only the projects it wins or held.
import { createHash } from "node:crypto";

function weight(member: string, project: string): bigint {
  return createHash("sha256").update(member).update("\0").update(project).digest().readBigUInt64BE(0);
}

/** The member that should own `project`; undefined when there is no member. */
export function ownerOf(project: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1n;
  for (const m of members) {
    const w = weight(m, project);
    // Ties (astronomically unlikely) go to the smaller id, so the choice stays deterministic.
    if (w > bestWeight || (w === bestWeight && best !== undefined && m < best)) {
      best = m;
      bestWeight = w;
    }
  }
  return best;
}

export interface LeasePlan {
  /** Projects this member should own and does not hold yet. */
  acquire: string[];
  /** Projects this member holds but another live member should own (hand them over). */
  release: string[];
}

/**
 * What `self` should do given the live members (itself included), the known projects and what it holds.
 * A project no live member wins (self absent from the list, e.g. its heartbeat failed) is neither taken nor
 * dropped here: the lease simply lapses if renewals stop.
 */
export function planLeases(self: string, members: readonly string[], projects: readonly string[], held: ReadonlySet<string>): LeasePlan {
  const live = members.includes(self) ? members : [...members, self];
  const acquire: string[] = [];
  const release: string[] = [];
  const known = new Set(projects);
  for (const project of known) {
    const owner = ownerOf(project, live);
    if (owner === self && !held.has(project)) acquire.push(project);
    else if (owner !== self && held.has(project)) release.push(project);
  }
  // A held project no graph names any more (its last graph was removed): nothing to act on, hand it back.
  for (const project of held) if (!known.has(project)) release.push(project);
  return { acquire: acquire.sort(), release: release.sort() };
}
