// The protobuf descriptors the servers expose, taken from the generated code (no .proto file is read at run
// time). Reflection needs every file reachable from the served services, google/protobuf ones included.
import { toBinary, type DescFile, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { GraphService } from "../gen/smo/v1/graph_pb.js";
import { ClusterService } from "../gen/smo/v1/cluster_pb.js";
import { OptimizerService } from "../gen/smo/v1/optimizer_pb.js";
import { ElasticityService } from "../gen/smo/v1/elasticity_pb.js";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { ServerReflection as ServerReflectionV1 } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { file_google_rpc_error_details } from "../gen/google/rpc/error_details_pb.js";
import { file_google_rpc_status } from "../gen/google/rpc/status_pb.js";

/** The smo.v1 services, in the order they are listed. */
export const SMO_SERVICES: readonly DescService[] = [GraphService, ClusterService, OptimizerService, ElasticityService];

/** Services the gRPC listeners add beside smo.v1 (implemented by grpc-health-check and @grpc/reflection). */
export const INFRA_SERVICES: readonly DescService[] = [Health, ServerReflectionV1, ServerReflectionV1Alpha];

/** Every file the given services need, dependencies first, each once. */
export function filesOf(services: readonly DescService[], extra: readonly DescFile[] = []): DescFile[] {
  const seen = new Set<string>();
  const out: DescFile[] = [];
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    seen.add(file.name);
    for (const dep of file.dependencies) visit(dep);
    out.push(file);
  };
  for (const s of services) visit(s.file);
  for (const f of extra) visit(f);
  return out;
}

/** Serialized FileDescriptorProtos of everything smo serves, google.rpc error details included. */
export function servedFileDescriptorProtos(services: readonly DescService[] = [...SMO_SERVICES, ...INFRA_SERVICES]): Buffer[] {
  return filesOf(services, [file_google_rpc_status, file_google_rpc_error_details]).map((f) =>
    Buffer.from(toBinary(FileDescriptorProtoSchema, f.proto)),
  );
}
