// Large Connect request bodies take turns. connect-node decodes a JSON body on the event loop as soon as its
// last byte arrives (JSON.parse, a duplicate-key scan of the whole text, a UTF-8 check: ~40 ms for 500 KB on
// the loaded test machine). Thirty such bodies arriving together were decoded back to back in one poll phase,
// so the loop stalled for their sum (286-682 ms). Here a large body is only read once the previous one has
// been read and a timer turn has passed, so the loop stalls for about one decode at a time. Small bodies (every
// call but big deploys) never wait.
import type { IncomingMessage, ServerResponse } from "node:http";

/** Bodies declared from this size up (or without a declared size) take turns. */
export const LARGE_BODY_BYTES = 64 * 1024;

export function isLargeBody(req: IncomingMessage): boolean {
  const declared = req.headers["content-length"];
  if (declared === undefined) return req.headers["transfer-encoding"] !== undefined;
  return Number(declared) >= LARGE_BODY_BYTES;
}

export class BodyTurns {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  /** Calls `start` (which reads req) once it is this request's turn; the turn ends when its body was read. */
  run(req: IncomingMessage, res: ServerResponse, start: () => void): void {
    const begin = (): void => {
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        // After a timer turn: the decode runs in the microtasks that follow the body's end event.
        setTimeout(() => this.next(), 0);
      };
      req.once("end", release);
      req.once("close", release);
      res.once("close", release);
      start();
    };
    if (this.busy) {
      // A client that gives up while waiting must not keep its place.
      const waiter = (): void => {
        req.off("close", drop);
        begin();
      };
      const drop = (): void => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
      };
      req.once("close", drop);
      this.waiting.push(waiter);
      return;
    }
    this.busy = true;
    begin();
  }

  /** Requests waiting for their turn (for tests). */
  get queued(): number {
    return this.waiting.length;
  }

  private next(): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter();
    else this.busy = false;
  }
}
