// Assembles every smo.v1 service from one deps object; both servers and the latency bench mount this list.
import { GraphService } from "../../gen/smo/v1/graph_pb.js";
import { ClusterService } from "../../gen/smo/v1/cluster_pb.js";
import { OptimizerService } from "../../gen/smo/v1/optimizer_pb.js";
import { ElasticityService } from "../../gen/smo/v1/elasticity_pb.js";
import { registration, type ServiceRegistration } from "../registration.js";
import { createGraphService } from "./graph.js";
import { createClusterService } from "./cluster.js";
import { createMembersHandler } from "./members.js";
import { createElasticityService } from "./elasticity.js";
import { createOptimizerService } from "./optimizer.js";
import type { ApiDeps } from "./deps.js";

export type { ApiDeps } from "./deps.js";

export function createServices(deps: ApiDeps): ServiceRegistration[] {
  return [
    registration(GraphService, createGraphService(deps)),
    registration(ClusterService, { ...createClusterService(deps), ...createMembersHandler(deps) }),
    registration(OptimizerService, createOptimizerService({ solver: deps.solver, limits: deps.optimizerLimits })),
    registration(ElasticityService, createElasticityService(deps)),
  ];
}
