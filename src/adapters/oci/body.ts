// Bounded reads of registry bodies that have no size of their own to check against (errors, tokens, tag lists).
/** Largest error, token or tag-list body read from a registry; the rest is cancelled unread. */
export const MAX_SMALL_BODY_BYTES = 64 * 1024;
/** Longest registry-supplied text put in an error message. */
export const MAX_DETAIL_CHARS = 300;

/**
 * Reads at most `max` bytes of a response body and cancels the rest: a registry's error body was read whole
 * (300 MB → 1.78 GB RSS) and a 20 MB message went back to the client.
 */
export async function readCapped(res: Response, max = MAX_SMALL_BODY_BYTES): Promise<{ text: string; truncated: boolean }> {
  if (!res.body) return { text: "", truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = max - size;
      chunks.push(value.length > room ? value.subarray(0, room) : value);
      size += Math.min(value.length, room);
      if (value.length >= room) {
        truncated = true;
        break;
      }
    }
  } catch {
    // a body cut short reads as what arrived
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}

/** JSON of a small registry body (token, tag list), {} when it is not JSON or larger than the cap. */
export async function readSmallJson(res: Response, max = MAX_SMALL_BODY_BYTES): Promise<unknown> {
  const { text, truncated } = await readCapped(res, max);
  if (truncated) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}
