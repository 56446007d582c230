// GetGraph/ListGraphs answers written from a stored version's cached bytes plus the live replica fields
// (src/api/graph-answers.ts, src/api/wire-cache.ts) must decode to exactly the message protobuf-es builds, for
// any counts, liveness and observation time; their lazily built message must be that message too; and an
// answer must never carry a previous version's content.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { GetGraphResponseSchema, ListGraphsResponseSchema } from "../../src/gen/smo/v1/graph_pb.js";
import { graphViewToProto } from "../../src/api/convert.js";
import { getGraphAnswer, listGraphsAnswer } from "../../src/api/graph-answers.js";
import { encodeMessage } from "../../src/api/wire-cache.js";
import { graphView, type ReplicaCounts } from "../../src/core/graphs/views.js";
import type { GraphRecord, PlacementRecord, ServiceRecord } from "../../src/core/ports/store.js";

// Not ASCII: the answer writes the descriptor's UTF-8 bytes itself.
const DESCRIPTOR = { hdaGraph: { id: "g", description: "Café ✓ 日本 🚀", services: [{ id: "a" }] } };
const DESCRIPTOR_TEXT = JSON.stringify(DESCRIPTOR);

function record(name: string, message: string | null = null): GraphRecord {
  return {
    name,
    project: "p",
    status: "running",
    version: "1.0.0",
    descriptor: DESCRIPTOR,
    descriptorHash: `hash-${name}`,
    strategy: "optimal",
    dashboardUrl: null,
    message,
    warnings: ["w"],
    createdAt: new Date("2026-12-01T10:00:00.123Z"),
    updatedAt: new Date("2026-12-02T10:00:00Z"),
  };
}

function service(graph: string, name: string, desired: number): ServiceRecord {
  return {
    graph,
    name,
    status: "deployed",
    cluster: "c1",
    desiredReplicas: desired,
    cpu: 0.5,
    memoryBytes: 2 ** 31,
    storageBytes: 0,
    gpu: 0,
    artifact: "oci://r/x",
    eventTriggered: false,
    minReplicas: 1,
    maxReplicas: 10,
    dashboardUrl: null,
    spec: { connectionPoints: ["b"] },
  };
}

const latest: PlacementRecord = {
  id: 3,
  graph: "g",
  strategy: "optimal",
  status: "optimal",
  placement: { a: "c1" },
  objective: 1.5,
  reason: "",
  solveMs: 2,
  details: { backend: "highs", moved: ["a"], cost: { moves: 1, energy: 0, traffic: 0 } },
  createdAt: new Date("2026-12-02T10:00:00Z"),
};

interface Live {
  synced: boolean;
  live: boolean;
  counts: { desired: number; ready: number; available: number }[];
  observedAt: Date;
}

function countsOf(live: Live, names: string[]): ReplicaCounts {
  return {
    replicaCache: () => ({ synced: live.synced, live: live.live, observedAt: live.observedAt }),
    cachedReplicas: (_ns, name) => {
      const counts = live.counts[names.indexOf(name)];
      return counts && { ...counts, updated: counts.ready };
    },
  };
}

/** The same message built without any cache, the way it was before. */
function plain(view: ReturnType<typeof graphView>, descriptor: boolean) {
  return graphViewToProto({ ...view, storedVersion: undefined }, { descriptor });
}

