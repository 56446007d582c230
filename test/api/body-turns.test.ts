// Large Connect bodies are read one at a time with a timer turn between them, so thirty 500 KB deploys arriving
// together are decoded one per loop turn instead of back to back; a client that leaves while waiting is dropped.
import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { BodyTurns, isLargeBody } from "../../src/api/body-turns.js";

function request(headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(new EventEmitter(), { headers }) as unknown as IncomingMessage;
}
const response = () => new EventEmitter() as unknown as ServerResponse;
const timerTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("BodyTurns", () => {
  it("starts the next large body only after the previous one ended and a timer turn passed", async () => {
    const turns = new BodyTurns();
    const started: string[] = [];
    const [a, b, c] = [request(), request(), request()];
    turns.run(a, response(), () => started.push("a"));
    turns.run(b, response(), () => started.push("b"));
    turns.run(c, response(), () => started.push("c"));
    expect(started).toEqual(["a"]);
    expect(turns.queued).toBe(2);
    a.emit("end");
    expect(started).toEqual(["a"]); // the decode after `end` runs first
    await timerTurn();
    expect(started).toEqual(["a", "b"]);
    b.emit("close"); // a response or connection closing also ends a turn
    await timerTurn();
    expect(started).toEqual(["a", "b", "c"]);
  });

  it("drops a waiting client that disconnects", async () => {
    const turns = new BodyTurns();
    const started: string[] = [];
    const [a, b, c] = [request(), request(), request()];
    turns.run(a, response(), () => started.push("a"));
    turns.run(b, response(), () => started.push("b"));
    turns.run(c, response(), () => started.push("c"));
    b.emit("close");
    expect(turns.queued).toBe(1);
    a.emit("end");
    await timerTurn();
    expect(started).toEqual(["a", "c"]);
  });

  it("counts as large 64 KiB declared or a body of unknown size", () => {
    expect(isLargeBody(request({ "content-length": String(64 * 1024) }))).toBe(true);
    expect(isLargeBody(request({ "content-length": "65535" }))).toBe(false);
    expect(isLargeBody(request({ "transfer-encoding": "chunked" }))).toBe(true);
    expect(isLargeBody(request())).toBe(false);
  });
});
