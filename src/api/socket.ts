// Unix socket housekeeping: a socket file left by a crashed server is replaced, a live one or any other
// kind of file is never touched.
import { lstat, unlink } from "node:fs/promises";
import { createConnection } from "node:net";

function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection({ path });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** Removes a stale socket at `path`; throws when a server still answers there or the path is not a socket. */
export async function clearStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (!stat) return;
  if (!stat.isSocket()) throw new Error(`--socket ${path} exists and is not a socket; refusing to replace it`);
  if (await isAlive(path)) throw new Error(`--socket ${path} is in use by a running server`);
  await unlink(path);
}
