import type { DecisionRecord, NewGraph, ServiceRecord } from "../../src/core/ports/store.js";

export function newGraph(name: string, overrides: Partial<NewGraph> = {}): NewGraph {
  return {
    name,
    project: "demo",
    status: "deploying",
    version: "1.0.0",
    descriptor: { hdaGraph: { id: name, version: "1.0.0", services: [] } },
    descriptorHash: `hash-${name}`,
    strategy: "optimal",
    dashboardUrl: null,
    message: null,
    warnings: [],
    ...overrides,
  };
}

export function newService(graph: string, name: string, overrides: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    graph,
    name,
    status: "pending",
    cluster: null,
    desiredReplicas: 1,
    cpu: 0.5,
    memoryBytes: 256 * 1024 * 1024,
    storageBytes: 0,
    gpu: 0,
    artifact: `registry.example/${name}:1`,
    eventTriggered: false,
    minReplicas: 1,
    maxReplicas: 3,
    dashboardUrl: null,
    spec: { name, ports: [8080] },
    ...overrides,
  };
}

export function newDecision(graph: string, service: string, overrides: Partial<DecisionRecord> = {}): Omit<DecisionRecord, "id"> {
  return {
    graph,
    service,
    cluster: "member1",
    previousReplicas: 1,
    replicas: 2,
    requestsPerSecond: 120.5,
    status: "optimal",
    reason: "load above capacity",
    trigger: "push",
    observedAt: new Date("2025-01-01T00:00:00.000Z"),
    receivedAt: new Date("2025-01-01T00:00:00.010Z"),
    decidedAt: new Date("2025-01-01T00:00:00.020Z"),
    actuatedAt: null,
    readyAt: null,
    sources: [{ source: "host-a", requestsPerSecond: 100 }, { source: "host-b", requestsPerSecond: 20.5 }],
    partial: false,
    ...overrides,
  };
}

export const GiB = 1024 ** 3;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
