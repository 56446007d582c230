// Hop3's side of the interop tests: Debian's protoc + grpc_python_plugin and a python3 that can import grpcio
// and protobuf. Missing → skip with a visible reason, or fail under SMO_REQUIRE_INTEGRATION=1.
import { spawnSync } from "node:child_process";
import { requireBinaries, type Availability } from "./processes.js";

export const PYTHON = "/usr/bin/python3";
export const PROTOC = "/usr/bin/protoc";
export const GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin";

export function pythonGrpcAvailable(...extraBinaries: string[]): Availability {
  const binaries = requireBinaries(PROTOC, GRPC_PYTHON_PLUGIN, PYTHON, ...extraBinaries);
  if (binaries.skip) return binaries;
  const probe = spawnSync(PYTHON, ["-c", "import grpc, google.protobuf"], { encoding: "utf8" });
  if (probe.status === 0) return binaries;
  const reason = "python3-grpcio / python3-protobuf not importable";
  if (process.env.SMO_REQUIRE_INTEGRATION === "1") throw new Error(`SMO_REQUIRE_INTEGRATION=1 but ${reason}: ${probe.stderr}`);
  console.warn(`[integration] skipped: ${reason}`);
  return { skip: true, reason: ` (skipped: ${reason})` };
}
