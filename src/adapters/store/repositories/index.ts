import type { Kysely } from "kysely";
import type { Repositories } from "../../../core/ports/store.js";
import type { Database } from "../schema.js";
import { clusterRepository } from "./clusters.js";
import { decisionRepository } from "./decisions.js";
import { eventRepository } from "./events.js";
import { graphRepository } from "./graphs.js";
import { leaseRepository } from "./leases.js";
import { outboxRepository } from "./outbox.js";
import { placementRepository } from "./placements.js";
import { serviceRepository } from "./services.js";

/** Every repository bound to one executor: the root Kysely or a transaction. */
export function createRepositories(db: Kysely<Database>): Repositories {
  return {
    graphs: graphRepository(db),
    services: serviceRepository(db),
    clusters: clusterRepository(db),
    placements: placementRepository(db),
    decisions: decisionRepository(db),
    events: eventRepository(db),
    outbox: outboxRepository(db),
    leases: leaseRepository(db),
  };
}
