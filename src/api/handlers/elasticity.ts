import type { ServiceImpl } from "@connectrpc/connect";
import { ElasticityService } from "../../gen/smo/v1/elasticity_pb.js";
import type { ApiDeps } from "./deps.js";
import { notYet } from "./unimplemented.js";

export function createElasticityService(_deps: ApiDeps): ServiceImpl<typeof ElasticityService> {
  const loop = "the elasticity loop (issue 7)";
  return {
    reportLoad: () => notYet("ReportLoad", loop),
    async streamLoad(requests) {
      // The contract answers once the client stream ends; keep that shape so clients see the final behaviour.
      for await (const batch of requests) void batch;
      return notYet("StreamLoad", loop);
    },
    // eslint-disable-next-line require-yield
    async *watchDecisions() {
      notYet("WatchDecisions", `${loop}, which records the decisions it streams`);
    },
  };
}
