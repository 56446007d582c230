// A new embedded database is a copy of the build's template (a data directory initialised once) instead of a
// WebAssembly initdb: the copy is a working database smo migrates and keeps data in; a copy cut short (no
// PG_VERSION yet) is redone; without a template, initdb runs as before.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/adapters/store/index.js";
import { ensureTemplate, initialiseDataDir, pgliteVersion, templateReady } from "../../src/adapters/store/pglite-template.js";
import { logger } from "./backends.js";
import { newGraph } from "./fixtures.js";

let root: string;
let template: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "smo-pglite-template-"));
  template = join(root, "template");
  expect(await ensureTemplate(template)).toBe(true);
}, 120_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("PGlite template", () => {
  it("is made once, complete, and names the installed PGlite", async () => {
    expect(pgliteVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(templateReady(template)).toBe(true);
    expect(await ensureTemplate(template)).toBe(false);
    // No build leftovers beside it.
    expect((await readdir(root)).filter((e) => e.startsWith("template."))).toEqual([]);
  });

  it("a new directory copied from it is a working store that keeps its data", async () => {
    const dir = join(root, "db-a");
    await mkdir(dir);
    expect(await initialiseDataDir(dir, logger, template)).toBe("template");
    const store = await openStore(`pglite:${dir}`, { logger });
    await store.graphs.create(newGraph("kept"));
    await store.close();
    const again = await openStore(`pglite:${dir}`, { logger });
    try {
      expect((await again.graphs.list()).map((g) => g.name)).toEqual(["kept"]);
    } finally {
      await again.close();
    }
    // The template itself is untouched by the copy's use.
    expect(existsSync(join(template, "postmaster.pid"))).toBe(false);
    expect(templateReady(template)).toBe(true);
  }, 60_000);

  it("a copy cut short (no PG_VERSION) is copied again over what is there", async () => {
    const dir = join(root, "db-b");
    await mkdir(join(dir, "base"), { recursive: true });
    await writeFile(join(dir, "base", "garbage"), "left by a crash");
    expect(await initialiseDataDir(dir, logger, template)).toBe("template");
    const store = await openStore(`pglite:${dir}`, { logger });
    try {
      expect(await store.graphs.list()).toEqual([]);
    } finally {
      await store.close();
    }
  }, 60_000);

  it("without a template, initdb runs in a child", async () => {
    const dir = join(root, "db-c");
    await mkdir(dir);
    expect(await initialiseDataDir(dir, logger, join(root, "no-template"))).toBe("initdb");
    expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
  }, 120_000);
});
