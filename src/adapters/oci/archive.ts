// Artifact tarballs: safe extraction (no absolute paths, no `..`, no links leaving the directory, no devices,
// bounded size and entry count), finding the HDAG descriptor inside, and packing one for push.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import * as tar from "tar";
import { parse as parseYaml } from "yaml";
import { InvalidArgumentError } from "../../core/errors.js";

/** The layer holds entries that would escape the extraction directory or are not plain files. */
export class UnsafeArchiveError extends InvalidArgumentError {}

export interface ExtractLimits {
  maxBytes: number;
  maxEntries: number;
}

const ALLOWED_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory", "SymbolicLink", "Link"]);

function escapes(path: string): boolean {
  const p = path.replace(/\\/g, "/");
  return p.startsWith("/") || /^[A-Za-z]:/.test(p) || p.split("/").includes("..");
}

/** Why an entry is refused, or undefined when it is safe. */
export function entryViolation(entry: { path: string; type: string; linkpath?: string }): string | undefined {
  if (escapes(entry.path)) return `${entry.path}: absolute path or ".." component`;
  if (!ALLOWED_TYPES.has(entry.type)) return `${entry.path}: entry type ${entry.type} not allowed`;
  if (entry.type === "SymbolicLink" || entry.type === "Link") {
    const target = (entry.linkpath ?? "").replace(/\\/g, "/");
    if (!target || target.startsWith("/") || /^[A-Za-z]:/.test(target)) return `${entry.path}: link to absolute path "${target}"`;
    // Symlink targets are relative to the link's directory, hard-link targets to the archive root.
    const resolved = entry.type === "SymbolicLink" ? posix.normalize(posix.join(posix.dirname(entry.path), target)) : posix.normalize(target);
    if (resolved === ".." || resolved.startsWith("../")) return `${entry.path}: link "${target}" points outside the archive`;
  }
  return undefined;
}

/** Extracts a tar or tar.gz file into `dest` (an empty directory), refusing the whole archive on any violation. */
export async function extractSafely(file: string, dest: string, limits: ExtractLimits, what: string): Promise<void> {
  const violations: string[] = [];
  let bytes = 0;
  let entries = 0;
  try {
    await tar.x({
      file,
      cwd: dest,
      preservePaths: false,
      strict: true,
      noChmod: true,
      preserveOwner: false,
      filter: (path, entry) => {
        const e = entry as tar.ReadEntry;
        entries += 1;
        bytes += e.size ?? 0;
        const why = entryViolation({ path, type: e.type, linkpath: e.linkpath });
        if (why) violations.push(why);
        else if (entries > limits.maxEntries) violations.push(`more than ${limits.maxEntries} entries`);
        else if (bytes > limits.maxBytes) violations.push(`expands beyond ${limits.maxBytes} bytes`);
        // After the first violation nothing more is written; the directory is discarded by the caller.
        return violations.length === 0;
      },
    });
  } catch (err) {
    if (violations.length === 0) {
      throw new InvalidArgumentError(`${what} is not a valid tar archive: ${(err as Error).message}`, [
        { field: "artifact", description: "layer is not a valid tar or tar.gz archive" },
      ]);
    }
  }
  if (violations.length > 0) {
    const list = [...new Set(violations)].slice(0, 5).join("; ");
    throw new UnsafeArchiveError(`${what} refused: ${list}`, [{ field: "artifact", description: list }]);
  }
}

export interface FoundDescriptor {
  /** Path inside the archive, with / separators. */
  fileName: string;
  text: string;
}

const DESCRIPTOR_EXT = /\.(ya?ml|json)$/i;
const MAX_DESCRIPTOR_BYTES = 4 * 1024 * 1024;

/** True when the text parses (YAML or JSON) to a mapping with a top-level `hdaGraph` key. */
export function isHdagDocument(text: string): boolean {
  try {
    const doc = parseYaml(text) as unknown;
    return !!doc && typeof doc === "object" && !Array.isArray(doc) && "hdaGraph" in doc;
  } catch {
    return false;
  }
}

async function listFiles(root: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${d.name}` : d.name;
    // Dirent types come from lstat: symbolic links are neither files nor directories here, so never followed.
    if (d.isDirectory()) out.push(...(await listFiles(root, path)));
    else if (d.isFile()) out.push(path);
  }
  return out;
}

/**
 * The YAML or JSON file whose top-level key is `hdaGraph`: shallowest first, then by path, so the choice is
 * deterministic (NEPHELE's SMO took the first `.yaml` in walk order, which breaks on charts with values.yaml).
 */
export async function findDescriptor(root: string): Promise<FoundDescriptor | undefined> {
  const candidates = (await listFiles(root))
    .filter((p) => DESCRIPTOR_EXT.test(p))
    .sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : a > b ? 1 : 0));
  for (const fileName of candidates) {
    if ((await stat(join(root, fileName))).size > MAX_DESCRIPTOR_BYTES) continue;
    const text = await readFile(join(root, fileName), "utf8");
    if (isHdagDocument(text)) return { fileName, text };
  }
  return undefined;
}

/** Fixed mtime so that packing the same descriptor twice gives the same bytes (and the same digest). */
const PACK_MTIME = new Date("2000-01-01T00:00:00Z");

/**
 * Packs a descriptor as hdarctl's HDAG artifact: a gzip tarball holding `hdag/hdag.yaml` (or `hdag/hdag.json`
 * for a JSON descriptor), the "single artifact inside a parent folder" layout of the HDAR docs.
 */
export async function packDescriptor(text: string, json: boolean, parent = tmpdir()): Promise<{ tarball: Buffer; innerPath: string }> {
  const dir = await mkdtemp(join(parent, "smo-pack-"));
  try {
    const innerPath = json ? "hdag/hdag.json" : "hdag/hdag.yaml";
    await mkdir(join(dir, "hdag"), { mode: 0o755 });
    await chmod(join(dir, "hdag"), 0o755);
    await writeFile(join(dir, innerPath), text, { mode: 0o644 });
    await chmod(join(dir, innerPath), 0o644);
    const chunks: Buffer[] = [];
    const stream = tar.c({ gzip: true, portable: true, cwd: dir, mtime: PACK_MTIME }, ["hdag"]);
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    return { tarball: Buffer.concat(chunks), innerPath };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
