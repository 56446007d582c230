// A freshly initialised PGlite data directory, made once by `npm run build` (beside the compiled code, named by
// the PGlite version), so that a new embedded database is a file copy instead of a WebAssembly initdb: start to
// serving on a new directory drops by the ~3 s initdb takes (docs/elasticity.md#footprint-of-the-embedded-store). Without the
// template (a source checkout run by vitest, a build that could not make one) a new directory is initialised in
// a child process as before.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cp, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";

/** Written last into a template: its presence says the template is complete. */
const COMPLETE = "smo-template.json";

/** The installed PGlite's version (its package.json, found from the module's resolved path). */
export function pgliteVersion(): string | undefined {
  try {
    let dir = dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite")));
    for (let i = 0; i < 5; i++, dir = dirname(dir)) {
      const manifest = join(dir, "package.json");
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite") return pkg.version;
    }
  } catch {
    // No version, no template.
  }
  return undefined;
}

/** Where the build puts the template: dist/pglite-template-<version> for the compiled module. */
export function defaultTemplateDir(): string | undefined {
  const version = pgliteVersion();
  return version === undefined ? undefined : fileURLToPath(new URL(`../../../pglite-template-${version}`, import.meta.url));
}

export function templateReady(dir: string | undefined): dir is string {
  return dir !== undefined && existsSync(join(dir, COMPLETE)) && existsSync(join(dir, "PG_VERSION"));
}

/** Runs PGlite's initdb for `path` in a short-lived child (its WebAssembly memory is freed when it exits). */
export function initdbInChild(path: string): Promise<void> {
  const module = import.meta.resolve("@electric-sql/pglite");
  const script = `const { PGlite } = await import(${JSON.stringify(module)}); const p = await PGlite.create(process.argv[1]); await p.close();`;
  return new Promise<void>((resolve, reject) => {
    execFile(process.execPath, ["--input-type=module", "-e", script, path], { timeout: 300_000 }, (err) => (err ? reject(err) : resolve()));
  });
}

/** Makes the template at `dir` unless a complete one is there: initdb into a sibling, then one rename. */
export async function ensureTemplate(dir: string): Promise<boolean> {
  if (templateReady(dir)) return false;
  const building = `${dir}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  try {
    await initdbInChild(building);
    await writeFile(join(building, COMPLETE), `${JSON.stringify({ pglite: pgliteVersion(), createdAt: new Date().toISOString() })}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(building, dir);
    return true;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

/**
 * Fills the new data directory `path` (it exists, may hold smo's lock file or a copy cut short) from the
 * template; PG_VERSION goes last, so a copy cut short is still seen as new next time.
 */
export async function copyTemplate(template: string, path: string): Promise<void> {
  for (const entry of await readdir(template)) {
    if (entry === "PG_VERSION" || entry === COMPLETE) continue;
    await cp(join(template, entry), join(path, entry), { recursive: true, force: true });
  }
  await cp(join(template, "PG_VERSION"), join(path, "PG_VERSION"), { force: true });
}

/** Initialises the new data directory `path`: from the template when there is one, else with initdb in a child. */
export async function initialiseDataDir(path: string, logger: Logger, template = defaultTemplateDir()): Promise<"template" | "initdb" | "none"> {
  const started = Date.now();
  if (templateReady(template)) {
    try {
      await copyTemplate(template, path);
      logger.info({ ms: Date.now() - started, template }, "initialised the embedded database from the build's template");
      return "template";
    } catch (err) {
      logger.warn({ err, template }, "could not copy the embedded database template; running initdb");
    }
  }
  try {
    await initdbInChild(path);
    logger.info({ ms: Date.now() - started }, "initialised the embedded database in a child process");
    return "initdb";
  } catch (err) {
    // The in-process open that follows initialises it instead (and reports a real problem with the directory).
    logger.warn({ err }, "could not initialise the embedded database in a child process; doing it in-process");
    return "none";
  }
}

// `node dist/src/adapters/store/pglite-template.js` (the build's last step): make the template if missing.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = defaultTemplateDir();
  if (!dir) {
    process.stderr.write("pglite-template: PGlite's version not found; new embedded databases will run initdb\n");
  } else {
    ensureTemplate(dir).then(
      (made) => {
        if (made) process.stderr.write(`pglite-template: made ${dir}\n`);
      },
      (err: Error) => {
        // Not fatal: smo falls back to initdb. Said, so a broken template step is seen.
        process.stderr.write(`pglite-template: could not make ${dir}: ${err.message}\n`);
      },
    );
  }
}
