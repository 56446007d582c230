// Content addressing: digests are checked while bytes stream in, with a hard size limit, so a corrupt or
// oversized blob is refused before it is used (and before it fills memory or disk).
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { FailedPreconditionError, UnavailableError } from "../../core/errors.js";

/** The blob or manifest bytes do not hash to the digest they were fetched by. */
export class DigestMismatchError extends FailedPreconditionError {}

/** A blob or manifest is larger than allowed or than its descriptor says. */
export class ContentTooLargeError extends FailedPreconditionError {}

export function digestOf(bytes: Uint8Array, algorithm = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

function algorithmOf(digest: string): string {
  const algorithm = digest.slice(0, digest.indexOf(":"));
  if (algorithm !== "sha256" && algorithm !== "sha512") throw new FailedPreconditionError(`unsupported digest ${digest}`);
  return algorithm;
}

export interface Expected {
  /** Digest the content must hash to; omitted only for manifests fetched by tag. */
  digest?: string;
  /** Exact size from the descriptor, when known. */
  size?: number;
  /** Upper bound whatever the descriptor says. */
  limit: number;
  what: string;
}

/**
 * Reads a response body chunk by chunk, hashing and counting as it goes; writes to `file` when given, else
 * returns the bytes. Returns the sha256 (or the expected algorithm's) digest it computed.
 */
export async function readVerified(
  body: ReadableStream<Uint8Array> | null,
  expected: Expected,
  file?: string,
): Promise<{ digest: string; size: number; bytes?: Buffer }> {
  const algorithm = expected.digest ? algorithmOf(expected.digest) : "sha256";
  const max = Math.min(expected.limit, expected.size ?? Number.POSITIVE_INFINITY);
  if (expected.size !== undefined && expected.size > expected.limit) {
    throw new ContentTooLargeError(`${expected.what} is ${expected.size} bytes, over the ${expected.limit}-byte limit`);
  }
  const hash = createHash(algorithm);
  const chunks: Buffer[] = [];
  const handle = file ? await open(file, "wx", 0o600) : undefined;
  let size = 0;
  try {
    if (body) {
      const reader = body.getReader();
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          // The fetch timeout or a dropped connection mid-body: retryable, not a raw stream error.
          throw new UnavailableError(`${expected.what}: download broke off after ${size} bytes: ${(err as Error).message}`, { cause: err });
        }
        const { done, value } = chunk;
        if (done) break;
        size += value.byteLength;
        if (size > max) {
          await reader.cancel();
          throw new ContentTooLargeError(`${expected.what} exceeds ${max} bytes`);
        }
        hash.update(value);
        if (handle) await handle.write(value);
        else chunks.push(Buffer.from(value));
      }
    }
  } finally {
    await handle?.close();
  }
  const digest = `${algorithm}:${hash.digest("hex")}`;
  if (expected.size !== undefined && size !== expected.size) {
    throw new DigestMismatchError(`${expected.what}: got ${size} bytes, descriptor says ${expected.size}`);
  }
  if (expected.digest && digest !== expected.digest) {
    throw new DigestMismatchError(`${expected.what}: content hashes to ${digest}, expected ${expected.digest}`);
  }
  return { digest, size, ...(handle ? {} : { bytes: Buffer.concat(chunks) }) };
}
