// The embedded database sized for a sidecar (docs/elasticity.md, "Footprint"). PGlite runs Postgres inside the
// process's WebAssembly heap, which only grows: Postgres's default 128 MB of shared buffers end up resident,
// and so does everything initdb touched when a new data directory is created in-process. smo's tables are
// small, so a few MB of buffers serve them, and a new directory is a copy of the build's template or is
// initialised by a short-lived child process whose memory goes back to the system when it exits.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "pino";
import { defaultTemplateDir, initialiseDataDir } from "./pglite-template.js";

const SMALL_SETTINGS = {
  shared_buffers: "8MB",
  wal_buffers: "1MB",
  temp_buffers: "1MB",
  work_mem: "2MB",
  maintenance_work_mem: "8MB",
};

/** PGlite's own start parameters plus the small settings (command-line -c, so postgresql.conf is untouched). */
export function pgliteStartParams(): string[] {
  return [...PGlite.defaultStartParams, ...Object.entries(SMALL_SETTINGS).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
}

/**
 * Opens PGlite at `path` (or in memory) with the small settings; a new directory is initialised from the
 * build's template or in a child (pglite-template.ts).
 */
export async function createPglite(path: string | undefined, logger: Logger, template?: string): Promise<PGlite> {
  if (path !== undefined && !existsSync(join(path, "PG_VERSION"))) await initialiseDataDir(path, logger, template ?? defaultTemplateDir());
  return PGlite.create(path, { startParams: pgliteStartParams() });
}