const count = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const liveArb = (n: number) =>
  fc.record({
    synced: fc.boolean(),
    live: fc.boolean(),
    counts: fc.array(fc.record({ desired: count, ready: count, available: count }), { minLength: n, maxLength: n }),
    observedAt: fc.date({ min: new Date("1900-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }),
  });

describe("spliced graph answers", () => {
  it("decode to exactly the message protobuf-es builds, whatever the live fields", () => {
    const names = ["a", "b", "c"];
    for (const n of [0, 1, 3]) {
      const graph = record(`g${n}`);
      const services = names.slice(0, n).map((s, i) => service(graph.name, s, i + 1));
      const version = {}; // one stored version, answered many times
      fc.assert(
        fc.property(liveArb(n), fc.boolean(), (live, descriptor) => {
          const view = graphView(graph, services, latest, 2, countsOf(live, names), DESCRIPTOR_TEXT, live.observedAt, version);
          if (descriptor) {
            const reference = plain(view, true);
            const get = getGraphAnswer(view);
            const bytes = encodeMessage(GetGraphResponseSchema, get);
            expect(fromBinary(GetGraphResponseSchema, bytes).graph).toEqual(reference);
            expect(bytes.length).toBe(toBinary(GetGraphResponseSchema, create(GetGraphResponseSchema, { graph: reference })).length);
            // The message other transports read is the same content.
            expect(get.graph).toEqual(reference);
          } else {
            const list = listGraphsAnswer([view, view]);
            const decoded = fromBinary(ListGraphsResponseSchema, encodeMessage(ListGraphsResponseSchema, list));
            expect(decoded.graphs).toEqual([plain(view, false), plain(view, false)]);
            expect(list.graphs).toEqual(decoded.graphs);
          }
        }),
        { numRuns: 60 },
      );
    }
  });

  it("splices every graph of a list, in order", () => {
    const live: Live = { synced: true, live: true, counts: [{ desired: 3, ready: 2, available: 1 }], observedAt: new Date() };
    const views = ["x", "y", "z"].map((name) =>
      graphView(record(name), [service(name, "a", 1)], undefined, 0, countsOf(live, ["a"]), DESCRIPTOR_TEXT, live.observedAt, {}),
    );
    const list = listGraphsAnswer(views);
    const decoded = fromBinary(ListGraphsResponseSchema, encodeMessage(ListGraphsResponseSchema, list));
    expect(decoded.graphs.map((g) => g.name)).toEqual(["x", "y", "z"]);
    expect(decoded.graphs).toEqual(views.map((v) => plain(v, false)));
    expect(decoded.graphs[0]!.descriptorJson).toBe("");
    expect(decoded.graphs[0]!.services[0]).toMatchObject({ desiredReplicas: 3, readyReplicas: 2, availableReplicas: 1 });
  });

  it("answers a new stored version with its own content, and the same version with new live counts", () => {
    const live: Live = { synced: true, live: false, counts: [{ desired: 1, ready: 1, available: 1 }], observedAt: new Date("2026-12-03T00:00:00Z") };
    const names = ["a"];
    const first = graphView(record("g", "first"), [service("g", "a", 1)], latest, 0, countsOf(live, names), DESCRIPTOR_TEXT, new Date(), {});
    const decode = (v: typeof first) => fromBinary(GetGraphResponseSchema, encodeMessage(GetGraphResponseSchema, getGraphAnswer(v))).graph!;
    expect(decode(first).message).toBe("first");
    live.counts[0] = { desired: 4, ready: 3, available: 2 };
    const again = graphView(record("g", "first"), [service("g", "a", 1)], latest, 0, countsOf(live, names), DESCRIPTOR_TEXT, new Date(), first.storedVersion);
    expect(decode(again).services[0]).toMatchObject({ desiredReplicas: 4, readyReplicas: 3, availableReplicas: 2 });
    const second = graphView(record("g", "second"), [service("g", "a", 1)], latest, 1, countsOf(live, names), DESCRIPTOR_TEXT, new Date(), {});
    expect(decode(second)).toMatchObject({ message: "second", pendingActions: 1 });
  });

  it("encodes the usual way a view not from the read model, and an answer whose field was written", () => {
    const view = graphView(record("g"), [service("g", "a", 2)], latest, 0, undefined, DESCRIPTOR_TEXT, new Date(), undefined);
    const message = getGraphAnswer(view);
    expect(encodeMessage(GetGraphResponseSchema, message)).toEqual(toBinary(GetGraphResponseSchema, message));
    const cached = getGraphAnswer({ ...view, storedVersion: {} });
    cached.graph = graphViewToProto({ ...view, name: "other" });
    expect(fromBinary(GetGraphResponseSchema, encodeMessage(GetGraphResponseSchema, cached)).graph?.name).toBe("other");
    // A copy is an ordinary message.
    const copy = { ...getGraphAnswer({ ...view, storedVersion: {} }) };
    expect(encodeMessage(GetGraphResponseSchema, copy)).toEqual(toBinary(GetGraphResponseSchema, copy));
  });
});

describe("WireBuffer", () => {
  it("writes varints as protobuf does, negative int32 sign-extended to ten bytes", async () => {
    const { BinaryWriter } = await import("@bufbuild/protobuf/wire");
    const { WireBuffer, varintSize } = await import("../../src/api/wire-cache.js");
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 2 ** 29 - 1 }), (value, field) => {
        const expected = new BinaryWriter().tag(field, 0).int32(value).finish();
        const size = varintSize(field * 8) + varintSize(value);
        expect(new WireBuffer(size).varintField(field, value).done()).toEqual(Buffer.from(expected));
      }),
    );
  });
});
