// Hand-made ustar archives for tests, so that malicious entries (absolute paths, "..", escaping links, devices)
// reach the extractor exactly as written; archiving tools would normalise them away.
import { gzipSync } from "node:zlib";

export interface CraftEntry {
  path: string;
  body?: string;
  /** "0" file (default), "1" hard link, "2" symlink, "3" char device, "5" directory. */
  type?: "0" | "1" | "2" | "3" | "5";
  linkpath?: string;
}

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value.slice(0, length), offset, "latin1");
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

function header(e: CraftEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  field(h, 0, 100, e.path);
  field(h, 100, 8, octal(e.type === "5" ? 0o755 : 0o644, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(size, 12));
  field(h, 136, 12, octal(946684800, 12));
  field(h, 148, 8, "        ");
  field(h, 156, 1, e.type ?? "0");
  field(h, 157, 100, e.linkpath ?? "");
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

export function tarBytes(entries: CraftEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.type === undefined || e.type === "0" ? (e.body ?? "") : "", "utf8");
    parts.push(header(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function gzipTar(entries: CraftEntry[]): Buffer {
  return gzipSync(tarBytes(entries));
}
