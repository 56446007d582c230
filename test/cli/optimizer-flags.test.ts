// The OptimizerService caps given to `smo serve` reach the service: a problem within the defaults but beyond
// --optimizer-max-clusters is INVALID_ARGUMENT naming the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServe, type ServeProcess } from "../api/helpers.js";

let serve: ServeProcess;
beforeAll(async () => {
  serve = await spawnServe(["--optimizer-max-clusters", "2"]);
}, 60_000);
afterAll(() => serve?.stop());

describe("smo serve --optimizer-max-clusters", () => {
  it("refuses a placement over three clusters", async () => {
    const body = { clusters: [1, 2, 3].map((i) => ({ name: `c${i}`, cpu: 4 })), services: [{ name: "x", cpu: 1 }] };
    const r = await fetch(`http://${serve.httpAddress}/smo.v1.OptimizerService/DecidePlacement`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = (await r.json()) as { code: string; message: string };
    expect(answer.code).toBe("invalid_argument");
    expect(answer.message).toMatch(/clusters/);
  });
});
