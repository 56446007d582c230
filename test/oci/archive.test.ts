// Safe extraction of artifact layers and how the descriptor is found inside (no registry needed).
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractSafely, findDescriptor, packDescriptor, UnsafeArchiveError } from "../../src/adapters/oci/index.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { tempDir } from "../helpers/processes.js";
import { gzipTar, tarBytes, type CraftEntry } from "./tar-craft.js";

const LIMITS = { maxBytes: 1 << 20, maxEntries: 100 };
const HDAG = "hdaGraph:\n  id: g\n  version: 1.0.0\n";

describe("safe extraction", () => {
  let dir: { path: string; remove(): Promise<void> };
  let dest: string;
  beforeEach(async () => {
    dir = await tempDir("smo-archive-");
    dest = join(dir.path, "out", "inner");
    await import("node:fs/promises").then((fs) => fs.mkdir(dest, { recursive: true }));
  });
  afterEach(() => dir.remove());

  async function extract(entries: CraftEntry[], gzip = true) {
    const file = join(dir.path, "layer");
    await writeFile(file, gzip ? gzipTar(entries) : tarBytes(entries));
    return extractSafely(file, dest, LIMITS, "test layer");
  }

  const malicious: [string, CraftEntry][] = [
    ["an absolute path", { path: "/tmp/smo-absolute-evil.yaml", body: "x: 1\n" }],
    ["a .. component", { path: "hdag/../../evil.yaml", body: "x: 1\n" }],
    ["a symlink leaving the directory", { path: "hdag/link", type: "2", linkpath: "../../../etc" }],
    ["an absolute symlink", { path: "hdag/passwd", type: "2", linkpath: "/etc/passwd" }],
    ["a hard link leaving the directory", { path: "hdag/hard", type: "1", linkpath: "../outside" }],
    ["a character device", { path: "hdag/null", type: "3" }],
  ];

  for (const [name, entry] of malicious) {
    it(`refuses an archive with ${name}`, async () => {
      const err = await extract([{ path: "hdag/hdag.yaml", body: HDAG }, entry]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsafeArchiveError);
      expect((err as InvalidArgumentError).violations[0]!.field).toBe("artifact");
      expect(existsSync(join(dirname(dest), "evil.yaml"))).toBe(false);
      expect(existsSync(join(dir.path, "evil.yaml"))).toBe(false);
      expect(existsSync("/tmp/smo-absolute-evil.yaml")).toBe(false);
    });
  }

  it("allows a symlink that stays inside and never follows it when looking for the descriptor", async () => {
    await extract([
      { path: "a/real.yaml", body: "kind: values\n" },
      { path: "a/link.yaml", type: "2", linkpath: "real.yaml" },
      { path: "b/hdag.yaml", body: HDAG },
    ]);
    expect(await findDescriptor(dest)).toEqual({ fileName: "b/hdag.yaml", text: HDAG });
  });

  it("refuses archives that expand beyond the limit or hold too many entries", async () => {
    const big = "x".repeat(LIMITS.maxBytes + 1);
    await expect(extract([{ path: "big.yaml", body: big }])).rejects.toThrow(/expands beyond/);
    const many = Array.from({ length: LIMITS.maxEntries + 1 }, (_, i) => ({ path: `f${i}.txt`, body: "" }));
    await expect(extract(many)).rejects.toThrow(/more than 100 entries/);
  });

  it("extracts an uncompressed tar too, and reports garbage as an invalid archive", async () => {
    await extract([{ path: "hdag/hdag.yaml", body: HDAG }], false);
    expect(await readdir(join(dest, "hdag"))).toEqual(["hdag.yaml"]);
    const file = join(dir.path, "garbage");
    await writeFile(file, Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]));
    const err = await extractSafely(file, join(dir.path, "out"), LIMITS, "garbage").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).not.toBeInstanceOf(UnsafeArchiveError);
  });

  it("picks the file whose top-level key is hdaGraph, not the first YAML file", async () => {
    await extract([
      { path: "chart/values.yaml", body: "replicas: 1\n" },
      { path: "chart/Chart.yaml", body: "name: x\n" },
      { path: "chart/broken.yaml", body: "a: [\n" },
      { path: "chart/list.yaml", body: "- hdaGraph\n" },
      { path: "chart/deep/graph.json", body: JSON.stringify({ hdaGraph: { id: "j" } }) },
    ]);
    expect(await findDescriptor(dest)).toMatchObject({ fileName: "chart/deep/graph.json" });
  });

  it("returns undefined when no file carries hdaGraph", async () => {
    await extract([{ path: "values.yaml", body: "replicas: 1\n" }]);
    expect(await findDescriptor(dest)).toBeUndefined();
  });

  it("packs the descriptor as hdag/hdag.yaml (hdag/hdag.json for JSON) and extracts it back", async () => {
    const yaml = await packDescriptor(HDAG, false);
    await writeFile(join(dir.path, "p.tgz"), yaml.tarball);
    await extractSafely(join(dir.path, "p.tgz"), dest, LIMITS, "packed");
    expect(await findDescriptor(dest)).toEqual({ fileName: "hdag/hdag.yaml", text: HDAG });
    expect((await packDescriptor('{"hdaGraph":{}}', true)).innerPath).toBe("hdag/hdag.json");
  });
});

describe("verified download", () => {
  it("a body that breaks off mid-stream (timeout, dropped connection) is UnavailableError, not a raw stream error", async () => {
    const { readVerified } = await import("../../src/adapters/oci/digest.js");
    const { UnavailableError } = await import("../../src/core/errors.js");
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(new Uint8Array([1, 2, 3]));
        } else controller.error(new TypeError("terminated"));
      },
    });
    const error = await readVerified(body, { size: 10, limit: 100, what: "blob x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/blob x: download broke off after 3 bytes/);
  });
});
