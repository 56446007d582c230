// ElasticityService over the elasticity loop: load in (unary batch, client stream), scaling decisions out
// (server stream, resumable after an id). Validation and NOT_FOUND come from the controller's typed errors.
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ElasticityService, type LoadSample } from "../../gen/smo/v1/elasticity_pb.js";
import { ScalingDecisionSchema, SourceRateSchema, StageTimesSchema, type ScalingDecision } from "../../gen/smo/v1/types_pb.js";
import { InvalidArgumentError, NotFoundError, UnavailableError } from "../../core/errors.js";
import type { ElasticityController } from "../../core/elasticity/controller.js";
import type { LoadSampleInput } from "../../core/elasticity/types.js";
import type { LoadSink } from "../../core/ha/load-router.js";
import type { DecisionRecord } from "../../core/ports/store.js";
import { solverStatusToProto } from "../convert.js";
import type { ApiDeps } from "./deps.js";
import { NO_FEDERATION } from "./graph.js";

/** Set by a member forwarding samples to the project's owner (never forwarded again). */
export const FORWARDED_HEADER = "x-smo-forwarded";

function isForwarded(headers: Headers): boolean {
  return headers.get(FORWARDED_HEADER) === "1";
}

function sampleInput(s: LoadSample): LoadSampleInput {
  return {
    graph: s.graph,
    service: s.service,
    requestsPerSecond: s.requestsPerSecond,
    observedAt: s.observedAt ? timestampDate(s.observedAt) : undefined,
    source: s.source || undefined,
  };
}

export function decisionToProto(d: DecisionRecord): ScalingDecision {
  return create(ScalingDecisionSchema, {
    id: BigInt(d.id),
    graph: d.graph,
    service: d.service,
    cluster: d.cluster,
    previousReplicas: d.previousReplicas,
    replicas: d.replicas,
    requestsPerSecond: d.requestsPerSecond,
    status: solverStatusToProto(d.status),
    reason: d.reason,
    trigger: d.trigger,
    times: create(StageTimesSchema, {
      observedAt: timestampFromDate(d.observedAt),
      receivedAt: timestampFromDate(d.receivedAt),
      decidedAt: timestampFromDate(d.decidedAt),
      actuatedAt: d.actuatedAt ? timestampFromDate(d.actuatedAt) : undefined,
      readyAt: d.readyAt ? timestampFromDate(d.readyAt) : undefined,
    }),
    sources: (d.sources ?? []).map((s) => create(SourceRateSchema, s)),
    partial: d.partial ?? false,
  });
}

export function createElasticityService(deps: ApiDeps): ServiceImpl<typeof ElasticityService> {
  const loop = (): ElasticityController => {
    if (!deps.elasticity) throw new UnavailableError(NO_FEDERATION);
    return deps.elasticity;
  };
  // With several processes, samples go through the router (forwarded to the project's owner).
  const sink = (): LoadSink => deps.load ?? loop();
  return {
    async reportLoad(req, ctx) {
      return { accepted: await sink().report(req.samples.map(sampleInput), "push", { forwarded: isForwarded(ctx.requestHeader) }) };
    },

    // Each batch is applied as it arrives (a load step must not wait for the stream to end); the answer, the
    // total accepted, comes once the client closes its side. A bad batch ends the call with its error, naming
    // the batch; the batches before it stay applied.
    async streamLoad(requests, ctx) {
      const elasticity = sink();
      const forwarded = isForwarded(ctx.requestHeader);
      let accepted = 0;
      let index = 0;
      for await (const batch of requests) {
        try {
          accepted += await elasticity.report(batch.samples.map(sampleInput), "push", { forwarded });
        } catch (err) {
          if (err instanceof InvalidArgumentError) {
            throw new InvalidArgumentError(`batch ${index}: ${err.message}`, err.violations);
          }
          if (err instanceof Error) err.message = `batch ${index}: ${err.message}`;
          throw err;
        }
        index++;
      }
      return { accepted };
    },

    // A decision is sent when its scale call was accepted, and again (same id) once its pods are ready.
    async *watchDecisions(req, ctx) {
      const elasticity = loop();
      const filter = { graph: req.graph || undefined, service: req.service || undefined };
      if (req.afterId < 0n) {
        throw new InvalidArgumentError("invalid after_id", [{ field: "after_id", description: "must be ≥ 0 (0 = only new decisions)" }]);
      }
      if (filter.graph && !(await deps.store.graphs.get(filter.graph))) throw new NotFoundError(`graph "${filter.graph}" not found`);
      for await (const d of elasticity.watchDecisions(filter, Number(req.afterId), ctx.signal)) {
        yield { decision: decisionToProto(d) };
      }
    },
  };
}
