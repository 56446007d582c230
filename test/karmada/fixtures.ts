// Translated HDAG services for the adapter tests, and a silent logger.
import pino from "pino";
import type { GraphModel, ServiceModel } from "../../src/core/hdag/model.js";

export const silentLogger = pino({ level: "silent" });

export function makeService(id: string, overrides: Partial<ServiceModel> = {}): ServiceModel {
  return {
    id,
    resources: {
      cpuClass: "small",
      ramClass: "small",
      storageClass: "small",
      cpu: 0.5,
      memoryBytes: 512 * 2 ** 20,
      storageBytes: 2 ** 30,
      gpu: 0,
    },
    trigger: { kind: "auto", dependencies: [] },
    connectionPoints: [],
    latencies: [],
    coLocation: [],
    deviceProximity: false,
    scaling: { alpha: 10, beta: 0, minReplicas: 1, maxReplicas: 5 },
    artifact: {
      ociImage: `oci://127.0.0.1:5000/test/${id}`,
      type: "App",
      implementer: "HELM",
      ociRun: { name: "HELM", version: "v3" },
      valuesOverwrite: {},
    },
    ...overrides,
  };
}

export function makeGraph(id: string, useStaticPlacement = false): Pick<GraphModel, "id" | "intent"> {
  return {
    id,
    intent: {
      security: false,
      highAvailability: false,
      highPerformance: false,
      energyEfficiency: false,
      useStaticPlacement,
    },
  };
}

/** A logger that keeps every record, to check that a retry or a conflict round really happened. */
export function recordingLogger(): { logger: pino.Logger; records: { msg: string; [key: string]: unknown }[] } {
  const records: { msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void records.push(JSON.parse(line)) });
  return { logger, records };
}
