// The Unix socket path: a stale socket left by a killed server is replaced; a live one or a regular file is not.
import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startServer } from "../../src/api/server.js";
import { silentLogger } from "../../src/observability/logger.js";
import { createRegistry } from "../../src/observability/metrics.js";
import { healthStatus } from "./helpers.js";

const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "smo-sock-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function serveSocket(socketPath: string) {
  return startServer({ services: [], socketPath, logger: silentLogger(), registry: createRegistry({ processMetrics: false }) });
}

describe("--socket", () => {
  it("replaces a stale socket file left by a killed process", async () => {
    const path = join(await tempDir(), "smo.sock");
    // A process that binds the socket and dies by SIGKILL leaves the file behind, with nobody listening.
    const script = `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`;
    await run(process.execPath, ["-e", script]).catch(() => undefined);
    expect((await stat(path)).isSocket()).toBe(true);

    const server = await serveSocket(path);
    cleanups.push(() => server.close());
    expect(await healthStatus(`unix://${path}`, "")).toBe("SERVING");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("refuses a socket another server is listening on", async () => {
    const path = join(await tempDir(), "smo.sock");
    const other: Server = createServer();
    await new Promise<void>((resolve) => other.listen(path, resolve));
    cleanups.push(() => new Promise((resolve) => other.close(() => resolve())));
    await expect(serveSocket(path)).rejects.toThrow(/in use by a running server/);
  });

  it("never deletes a file that is not a socket", async () => {
    const path = join(await tempDir(), "precious.txt");
    await writeFile(path, "keep me");
    await expect(serveSocket(path)).rejects.toThrow(/not a socket/);
    expect(await readFile(path, "utf8")).toBe("keep me");
  });
});
