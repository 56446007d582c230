// The Helm values smo hands a NEPHELE chart: the descriptor's valuesOverwrite plus the placement, injected
// exactly as upstream SMO does (hdag-reference d.2): under `voChartOverwrite` for implementer WOT (the VO
// chart reads every placement field from there), nothing injected when the graph uses static placement.
import { InvalidArgumentError } from "../../../core/errors.js";
import type { GraphModel, ServiceModel } from "../../../core/hdag/model.js";
import type { WorkloadPlacement } from "../../../core/ports/karmada.js";

type Values = Record<string, unknown>;

function isObject(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function helmValues(
  graph: Pick<GraphModel, "intent">,
  service: ServiceModel,
  placement: WorkloadPlacement,
): Values {
  const values: Values = structuredClone(service.artifact.valuesOverwrite ?? {});
  let target = values;
  if (service.artifact.implementer === "WOT") {
    // Upstream: values.setdefault("voChartOverwrite", {}) — done even under static placement.
    if (!isObject(values.voChartOverwrite)) values.voChartOverwrite = {};
    target = values.voChartOverwrite as Values;
  }
  if (!graph.intent.useStaticPlacement) {
    const cluster = placement.clusters[0];
    if (!cluster) {
      throw new InvalidArgumentError(`service ${service.id} has no cluster to deploy to`, [
        { field: "placement.clusters", description: "one member cluster" },
      ]);
    }
    target.clustersAffinity = [cluster];
    // Not deduplicated, in the order of the graph's services: exactly what upstream SMO writes.
    target.serviceImportClusters = [...placement.importClusters];
  }
  return values;
}
