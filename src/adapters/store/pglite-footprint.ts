// The embedded database sized for a sidecar (docs/elasticity.md, "Footprint"). PGlite runs Postgres inside the
// process's WebAssembly heap, which only grows: Postgres's default 128 MB of shared buffers end up resident,
// and so does everything initdb touched when a new data directory is created in-process. smo's tables are
// small, so a few MB of buffers serve them, and a new directory is initialised by a short-lived child process
// whose memory goes back to the system when it exits.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "pino";

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

/** Opens PGlite at `path` (or in memory) with the small settings; a new directory is initialised in a child. */
export async function createPglite(path: string | undefined, logger: Logger): Promise<PGlite> {
  if (path !== undefined && !existsSync(join(path, "PG_VERSION"))) await initdbInChild(path, logger);
  return PGlite.create(path, { startParams: pgliteStartParams() });
}

async function initdbInChild(path: string, logger: Logger): Promise<void> {
  const module = import.meta.resolve("@electric-sql/pglite");
  const script = `const { PGlite } = await import(${JSON.stringify(module)}); const p = await PGlite.create(process.argv[1]); await p.close();`;
  const started = Date.now();
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, ["--input-type=module", "-e", script, path], { timeout: 300_000 }, (err) => (err ? reject(err) : resolve()));
    });
    logger.info({ ms: Date.now() - started }, "initialised the embedded database in a child process");
  } catch (err) {
    // The in-process open that follows initialises it instead (and reports a real problem with the directory).
    logger.warn({ err }, "could not initialise the embedded database in a child process; doing it in-process");
  }
}
