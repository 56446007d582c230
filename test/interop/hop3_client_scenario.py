"""Hop3's side of test/interop/hop3-client.test.ts: deploy_graph, get_graph, report_load and watch_decisions
through deploy/hop3/smo_client.py against a live `smo serve`. Prints one JSON object with what it saw.

usage: hop3_client_scenario.py CLIENT_DIR STUBS_DIR TARGET DESCRIPTOR_FILE
"""
import json
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
from smo_client import SmoClient, SmoError  # noqa: E402

client_dir, stubs_dir, target, descriptor_file = sys.argv[1:5]
out = {}
client = SmoClient(target, stubs_dir=stubs_dir, timeout=30)

with open(descriptor_file, encoding="utf-8") as f:
    deployed = client.deploy_graph("hop3-test", descriptor=f.read())
graph = client.get_graph("shop-graph")
out["graph"] = {
    "name": graph.name,
    "project": graph.project,
    "status": type(graph).DESCRIPTOR.fields_by_name["status"].enum_type.values_by_number[graph.status].name,
    "services": sorted((s.name, s.desired_replicas) for s in graph.services),
}

# Errors come back typed: NOT_FOUND for an unknown graph, INVALID_ARGUMENT with the field path for a bad rate.
for name, samples in (("unknown", [("no-such-graph", "frontend", 1.0)]), ("negative", [("shop-graph", "frontend", -5.0)])):
    try:
        client.report_load(samples)
        out[name] = "OK"
    except SmoError as err:
        out[name] = {"code": err.code.name, "violations": err.violations}

decisions = []
first = threading.Event()


def watch():
    for d in client.watch_decisions(graph="shop-graph", timeout=30):
        decisions.append({
            "id": d.id,
            "service": d.service,
            "previous": d.previous_replicas,
            "replicas": d.replicas,
            "trigger": d.trigger,
            "rps": d.requests_per_second,
            "stages": [f for f in ("observed_at", "received_at", "decided_at", "actuated_at", "ready_at") if d.times.HasField(f)],
        })
        first.set()
        if d.times.HasField("ready_at"):
            return


watcher = threading.Thread(target=watch, daemon=True)
watcher.start()
time.sleep(1.0)  # let the stream reach the server before the load step
t_load = time.time()
out["accepted"] = client.report_load([("shop-graph", "frontend", 95.0, t_load), ("shop-graph", "backend", 3.0)])
first.wait(30)
out["first_decision_after_s"] = time.time() - t_load
watcher.join(30)
out["decisions"] = decisions

# A second step, then a watcher resuming after the first decision gets the second one first.
out["streamed"] = client.stream_load([[("shop-graph", "frontend", 115.0)], [("shop-graph", "backend", 3.0)]])
time.sleep(0.5)
if decisions:
    replay = client.watch_decisions(graph="shop-graph", after_id=decisions[0]["id"], timeout=5)
    d = next(iter(replay))
    out["resumed"] = {"after": decisions[0]["id"], "id": d.id, "previous": d.previous_replicas, "replicas": d.replicas}
out["graph_after"] = sorted((s.name, s.desired_replicas) for s in client.get_graph("shop-graph").services)

# Two Hop3 hosts each see part of backend's traffic: host-a (source set on its client) 20 req/s, host-b (source
# given per call) 30 req/s. smo plans for the sum; the decision names both sources.
last_id = max([d["id"] for d in decisions] + [out.get("resumed", {}).get("id", 0)])
host_a = SmoClient(target, stubs_dir=stubs_dir, timeout=30, source="host-a")
host_b = SmoClient(target, stubs_dir=stubs_dir, timeout=30)
out["sources_accepted"] = [host_a.report_load([("shop-graph", "backend", 20.0)]),
                           host_b.report_load([("shop-graph", "backend", 30.0)], source="host-b")]
out["sources_decisions"] = []
for d in client.watch_decisions(graph="shop-graph", service="backend", after_id=last_id, timeout=15):
    out["sources_decisions"].append({
        "id": d.id,
        "rps": d.requests_per_second,
        "replicas": d.replicas,
        "sources": sorted((s.source, s.requests_per_second) for s in d.sources),
    })
    if d.requests_per_second >= 50:
        break
out["backend_after"] = [s.desired_replicas for s in client.get_graph("shop-graph").services if s.name == "backend"]
host_a.close()
host_b.close()
client.close()
print(json.dumps(out))
