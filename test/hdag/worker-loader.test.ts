// Large descriptors are loaded on a worker thread with the same outcome as on the calling thread (model,
// document, hash, and every finding with its field path, line and column), while the event loop keeps turning.
import { afterAll, describe, expect, it } from "vitest";
import { createWorkerDescriptorLoader } from "../../src/adapters/hdag/index.js";
import { inProcessLoader, loadAndHash } from "../../src/core/hdag/index.js";
import { fixtureText } from "../fixtures/index.js";

const loader = createWorkerDescriptorLoader({ threads: 1 });
afterAll(() => loader.close());

/** The greeter with ~`keys` helm values: 600 KB at 14,000 keys, as the deploys of the hostile suite. */
function bigGreeter(keys: number): string {
  const values = Array.from({ length: keys }, (_, k) => `          key${k}: "value-${k}-abcdefghij"`).join("\n");
  return fixtureText("greeter.yaml").replace("valuesOverwrite: {}", `valuesOverwrite:\n${values}`);
}

/** Whether a setImmediate callback queued just after load() began ran before the load settled. */
async function loopTurnedDuring(load: () => Promise<unknown>): Promise<boolean> {
  let turned = false;
  const pending = load();
  setImmediate(() => (turned = true));
  await pending;
  return turned;
}

describe("the worker descriptor loader", () => {
  it("gives a large valid descriptor the same model, document and hash as the calling thread", async () => {
    const text = bigGreeter(5_000);
    expect(text.length).toBeGreaterThan(64 * 1024);
    const r = await loader.load(text, { maxReplicas: 50 });
    expect(r).toEqual(loadAndHash(text, { maxReplicas: 50 }));
    expect(r.ok && r.model.services[0]!.artifact.valuesOverwrite).toMatchObject({ key4999: "value-4999-abcdefghij" });
  });

  it("gives a large invalid descriptor the same findings, with field paths, lines and columns", async () => {
    const text = bigGreeter(5_000).replace('cpu: "small"', 'cpu: "huge"').replace("key17:", "key16:");
    const r = await loader.load(text, {});
    expect(r.ok).toBe(false);
    expect(r).toEqual(loadAndHash(text, {}));
    const schema = bigGreeter(5_000).replace('cpu: "small"', 'cpu: "huge"');
    const s = await loader.load(schema, {});
    expect(s).toEqual(loadAndHash(schema, {}));
    expect(!s.ok && s.errors.map((e) => e.path)).toContain("hdaGraph.services[0].deployment.intent.compute.cpu");
  });

  it("lets the event loop turn while a large descriptor loads (on the calling thread it cannot)", async () => {
    const text = bigGreeter(14_000);
    expect(await loopTurnedDuring(() => loader.load(text, {}))).toBe(true);
    expect(await loopTurnedDuring(() => inProcessLoader.load(text, {}))).toBe(false);
  });

  it("keeps small descriptors on the calling thread", async () => {
    const text = fixtureText("greeter.yaml");
    expect(await loopTurnedDuring(() => loader.load(text, {}))).toBe(false);
  });
});
