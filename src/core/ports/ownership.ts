// Who acts for a project (docs/ha.md). Several processes on one database answer every RPC, but only the holder
// of a project's lease applies its outbox, decides its replicas and repairs its drift. The lifecycle and the
// elasticity loop ask this port; a single process (PGlite, tests) uses soleOwnership.
import { UnavailableError } from "../errors.js";
import type { LeaseRepository } from "./store.js";

/** This process acted, or was about to act, on a project whose lease it no longer holds. */
export class NotOwnerError extends UnavailableError {
  constructor(readonly project: string, reason: string) {
    super(`not the owner of project ${project}: ${reason}`);
  }
}

export interface ProjectOwnership {
  /**
   * True while this process believes it holds the project's lease: renewed within the lease duration by its
   * own monotonic clock. A cheap in-memory test for the hot paths; fence() is the proof.
   */
  owns(project: string): boolean;
  /**
   * Proves on the database that the lease is still held with this process's token; throws NotOwnerError
   * otherwise. Given a transaction's repositories, it locks the lease row until that transaction ends, so the
   * writes made in it cannot outlive the lease.
   */
  fence(project: string, leases?: LeaseRepository): Promise<void>;
}

/** One process on its database: it owns everything (PGlite, the in-memory store, tests). */
export const soleOwnership: ProjectOwnership = {
  owns: () => true,
  fence: async () => undefined,
};
