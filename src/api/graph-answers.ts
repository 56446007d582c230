// GetGraph and ListGraphs answers from the read model, cheap enough to sit next to the transport's own cost.
// A graph's stored version (the read model's entry: the same object exactly while nothing stored changed) is
// converted and encoded once without its live fields (replica counts, replicas_live, replicas_observed_at); an
// answer is those cached bytes plus the live fields written by hand. The answer's message is built only when
// something reads it (Connect transport, in-process callers); over gRPC only the bytes are made. Figures and
// design: docs/lifecycle.md#read-model.
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { GetGraphResponseSchema, ListGraphsResponseSchema, type GetGraphResponse, type ListGraphsResponse } from "../gen/smo/v1/graph_pb.js";
import { GraphSchema, ServiceSchema, type Graph } from "../gen/smo/v1/types_pb.js";
import type { GraphView } from "../core/graphs/types.js";
import { graphViewToProto, type GraphProtoOptions } from "./convert.js";
import { lazyAnswer, lengthDelimitedSize, varintFieldSize, WireBuffer } from "./wire-cache.js";

interface StoredGraph {
  /** The graph without its live fields, with fast properties (protobuf-es leaves some messages in V8's
   * dictionary mode, where copying one costs ~10 µs instead of ~0.2 µs). */
  message: Graph;
  /** Every field but services and the live ones. */
  head: Uint8Array;
  /** Each service without its replica counts. */
  services: Uint8Array[];
}

const storedGraphs = new WeakMap<object, { full?: StoredGraph; listed?: StoredGraph }>();

function storedGraphOf(view: GraphView, options: GraphProtoOptions): StoredGraph | undefined {
  if (!view.storedVersion) return undefined;
  let slot = storedGraphs.get(view.storedVersion);
  if (!slot) storedGraphs.set(view.storedVersion, (slot = {}));
  const stored = options.descriptor === false ? (slot.listed ??= storedGraph(view, options)) : (slot.full ??= storedGraph(view, options));
  return stored.services.length === view.services.length ? stored : undefined;
}

function storedGraph(view: GraphView, options: GraphProtoOptions): StoredGraph {
  const message = graphViewToProto(
    {
      ...view,
      services: view.services.map((s) => ({ ...s, desiredReplicas: 0, readyReplicas: 0, availableReplicas: 0 })),
      replicasLive: false,
      replicasObservedAt: undefined,
    },
    options,
  );
  const services = message.services.map((s) => ({ ...s }));
  return {
    message: { ...message, services },
    head: toBinary(GraphSchema, { ...message, services: [] }),
    services: services.map((s) => toBinary(ServiceSchema, s)),
  };
}

/** The whole message of an answer: the stored one with this view's live fields. */
function liveGraph(stored: StoredGraph, view: GraphView): Graph {
  return {
    ...stored.message,
    services: stored.message.services.map((s, i) => ({
      ...s,
      desiredReplicas: view.services[i]!.desiredReplicas,
      readyReplicas: view.services[i]!.readyReplicas,
      availableReplicas: view.services[i]!.availableReplicas,
    })),
    replicasLive: view.replicasLive,
    replicasObservedAt: view.replicasObservedAt ? timestampFromDate(view.replicasObservedAt) : undefined,
  };
}

// Field numbers (proto/smo/v1/*.proto); test/api/wire-cache.test.ts checks the bytes against protobuf-es.
const ANSWER_GRAPHS = 1; // GetGraphResponse.graph, ListGraphsResponse.graphs
const GRAPH_SERVICES = 5;
const GRAPH_REPLICAS_LIVE = 15;
const GRAPH_REPLICAS_OBSERVED_AT = 17;
const TIMESTAMP_SECONDS = 1;
const TIMESTAMP_NANOS = 2;
const SERVICE_COUNTS = [
  [4, "desiredReplicas"],
  [5, "readyReplicas"],
  [6, "availableReplicas"],
] as const;

/** The encoded size of a graph with this view's live fields, and how to write it. */
function sizedGraph(stored: StoredGraph, view: GraphView): { size: number; write(out: WireBuffer): void } {
  const serviceSizes = view.services.map((service, i) => {
    let size = stored.services[i]!.length;
    for (const [number, key] of SERVICE_COUNTS) size += varintFieldSize(number, service[key]);
    return size;
  });
  const observedAt = view.replicasObservedAt?.getTime();
  // Timestamp of a millisecond time: seconds floored (negative before 1970), nanos in [0, 1e9).
  const seconds = observedAt === undefined ? 0 : Math.floor(observedAt / 1000);
  const nanos = observedAt === undefined ? 0 : (observedAt - seconds * 1000) * 1_000_000;
  const timestampSize = varintFieldSize(TIMESTAMP_SECONDS, seconds) + varintFieldSize(TIMESTAMP_NANOS, nanos);
  let size = stored.head.length;
  for (const s of serviceSizes) size += lengthDelimitedSize(GRAPH_SERVICES, s);
  if (view.replicasLive) size += varintFieldSize(GRAPH_REPLICAS_LIVE, 1);
  if (observedAt !== undefined) size += lengthDelimitedSize(GRAPH_REPLICAS_OBSERVED_AT, timestampSize);
  return {
    size,
    write(out) {
      out.raw(stored.head);
      view.services.forEach((service, i) => {
        out.lengthDelimitedHead(GRAPH_SERVICES, serviceSizes[i]!).raw(stored.services[i]!);
        for (const [number, key] of SERVICE_COUNTS) if (service[key] !== 0) out.varintField(number, service[key]);
      });
      if (view.replicasLive) out.varintField(GRAPH_REPLICAS_LIVE, 1);
      if (observedAt !== undefined) {
        out.lengthDelimitedHead(GRAPH_REPLICAS_OBSERVED_AT, timestampSize);
        if (seconds !== 0) out.varintField(TIMESTAMP_SECONDS, seconds);
        if (nanos !== 0) out.varintField(TIMESTAMP_NANOS, nanos);
      }
    },
  };
}

/** Graphs as repeated field 1 of an answer, in one buffer. */
function encodeGraphs(stored: StoredGraph[], views: readonly GraphView[]): Uint8Array {
  const graphs = views.map((v, i) => sizedGraph(stored[i]!, v));
  let size = 0;
  for (const g of graphs) size += lengthDelimitedSize(ANSWER_GRAPHS, g.size);
  const out = new WireBuffer(size);
  for (const g of graphs) {
    out.lengthDelimitedHead(ANSWER_GRAPHS, g.size);
    g.write(out);
  }
  return out.done();
}

export function getGraphAnswer(view: GraphView): GetGraphResponse {
  const stored = storedGraphOf(view, {});
  if (!stored) return create(GetGraphResponseSchema, { graph: graphViewToProto(view) });
  return lazyAnswer(GetGraphResponseSchema, "graph", () => liveGraph(stored, view), () => encodeGraphs([stored], [view]));
}

/** ListGraphs leaves the descriptor out (it can be large, and lists are long). */
export function listGraphsAnswer(views: readonly GraphView[]): ListGraphsResponse {
  const options = { descriptor: false };
  const stored = views.map((v) => storedGraphOf(v, options));
  if (stored.some((s) => s === undefined)) return create(ListGraphsResponseSchema, { graphs: views.map((v) => graphViewToProto(v, options)) });
  const known = stored as StoredGraph[];
  return lazyAnswer(ListGraphsResponseSchema, "graphs", () => views.map((v, i) => liveGraph(known[i]!, v)), () => encodeGraphs(known, views));
}
