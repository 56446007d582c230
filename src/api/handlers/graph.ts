import type { ServiceImpl } from "@connectrpc/connect";
import { GraphService } from "../../gen/smo/v1/graph_pb.js";
import { NotFoundError } from "../../core/errors.js";
import type { Repositories } from "../../core/ports/store.js";
import { graphToProto } from "../convert.js";
import type { ApiDeps } from "./deps.js";
import { notYet } from "./unimplemented.js";

async function loadGraph(repos: Repositories, name: string) {
  const graph = await repos.graphs.get(name);
  if (!graph) return undefined;
  const [services, latest] = await Promise.all([repos.services.listByGraph(name), repos.placements.latest(name)]);
  return graphToProto(graph, services, latest);
}

export function createGraphService(deps: ApiDeps): ServiceImpl<typeof GraphService> {
  const { store } = deps;
  const lifecycle = "the graph lifecycle (issue 6)";
  return {
    async listGraphs(req) {
      const graphs = await store.graphs.list({ project: req.project || undefined });
      const loaded = await Promise.all(graphs.map((g) => loadGraph(store, g.name)));
      // A graph removed between list and load is simply not listed.
      return { graphs: loaded.filter((g) => g !== undefined) };
    },
    async getGraph(req) {
      const graph = req.name ? await loadGraph(store, req.name) : undefined;
      if (!graph) throw new NotFoundError(`graph "${req.name}" not found`);
      return { graph };
    },
    deployGraph: () => notYet("DeployGraph", lifecycle),
    startGraph: () => notYet("StartGraph", lifecycle),
    stopGraph: () => notYet("StopGraph", lifecycle),
    removeGraph: () => notYet("RemoveGraph", lifecycle),
    replaceGraph: () => notYet("ReplaceGraph", `${lifecycle} and the placement solver`),
    // eslint-disable-next-line require-yield
    async *watchGraph() {
      notYet("WatchGraph", `${lifecycle}, which writes the events it streams`);
    },
  };
}
