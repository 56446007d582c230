// Test backends for the store: every repository test runs on PostgreSQL and on PGlite.
// PostgreSQL: one fresh schema per test (search_path through the connection's `options`), dropped after.
// PGlite: one migrated instance per file (cold start 2–4 s), cloned for each test. PGlite.clone() dumps the
// data directory and starts a new instance from it; the template never changes, so it is dumped once and
// each test only loads the dump (what clone() does minus the repeated dump).
import { PGlite } from "@electric-sql/pglite";
import pino from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { openPgliteStore, openStore } from "../../src/adapters/store/index.js";
import type { Store } from "../../src/core/ports/store.js";
import { adminQuery, freshSchemaName, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl } from "../helpers/postgres.js";

export const logger = pino({ level: "silent" });
export { adminQuery, freshSchemaName, PG_URL, postgresUnavailable, REQUIRE_INTEGRATION, schemaUrl } from "../helpers/postgres.js";

export interface Backend {
  name: "postgres" | "pglite";
  /** Set when the backend cannot run here (the tests then skip, or fail under SMO_REQUIRE_INTEGRATION=1). */
  skipReason?: string;
  /** Once per file. */
  setup(): Promise<void>;
  /** A fresh, migrated, empty store for one test. */
  open(): Promise<Store>;
  /** After each test: closes what open() made. */
  cleanup(): Promise<void>;
  teardown(): Promise<void>;
}

function postgresBackend(skipReason: string | undefined): Backend {
  const schemas: string[] = [];
  const stores: Store[] = [];
  return {
    name: "postgres",
    skipReason,
    async setup() {},
    async open() {
      const schema = freshSchemaName();
      await adminQuery(`create schema ${schema}`);
      schemas.push(schema);
      const store = await openStore(schemaUrl(schema), { logger });
      stores.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      for (const schema of schemas.splice(0)) await adminQuery(`drop schema if exists ${schema} cascade`);
    },
    async teardown() {},
  };
}

function pgliteBackend(): Backend {
  let migrated: Blob | undefined;
  const stores: Store[] = [];
  return {
    name: "pglite",
    async setup() {
      const template = await PGlite.create();
      const store = await openPgliteStore(template, { logger });
      migrated = await template.dumpDataDir("none");
      await store.close();
    },
    async open() {
      if (!migrated) throw new Error("pglite backend not set up");
      const store = await openPgliteStore(await PGlite.create({ loadDataDir: migrated }), { logger });
      stores.push(store);
      return store;
    },
    async cleanup() {
      await Promise.all(stores.splice(0).map((s) => s.close()));
    },
    async teardown() {},
  };
}

/** Both backends; PostgreSQL is probed once per file. */
export async function storeBackends(): Promise<Backend[]> {
  const reason = await postgresUnavailable();
  if (reason && !REQUIRE_INTEGRATION) console.warn(`skipping PostgreSQL store tests: ${reason}`);
  return [postgresBackend(REQUIRE_INTEGRATION ? undefined : reason), pgliteBackend()];
}

export interface BackendContext {
  backend: Backend;
  /** The current test's fresh store. */
  store(): Store;
  /** Another fresh store for tests that need two. */
  open(): Promise<Store>;
}

/** describe.each over the backends, with a fresh store per test. */
export function describeBackends(title: string, backends: Backend[], body: (ctx: BackendContext) => void): void {
  describe.each(backends)(`${title} on $name`, (backend) => {
    let current: Store | undefined;
    beforeAll(async () => {
      if (!backend.skipReason) await backend.setup();
    });
    afterAll(async () => {
      if (!backend.skipReason) await backend.teardown();
    });
    beforeEach(async (test) => {
      if (backend.skipReason) test.skip(backend.skipReason);
      current = await backend.open();
    });
    afterEach(async () => {
      current = undefined;
      await backend.cleanup();
    });
    body({
      backend,
      store() {
        if (!current) throw new Error("no store: beforeEach did not run");
        return current;
      },
      open: () => backend.open(),
    });
  });
}
