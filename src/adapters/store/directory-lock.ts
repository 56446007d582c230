// PGlite happily opens a data directory that another instance (this process or another) already has
// open, and two writers corrupt it. smo therefore keeps `smo.lock` (pid and process start time) in the
// directory while a store is open, and refuses a directory locked by a live process. A lock left by a
// dead process, or by an earlier process that had our pid (a restarted container is pid 1 again), is
// taken over.
import { open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { FailedPreconditionError } from "../../core/errors.js";

const LOCK_FILE = "smo.lock";

/** Takes the lock; resolves with its release function. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  const self = { pid: process.pid, started: processStart() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx", 0o600);
      await handle.writeFile(`${self.pid} ${self.started}\n`);
      await handle.close();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const [pid, started] = (await readFile(path, "utf8").catch(() => "")).trim().split(/\s+/).map(Number);
    const held =
      pid !== undefined && Number.isInteger(pid) && pid > 0 &&
      (pid === self.pid ? Math.abs((started ?? 0) - self.started) <= 1 : isAlive(pid));
    if (held) {
      throw new FailedPreconditionError(
        `database directory ${dir} is in use by process ${pid}${pid === self.pid ? " (this process)" : ""}: ` +
          `two PGlite instances on one directory would corrupt it (remove ${path} if no smo uses it)`,
      );
    }
    await unlink(path).catch(() => undefined); // stale
  }
  throw new FailedPreconditionError(`could not take the lock ${path}`);
}

/** Start of this process in whole seconds since the epoch. */
function processStart(): number {
  return Math.round((Date.now() - process.uptime() * 1000) / 1000);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
