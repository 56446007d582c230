// The Deployment + Service smo renders for a service when no chart is run (Hop3 apps, the simulated
// federation). Pure: the same inputs give the same objects.
import type { V1Deployment, V1Service } from "@kubernetes/client-node";
import type { GraphModel, ServiceModel } from "../../../core/hdag/model.js";
import { GPU_RESOURCE } from "../clusters.js";
import { MANAGED_BY } from "../custom-objects.js";
import { GRAPH_ANNOTATION } from "../ownership.js";
import { formatCpu, formatMemory } from "../quantity.js";

/**
 * Image used when the descriptor names only a chart: a reserved `.invalid` registry (RFC 2606), so a real
 * member reports ImagePullBackOff instead of silently running something else, while the simulator
 * schedules it like any image. The repository is the chart's name: `oci://host/project/image-detection`
 * → `registry.invalid/smo-placeholder/image-detection:latest`.
 */
export const PLACEHOLDER_REGISTRY = "registry.invalid/smo-placeholder";
export const DEFAULT_PORT = 8080;

/** The last path segment of an OCI reference, without tag or digest. */
export function chartName(ociImage: string): string {
  const path = ociImage.replace(/^oci:\/\//, "").split("@")[0]!;
  const last = path.split("/").filter(Boolean).pop() ?? "";
  return last.replace(/:[^:]*$/, "").toLowerCase();
}

export function placeholderImage(service: ServiceModel): string {
  const name = chartName(service.artifact.ociImage).replace(/[^a-z0-9._-]/g, "-") || service.id;
  return `${PLACEHOLDER_REGISTRY}/${name}:latest`;
}

export function workloadLabels(graphId: string, serviceId: string): Record<string, string> {
  return { "smo.graph": graphId, "smo.service": serviceId };
}

function portName(index: number, port: number): string {
  // `web` is the port name NEPHELE's charts and ServiceMonitors use.
  return index === 0 ? "web" : `port-${port}`;
}

export function renderWorkload(
  namespace: string,
  graph: Pick<GraphModel, "id">,
  service: ServiceModel,
  replicas: number,
): { deployment: V1Deployment; service: V1Service } {
  const selector = workloadLabels(graph.id, service.id);
  const labels = { ...selector, "app.kubernetes.io/name": service.id, ...MANAGED_BY };
  // Which graph owns the object: smo updates and deletes only its own graph's objects (ownership.ts).
  const annotations = { [GRAPH_ANNOTATION]: graph.id };
  const container = service.artifact.container;
  const ports = container?.ports.length ? container.ports : [DEFAULT_PORT];
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (service.resources.cpu > 0) requests.cpu = formatCpu(service.resources.cpu);
  if (service.resources.memoryBytes > 0) requests.memory = formatMemory(service.resources.memoryBytes);
  if (service.resources.gpu > 0) {
    // Extended resources must be requested and limited alike.
    requests[GPU_RESOURCE] = String(service.resources.gpu);
    limits[GPU_RESOURCE] = String(service.resources.gpu);
  }
  const deployment: V1Deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: service.id, namespace, labels, annotations },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: service.id,
              image: container?.image || placeholderImage(service),
              ports: ports.map((port, i) => ({ name: portName(i, port), containerPort: port, protocol: "TCP" })),
              env: Object.entries(container?.env ?? {}).map(([name, value]) => ({ name, value })),
              resources: Object.keys(limits).length > 0 ? { requests, limits } : { requests },
            },
          ],
        },
      },
    },
  };
  const svc: V1Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: service.id, namespace, labels, annotations },
    spec: {
      type: "ClusterIP",
      selector,
      ports: ports.map((port, i) => ({ name: portName(i, port), port, targetPort: portName(i, port), protocol: "TCP" })),
    },
  };
  return { deployment, service: svc };
}
