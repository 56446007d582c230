// GraphService: thin translation between smo.v1 and the graph lifecycle (src/core/graphs). GetGraph and ListGraphs
// answer from the lifecycle's in-memory read model. Without Karmada (no lifecycle) they answer from the store,
// and the mutating RPCs are UNAVAILABLE.
import type { ServiceImpl } from "@connectrpc/connect";
import { GraphService, type ReplaceGraphRequest } from "../../gen/smo/v1/graph_pb.js";
import { InvalidArgumentError, NotFoundError, UnavailableError, type FieldViolation } from "../../core/errors.js";
import type { GraphLifecycle } from "../../core/graphs/lifecycle.js";
import type { Repositories } from "../../core/ports/store.js";
import type { PlacementWeights } from "../../solver/types.js";
import { eventToProto, graphToProto, graphViewToProto, placementToProto, type GraphProtoOptions } from "../convert.js";
import type { ApiDeps } from "./deps.js";
import { getGraphAnswer, listGraphsAnswer } from "../graph-answers.js";

/** Largest descriptor text accepted by DeployGraph (the corpus's largest is ~10 KiB). */
export const MAX_DESCRIPTOR_BYTES = 1024 * 1024;

export const NO_FEDERATION =
  "no Karmada federation configured: start smo serve with --karmada sim or --karmada KUBECONFIG";

async function loadStored(repos: Repositories, name: string, options: GraphProtoOptions = {}) {
  const graph = await repos.graphs.get(name);
  if (!graph) return undefined;
  const [services, latest] = await Promise.all([repos.services.listByGraph(name), repos.placements.latest(name)]);
  return graphToProto(graph, services, latest, options);
}

function requireName(name: string): string {
  if (name.length === 0) throw new InvalidArgumentError("name is required", [{ field: "name", description: "the graph name (hdaGraph.id) is required" }]);
  return name;
}

function checkDeployRequest(req: { descriptor: string; artifact: string }): void {
  const hasText = req.descriptor.length > 0;
  const hasRef = req.artifact.length > 0;
  if (hasText === hasRef) {
    const description = "give exactly one of descriptor (YAML or JSON text) and artifact (oci:// reference)";
    throw new InvalidArgumentError(description, [
      { field: "descriptor", description },
      { field: "artifact", description },
    ]);
  }
  const bytes = Buffer.byteLength(req.descriptor, "utf8");
  if (bytes > MAX_DESCRIPTOR_BYTES) {
    const description = `descriptor is ${bytes} bytes; at most ${MAX_DESCRIPTOR_BYTES} are accepted`;
    throw new InvalidArgumentError(description, [{ field: "descriptor", description }]);
  }
}

/** The OCI adapter names the reference `reference`; in this RPC it is the `artifact` field. */
function artifactField(err: unknown): unknown {
  if (!(err instanceof InvalidArgumentError)) return err;
  if (!err.violations.some((v) => v.field === "reference")) return err;
  return new InvalidArgumentError(
    err.message,
    err.violations.map((v) => (v.field === "reference" ? { ...v, field: "artifact" } : v)),
  );
}

/** Weights must be finite and ≥ 0; unset fields take the strategy's defaults. */
export function weightsFromProto(req: ReplaceGraphRequest): PlacementWeights | undefined {
  const w = req.weights;
  if (!w) return undefined;
  const violations: FieldViolation[] = [];
  const out: PlacementWeights = {};
  for (const key of ["moves", "energy", "traffic"] as const) {
    const value = w[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) violations.push({ field: `weights.${key}`, description: `must be a finite number ≥ 0, got ${value}` });
    else out[key] = value;
  }
  if (violations.length > 0) throw new InvalidArgumentError(`invalid weights: ${violations.map((v) => v.field).join(", ")}`, violations);
  return out;
}

export function createGraphService(deps: ApiDeps): ServiceImpl<typeof GraphService> {
  const { store } = deps;
  const lifecycle = (): GraphLifecycle => {
    if (!deps.lifecycle) throw new UnavailableError(NO_FEDERATION);
    return deps.lifecycle;
  };
  return {
    async listGraphs(req) {
      const project = req.project || undefined;
      if (deps.lifecycle) {
        // From the read model: no SQL, no Karmada request.
        return listGraphsAnswer(await deps.lifecycle.list(project));
      }
      const graphs = await store.graphs.list({ project });
      const loaded = await Promise.all(graphs.map((g) => loadStored(store, g.name, { descriptor: false })));
      // A graph removed between list and load is simply not listed.
      return { graphs: loaded.filter((g) => g !== undefined) };
    },
    async getGraph(req) {
      const name = requireName(req.name);
      if (deps.lifecycle) return getGraphAnswer(await deps.lifecycle.get(name));
      const graph = await loadStored(store, name);
      if (!graph) throw new NotFoundError(`graph "${name}" not found`);
      return { graph };
    },
    async deployGraph(req) {
      checkDeployRequest(req);
      const l = lifecycle();
      const result = await l
        .deploy({
          project: req.project,
          descriptor: req.descriptor || undefined,
          artifact: req.artifact || undefined,
          dryRun: req.dryRun,
        })
        .catch((err: unknown) => {
          throw artifactField(err);
        });
      return {
        graph: graphViewToProto(result.graph),
        decision: result.decision ? placementToProto(result.decision) : undefined,
        warnings: result.warnings,
        created: result.created,
      };
    },
    async startGraph(req) {
      return { graph: graphViewToProto(await lifecycle().start(requireName(req.name))) };
    },
    async stopGraph(req) {
      return { graph: graphViewToProto(await lifecycle().stop(requireName(req.name))) };
    },
    async removeGraph(req) {
      const name = requireName(req.name);
      await lifecycle().remove(name);
      return { name };
    },
    async replaceGraph(req) {
      const name = requireName(req.name);
      const weights = weightsFromProto(req);
      const result = await lifecycle().replace(name, { strategy: req.strategy || undefined, weights });
      return { graph: graphViewToProto(result.graph), decision: placementToProto(result.decision) };
    },
    async *watchGraph(req, ctx) {
      const name = requireName(req.name);
      if (req.afterEventId < 0n) {
        throw new InvalidArgumentError("after_event_id must be ≥ 0", [{ field: "after_event_id", description: "an event id, or 0 for the first event" }]);
      }
      const l = lifecycle();
      // The lifecycle checks the graph on the first read, so an unknown graph is NOT_FOUND before any message.
      for await (const event of l.watch(name, Number(req.afterEventId), ctx.signal)) {
        yield { event: eventToProto(event) };
      }
    },
  };
}
