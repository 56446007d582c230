"""Hop3's client for smo, the orchestration sidecar.

Stubs come from smo's proto/ through gen_stubs.sh (put their directory on sys.path, or pass stubs_dir).

    client = SmoClient("unix:///run/smo/smo.sock")
    graph = client.deploy_graph("demo", descriptor=open("hdag.yaml").read())
    client.report_load([("image-detection-graph", "image-detection", 120.0)])
    for decision in client.watch_decisions(graph="image-detection-graph", timeout=10):
        print(decision.id, decision.service, decision.previous_replicas, "->", decision.replicas,
              "ready" if decision.times.HasField("ready_at") else "actuated")
"""

from __future__ import annotations

import os
import sys
import time
from typing import Iterable, Iterator, Optional, Sequence, Tuple, Union

import grpc

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load_stubs(stubs_dir: Optional[str]):
    path = stubs_dir or os.environ.get("SMO_STUBS_DIR") or os.path.join(_HERE, "smo_stubs")
    if path not in sys.path:
        sys.path.insert(0, path)
    from smo.v1 import elasticity_pb2, elasticity_pb2_grpc, graph_pb2, graph_pb2_grpc  # noqa: E402

    return graph_pb2, graph_pb2_grpc, elasticity_pb2, elasticity_pb2_grpc


class SmoError(Exception):
    """A gRPC error from smo, with its status code name and, for INVALID_ARGUMENT, the field violations."""

    def __init__(self, code: grpc.StatusCode, message: str, violations: Sequence[Tuple[str, str]] = ()):
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.violations = list(violations)


Sample = Union[Tuple[str, str, float], Tuple[str, str, float, float]]


class SmoClient:
    """A thin, typed wrapper over smo's gRPC contract (smo.v1)."""

    def __init__(self, target: str = "unix:///run/smo/smo.sock", token: Optional[str] = None,
                 timeout: float = 30.0, stubs_dir: Optional[str] = None, source: str = ""):
        """`source` names this reporter (e.g. the Hop3 host) on every load sample it sends, unless a call
        passes its own: smo sums a service's rate over its sources, so each host reports only its share."""
        self._pb, pb_grpc, self._epb, epb_grpc = _load_stubs(stubs_dir)
        self._source = source
        self._channel = grpc.insecure_channel(target)
        self._metadata = [("authorization", f"Bearer {token}")] if token else []
        self._timeout = timeout
        self._graphs = pb_grpc.GraphServiceStub(self._channel)
        self._elasticity = epb_grpc.ElasticityServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "SmoClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def deploy_graph(self, project: str, descriptor: str = "", artifact: str = "", dry_run: bool = False):
        """Deploys an HDAG from YAML/JSON text or an oci:// artifact; returns the DeployGraphResponse."""
        req = self._pb.DeployGraphRequest(project=project, descriptor=descriptor, artifact=artifact, dry_run=dry_run)
        return self._call(self._graphs.DeployGraph, req)

    def get_graph(self, name: str):
        return self._call(self._graphs.GetGraph, self._pb.GetGraphRequest(name=name)).graph

    def list_graphs(self, project: str = ""):
        return list(self._call(self._graphs.ListGraphs, self._pb.ListGraphsRequest(project=project)).graphs)

    def _samples(self, samples: Iterable[Sample], source: Optional[str]):
        source = self._source if source is None else source
        msgs = []
        for s in samples:
            sample = self._epb.LoadSample(graph=s[0], service=s[1], requests_per_second=float(s[2]), source=source)
            observed = s[3] if len(s) > 3 else time.time()
            sample.observed_at.FromNanoseconds(int(observed * 1e9))
            msgs.append(sample)
        return msgs

    def report_load(self, samples: Iterable[Sample], source: Optional[str] = None) -> int:
        """Pushes (graph, service, requests_per_second[, observed_at_epoch_seconds]) samples; returns the accepted count.

        `source` names the reporter of these samples (default: the client's); with several Hop3 hosts, each
        reports its own share under its own source and smo plans for the sum of every source's latest rate.
        An empty source is the service's unnamed rate, which the latest such sample replaces.
        The batch is all or nothing: an unknown graph or service (NOT_FOUND) or a negative/NaN rate
        (INVALID_ARGUMENT, with the field path in SmoError.violations) rejects every sample of it.
        Report a changed rate at once (smo decides within milliseconds) and the current rate periodically.
        """
        request = self._epb.ReportLoadRequest(samples=self._samples(samples, source))
        return self._call(self._elasticity.ReportLoad, request).accepted

    def stream_load(self, batches: Iterable[Iterable[Sample]], source: Optional[str] = None) -> int:
        """Streams batches of samples over one call (each batch is applied as it arrives); returns the total accepted.

        `source` as for report_load."""
        requests = (self._epb.StreamLoadRequest(samples=self._samples(b, source)) for b in batches)
        try:
            return self._elasticity.StreamLoad(requests, metadata=self._metadata).accepted
        except grpc.RpcError as err:
            raise _to_error(err) from None

    def watch_decisions(self, graph: str = "", service: str = "", after_id: int = 0,
                        timeout: Optional[float] = None) -> Iterator:
        """Yields ScalingDecision messages as smo makes them (until `timeout` seconds, or forever).

        A decision arrives when Karmada accepted the scale call, and a second time (same id, times.ready_at
        set) once the replicas are available. after_id=0 streams only new decisions; pass the last id seen
        to resume after a disconnect.
        """
        req = self._epb.WatchDecisionsRequest(graph=graph, service=service, after_id=after_id)
        stream = self._elasticity.WatchDecisions(req, metadata=self._metadata, timeout=timeout)
        try:
            for resp in stream:
                yield resp.decision
        except grpc.RpcError as err:
            if err.code() == grpc.StatusCode.DEADLINE_EXCEEDED and timeout is not None:
                return
            raise _to_error(err) from None

    def _call(self, method, request):
        try:
            return method(request, metadata=self._metadata, timeout=self._timeout)
        except grpc.RpcError as err:
            raise _to_error(err) from None


def _to_error(err: grpc.RpcError) -> SmoError:
    violations = []
    for key, value in (err.trailing_metadata() or ()):
        if key == "grpc-status-details-bin":
            try:
                from google.rpc import error_details_pb2, status_pb2

                status = status_pb2.Status.FromString(value)
                for detail in status.details:
                    if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                        bad = error_details_pb2.BadRequest()
                        detail.Unpack(bad)
                        violations += [(v.field, v.description) for v in bad.field_violations]
            except Exception:  # details are a courtesy; the status code and message stand on their own
                pass
    return SmoError(err.code(), err.details() or "", violations)
