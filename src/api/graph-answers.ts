// GetGraph and ListGraphs answers from the read model, cheap enough to sit next to the transport's own cost.
// A graph's stored version (the read model's entry: the same object exactly while nothing stored changed) is
// converted and encoded once without its live fields (replica counts, replicas_live, replicas_observed_at) and
// without the descriptor; an answer is those cached bytes plus the live fields (and GetGraph's descriptor text
// from the read model) written by hand. The answer's message is built only when something reads it (Connect
// transport, in-process callers); over gRPC only the bytes are made. Figures and design: docs/lifecycle.md#read-model.
import { create, toBinary } from "@bufbuild/protobuf";
import { GetGraphResponseSchema, ListGraphsResponseSchema, type GetGraphResponse, type ListGraphsResponse } from "../gen/smo/v1/graph_pb.js";
import { GraphSchema, ServiceSchema } from "../gen/smo/v1/types_pb.js";
import type { GraphView } from "../core/graphs/types.js";
import { graphViewToProto } from "./convert.js";
import { lazyAnswer, lengthDelimitedSize, varintFieldSize, WireBuffer } from "./wire-cache.js";

interface StoredGraph {
  /** Every field but services, descriptor_json and the live ones, then each service without its replica counts. */
  bytes: Buffer;
  /** Where the head ends, then where each service ends, in `bytes`. */
  ends: number[];
  /** UTF-8 size of the descriptor text, which GetGraph writes from the read model's string (not kept twice). */
  descriptorBytes: number;
}

// Only bytes are kept (~0.5 KiB a graph, allocated from Buffer's shared pool): a cached message, or a second
// copy of the descriptor, would cost more than the read model itself at 10,000 graphs (docs/lifecycle.md).
const storedGraphs = new WeakMap<object, StoredGraph>();

function storedGraphOf(view: GraphView): StoredGraph | undefined {
  if (!view.storedVersion) return undefined;
  let stored = storedGraphs.get(view.storedVersion);
  if (!stored) storedGraphs.set(view.storedVersion, (stored = storedGraph(view)));
  return stored.ends.length === view.services.length + 1 ? stored : undefined;
}

function storedGraph(view: GraphView): StoredGraph {
  const message = graphViewToProto(
    {
      ...view,
      services: view.services.map((s) => ({ ...s, desiredReplicas: 0, readyReplicas: 0, availableReplicas: 0 })),
      replicasLive: false,
      replicasObservedAt: undefined,
    },
    { descriptor: false },
  );
  const parts = [toBinary(GraphSchema, { ...message, services: [] }), ...message.services.map((s) => toBinary(ServiceSchema, s))];
  const ends: number[] = [];
  let end = 0;
  for (const part of parts) ends.push((end += part.length));
  // Its own allocation, not a slice of Buffer's shared pool: a kept slice would keep its whole 8 KiB slab alive,
  // with the answers written between two cached graphs in it.
  const bytes = Buffer.allocUnsafeSlow(end);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, ends, descriptorBytes: Buffer.byteLength(view.descriptorJson, "utf8") };
}

// Field numbers (proto/smo/v1/*.proto); test/api/wire-cache.test.ts checks the bytes against protobuf-es.
const ANSWER_GRAPHS = 1; // GetGraphResponse.graph, ListGraphsResponse.graphs
const GRAPH_SERVICES = 5;
const GRAPH_DESCRIPTOR_JSON = 10;
const GRAPH_REPLICAS_LIVE = 15;
const GRAPH_REPLICAS_OBSERVED_AT = 17;
const TIMESTAMP_SECONDS = 1;
const TIMESTAMP_NANOS = 2;
const SERVICE_COUNTS = [
  [4, "desiredReplicas"],
  [5, "readyReplicas"],
  [6, "availableReplicas"],
] as const;

/** The encoded size of a graph with this view's live fields (and descriptor, for GetGraph), and how to write it. */
function sizedGraph(stored: StoredGraph, view: GraphView, withDescriptor: boolean): { size: number; write(out: WireBuffer): void } {
  const { ends } = stored;
  const serviceSizes = view.services.map((service, i) => {
    let size = ends[i + 1]! - ends[i]!;
    for (const [number, key] of SERVICE_COUNTS) size += varintFieldSize(number, service[key]);
    return size;
  });
  const descriptorBytes = withDescriptor ? stored.descriptorBytes : 0;
  const observedAt = view.replicasObservedAt?.getTime();
  // Timestamp of a millisecond time: seconds floored (negative before 1970), nanos in [0, 1e9).
  const seconds = observedAt === undefined ? 0 : Math.floor(observedAt / 1000);
  const nanos = observedAt === undefined ? 0 : (observedAt - seconds * 1000) * 1_000_000;
  const timestampSize = varintFieldSize(TIMESTAMP_SECONDS, seconds) + varintFieldSize(TIMESTAMP_NANOS, nanos);
  let size = ends[0]!;
  if (descriptorBytes > 0) size += lengthDelimitedSize(GRAPH_DESCRIPTOR_JSON, descriptorBytes);
  for (const s of serviceSizes) size += lengthDelimitedSize(GRAPH_SERVICES, s);
  if (view.replicasLive) size += varintFieldSize(GRAPH_REPLICAS_LIVE, 1);
  if (observedAt !== undefined) size += lengthDelimitedSize(GRAPH_REPLICAS_OBSERVED_AT, timestampSize);
  return {
    size,
    write(out) {
      out.copy(stored.bytes, 0, ends[0]!);
      if (descriptorBytes > 0) out.lengthDelimitedHead(GRAPH_DESCRIPTOR_JSON, descriptorBytes).utf8(view.descriptorJson, descriptorBytes);
      view.services.forEach((service, i) => {
        out.lengthDelimitedHead(GRAPH_SERVICES, serviceSizes[i]!).copy(stored.bytes, ends[i]!, ends[i + 1]!);
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
function encodeGraphs(stored: StoredGraph[], views: readonly GraphView[], withDescriptor: boolean): Uint8Array {
  const graphs = views.map((v, i) => sizedGraph(stored[i]!, v, withDescriptor));
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
  const stored = storedGraphOf(view);
  if (!stored) return create(GetGraphResponseSchema, { graph: graphViewToProto(view) });
  return lazyAnswer(GetGraphResponseSchema, "graph", () => graphViewToProto(view), () => encodeGraphs([stored], [view], true));
}

/** ListGraphs leaves the descriptor out (it can be large, and lists are long). */
export function listGraphsAnswer(views: readonly GraphView[]): ListGraphsResponse {
  const options = { descriptor: false };
  const stored = views.map((v) => storedGraphOf(v));
  if (stored.some((s) => s === undefined)) return create(ListGraphsResponseSchema, { graphs: views.map((v) => graphViewToProto(v, options)) });
  const known = stored as StoredGraph[];
  return lazyAnswer(ListGraphsResponseSchema, "graphs", () => views.map((v) => graphViewToProto(v, options)), () => encodeGraphs(known, views, false));
}
