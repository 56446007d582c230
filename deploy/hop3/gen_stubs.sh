#!/usr/bin/env bash
# Generates the Python gRPC stubs of smo's contract for Hop3's client (smo_client.py).
# Needs protoc and grpc_python_plugin (Debian: protobuf-compiler, protobuf-compiler-grpc, and libprotobuf-dev for
# the well-known types such as google/protobuf/timestamp.proto), or grpcio-tools.
# Usage: deploy/hop3/gen_stubs.sh [OUT_DIR]   (default: deploy/hop3/smo_stubs)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
proto=$(cd "$here/../../proto" && pwd)
out=${1:-$here/smo_stubs}
mkdir -p "$out"
files=(smo/v1/types.proto smo/v1/graph.proto smo/v1/cluster.proto smo/v1/optimizer.proto smo/v1/elasticity.proto
       google/rpc/status.proto google/rpc/error_details.proto)
if command -v protoc >/dev/null && command -v grpc_python_plugin >/dev/null; then
  protoc -I "$proto" --python_out="$out" --grpc_python_out="$out" \
    --plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "${files[@]}"
else
  python3 -m grpc_tools.protoc -I "$proto" --python_out="$out" --grpc_python_out="$out" "${files[@]}"
fi
echo "stubs written to $out"
