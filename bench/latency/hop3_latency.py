"""Hop3's side of bench:latency: sequential calls from Python, taking turns (one of each per round, in a shuffled
order) so that every row sees the same background load: a gRPC channel (grpcio, stubs generated from proto/ as
deploy/hop3/gen_stubs.sh does) and, in the same rounds, REST servers each on one http.client connection. Rows of
different channels measured in the same rounds can be compared even on a box whose load swings.

usage: hop3_latency.py STUBS_DIR CONFIG_JSON   -> prints {"rows": {name: {calls, p50Us, p99Us}}}
CONFIG_JSON: {"target": "127.0.0.1:50051" | "unix:/path" | null, "rest": {LABEL: "http://127.0.0.1:8000", ...},
              "graph": NAME, "service": NAME, "rows": ["health", "get", "list", "report"],
              "warmup": N, "warmupSeconds": W, "seconds": S, "minRounds": M}
REST rows are named rest-health:LABEL and rest-get:LABEL, for every LABEL of "rest".
"""
import json
import random
import sys
import time

stubs_dir, config = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, stubs_dir)


def grpc_calls(target, graph, service):
    import grpc
    import health_pb2
    import health_pb2_grpc
    from smo.v1 import elasticity_pb2, elasticity_pb2_grpc, graph_pb2, graph_pb2_grpc

    channel = grpc.insecure_channel(target)
    health = health_pb2_grpc.HealthStub(channel)
    graphs = graph_pb2_grpc.GraphServiceStub(channel)
    elasticity = elasticity_pb2_grpc.ElasticityServiceStub(channel)
    check, get = health_pb2.HealthCheckRequest(service=""), graph_pb2.GetGraphRequest(name=graph)
    listing = graph_pb2.ListGraphsRequest()
    # A rate that keeps the service at its current replica count: the call is measured, not a scaling.
    load = elasticity_pb2.ReportLoadRequest(samples=[elasticity_pb2.LoadSample(graph=graph, service=service, requests_per_second=1.0)])
    return channel, {
        "health": lambda: health.Check(check, timeout=10),
        "get": lambda: graphs.GetGraph(get, timeout=10),
        "list": lambda: graphs.ListGraphs(listing, timeout=10),
        "report": lambda: elasticity.ReportLoad(load, timeout=10),
    }


def rest_calls(base, graph):
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)

    def get(path):
        def call():
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
        return call

    # http.client reconnects by itself when the server closed the connection (gunicorn's sync workers do).
    return conn, {"rest-health": get("/healthz"), "rest-get": get(f"/graphs/{graph}")}


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(p / 100 * len(sorted_values)))]


closers, rows = [], []
if config.get("target"):
    closer, available = grpc_calls(config["target"], config["graph"], config.get("service", ""))
    closers.append(closer)
    rows += [(name, available[name]) for name in config["rows"]]
for label, base in config.get("rest", {}).items():
    closer, available = rest_calls(base, config["graph"])
    closers.append(closer)
    rows += [(f"{name}:{label}", call) for name, call in available.items()]
warm_until = time.perf_counter() + config.get("warmupSeconds", 1)
for _ in range(config.get("warmup", 200)):
    if time.perf_counter() > warm_until:
        break
    for _, call in rows:
        call()
latencies = {name: [] for name, _ in rows}
deadline = time.perf_counter() + config.get("seconds", 3)
rounds = 0
# A minimum of rounds even past the deadline, so that a slow call still gets a p99 worth the name.
while time.perf_counter() < deadline or rounds < config.get("minRounds", 0):
    rounds += 1
    # A fresh order each round: the after-effects of a heavy call land on every row alike.
    random.shuffle(rows)
    for name, call in rows:
        t0 = time.perf_counter_ns()
        call()
        latencies[name].append((time.perf_counter_ns() - t0) / 1000)
for closer in closers:
    closer.close()
out = {}
for name, values in latencies.items():
    values.sort()
    out[name] = {"calls": len(values), "p50Us": round(percentile(values, 50), 1), "p99Us": round(percentile(values, 99), 1)}
print(json.dumps({"rows": out}))
