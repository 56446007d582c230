// GraphService and ClusterService end to end through gRPC (grpc-js client) on the real lifecycle: simulated
// Karmada federation, client-node adapter, manifest deployer, inline solver, PGlite store. Each test uses its
// own project and graph id.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { stringify } from "yaml";
import { GraphService } from "../../src/gen/smo/v1/graph_pb.js";
import { ClusterService } from "../../src/gen/smo/v1/cluster_pb.js";
import { GraphStatus, ServiceStatus, SolverStatus, type GraphEvent } from "../../src/gen/smo/v1/types_pb.js";
import { MAX_DESCRIPTOR_BYTES } from "../../src/api/handlers/graph.js";
import { fixtureText } from "../fixtures/index.js";
import { chain, descriptor, descriptorObject } from "../graphs/descriptors.js";
import { EMPTY, eventually, inventory, policyClusters } from "../graphs/harness.js";
import { createOciArtifactSource, pushDescriptorText } from "../../src/adapters/oci/index.js";
import { registryAvailability, startRegistry, type TestRegistry } from "../oci/registry-process.js";
import { collect, rejection, startLifecycleServer, type LifecycleServer } from "./graph-lifecycle-server.js";

let s: LifecycleServer;

beforeAll(async () => {
  s = await startLifecycleServer();
});
afterAll(async () => {
  await s?.close();
});

const deploy = (project: string, text: string, dryRun = false) =>
  s.client.unary(GraphService.method.deployGraph, { project, descriptor: text, dryRun });
const get = (name: string) => s.client.unary(GraphService.method.getGraph, { name });

describe("DeployGraph and GetGraph", () => {
  it("deploys a fixture descriptor given as YAML: Running, each service on a cluster with its replicas ready", async () => {
    const res = await deploy("p-hello", fixtureText("greeter.yaml"));
    expect(res.created).toBe(true);
    expect(res.decision).toMatchObject({ status: SolverStatus.OPTIMAL, strategy: "optimal" });
    expect(res.decision!.placement.greeter).toMatch(/^member\d$/);
    expect(res.graph).toMatchObject({ name: "greeter-graph", project: "p-hello", status: GraphStatus.RUNNING, version: "0.2.0" });

    const ready = await eventually(
      () => get("greeter-graph"),
      (r) => r.graph!.services.every((svc) => svc.readyReplicas === svc.desiredReplicas && svc.desiredReplicas > 0),
    );
    const g = ready.graph!;
    expect(g.services).toHaveLength(1);
    expect(g.services[0]).toMatchObject({
      name: "greeter",
      status: ServiceStatus.DEPLOYED,
      cluster: res.decision!.placement.greeter,
      desiredReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      cpu: 1,
      artifact: "oci://127.0.0.1:5000/fixtures/greeter",
    });
    expect(g.placement).toEqual(res.decision!.placement);
    expect(g.dashboardUrl).toMatch(/^http:\/\/grafana\.test\/d\//);
    expect(g.lastDecision).toMatchObject({ status: SolverStatus.OPTIMAL, strategy: "optimal", placement: g.placement });
    expect(g.lastDecision!.backend).not.toBe("");
    expect(g.lastDecision!.decidedAt).toBeDefined();
    expect(JSON.parse(g.descriptorJson).hdaGraph.id).toBe("greeter-graph");
    expect(g.createdAt).toBeDefined();
    expect(g.updatedAt).toBeDefined();
    // What Karmada holds matches what the RPC said.
    expect((await policyClusters(s.h.sim, "p-hello")).greeter).toEqual([g.services[0]!.cluster]);
  });

  it("deploys a three-service chain given as JSON, with exports/imports for its connection points", async () => {
    const res = await deploy("p-chain", descriptor(chain("g-chain")));
    expect(res.created).toBe(true);
    expect(res.graph!.services.map((svc) => [svc.name, svc.status, svc.connectionPoints])).toEqual([
      ["front", ServiceStatus.DEPLOYED, ["middle"]],
      ["middle", ServiceStatus.DEPLOYED, ["back"]],
      ["back", ServiceStatus.DEPLOYED, []],
    ]);
    expect(res.graph!.services.every((svc) => /^member\d$/.test(svc.cluster))).toBe(true);
    expect((await inventory(s.h.sim, "p-chain")).serviceexports).toEqual(["back", "middle"]);
  });

  it("is idempotent: the same descriptor again (as YAML) returns the graph with created=false", async () => {
    const first = await deploy("p-idem", descriptor(chain("g-idem")));
    const again = await deploy("p-idem", stringify(descriptorObject(chain("g-idem"))));
    expect(again.created).toBe(false);
    expect(again.graph!.placement).toEqual(first.graph!.placement);
    expect(again.decision?.decidedAt).toEqual(first.decision?.decidedAt);
  });

  it("ALREADY_EXISTS for a different descriptor under an existing id", async () => {
    await deploy("p-exists", descriptor(chain("g-exists")));
    const r = await rejection(deploy("p-exists", descriptor(chain("g-exists", { description: "changed" }))));
    expect(r.code).toBe(grpc.status.ALREADY_EXISTS);
    expect(r.details).toContain("g-exists");
  });

  it("INVALID_ARGUMENT carries BadRequest field violations with HDAG paths, and writes nothing", async () => {
    const doc = descriptorObject(chain("g-bad")) as { hdaGraph: { services: { deployment: { intent: { compute: { cpu: string } } } }[] } };
    doc.hdaGraph.services[1]!.deployment.intent.compute.cpu = "enormous";
    const r = await rejection(deploy("p-bad", JSON.stringify(doc)));
    expect(r.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.violations.map((v) => v.field)).toContain("hdaGraph.services[1].deployment.intent.compute.cpu");
    expect(r.violations.every((v) => v.description.length > 0)).toBe(true);
    expect((await rejection(get("g-bad"))).code).toBe(grpc.status.NOT_FOUND);
    expect(await inventory(s.h.sim, "p-bad")).toEqual(EMPTY);

    const notYaml = await rejection(deploy("p-bad", "hdaGraph: [unclosed"));
    expect(notYaml.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(notYaml.violations.length).toBeGreaterThan(0);
  });

  it("INVALID_ARGUMENT on the request fields: project, descriptor/artifact exclusivity, descriptor size", async () => {
    const project = await rejection(deploy("Not_A_Namespace", descriptor(chain("g-proj"))));
    expect(project).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(project.violations.map((v) => v.field)).toEqual(["project"]);

    const both = await rejection(s.client.unary(GraphService.method.deployGraph, { project: "p", descriptor: "x", artifact: "oci://h/r" }));
    expect(both.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(both.violations.map((v) => v.field)).toEqual(["descriptor", "artifact"]);
    const neither = await rejection(s.client.unary(GraphService.method.deployGraph, { project: "p" }));
    expect(neither.violations.map((v) => v.field)).toEqual(["descriptor", "artifact"]);

    const big = await rejection(deploy("p", `# ${"x".repeat(MAX_DESCRIPTOR_BYTES)}\n`));
    expect(big.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(big.violations).toEqual([{ field: "descriptor", description: expect.stringContaining(`at most ${MAX_DESCRIPTOR_BYTES}`) }]);

    // This server has no artifact source (the OCI tests below wire one).
    const noSource = await rejection(s.client.unary(GraphService.method.deployGraph, { project: "p", artifact: "oci://127.0.0.1:1/x/y:1" }));
    expect(noSource).toMatchObject({ code: grpc.status.FAILED_PRECONDITION, details: expect.stringContaining("no OCI artifact source") });
  });

  it("a dry run returns the decision and a draft, and writes nothing", async () => {
    const res = await deploy("p-dry", descriptor(chain("g-dry")), true);
    expect(res.created).toBe(false);
    expect(res.decision?.status).toBe(SolverStatus.OPTIMAL);
    expect(Object.keys(res.decision!.placement).sort()).toEqual(["back", "front", "middle"]);
    expect(res.graph!.services.map((svc) => svc.cluster)).toEqual(["front", "middle", "back"].map((n) => res.decision!.placement[n]));
    expect((await rejection(get("g-dry"))).code).toBe(grpc.status.NOT_FOUND);
    expect(await inventory(s.h.sim, "p-dry")).toEqual(EMPTY);
  });

  it("GetGraph: NOT_FOUND for an unknown graph, INVALID_ARGUMENT without a name", async () => {
    expect(await rejection(get("ghost"))).toMatchObject({ code: grpc.status.NOT_FOUND });
    expect((await rejection(get(""))).violations.map((v) => v.field)).toEqual(["name"]);
  });
});

describe("ListGraphs", () => {
  it("lists by project with live replicas and without the descriptor", async () => {
    await deploy("p-list", descriptor(chain("g-list-a")));
    // Service ids name Kubernetes objects: a second graph of the project needs its own.
    const prefixed = chain("g-list-b").services.map((svc) => ({ ...svc, id: `b-${svc.id}`, connectionPoints: svc.connectionPoints?.map((c) => `b-${c}`) }));
    await deploy("p-list", descriptor({ id: "g-list-b", services: prefixed }));
    await deploy("p-list-other", descriptor(chain("g-list-c")));
    const listed = await eventually(
      () => s.client.unary(GraphService.method.listGraphs, { project: "p-list" }),
      (r) => r.graphs.every((g) => g.services.every((svc) => svc.readyReplicas === svc.desiredReplicas)),
    );
    expect(listed.graphs.map((g) => g.name)).toEqual(["g-list-a", "g-list-b"]);
    expect(listed.graphs.every((g) => g.status === GraphStatus.RUNNING && g.descriptorJson === "")).toBe(true);
    expect(listed.graphs[0]!.services.map((svc) => svc.readyReplicas)).toEqual([1, 1, 1]);
    const all = await s.client.unary(GraphService.method.listGraphs, {});
    expect(all.graphs.map((g) => g.name)).toEqual(expect.arrayContaining(["g-list-a", "g-list-b", "g-list-c"]));
  });
});

describe("StopGraph, StartGraph, ReplaceGraph, RemoveGraph", () => {
  it("walks the states, with FAILED_PRECONDITION where the state forbids the call", async () => {
    const deployed = await deploy("p-ops", descriptor(chain("g-ops")));
    const placement = deployed.graph!.placement;

    const stopped = (await s.client.unary(GraphService.method.stopGraph, { name: "g-ops" })).graph!;
    expect(stopped.status).toBe(GraphStatus.STOPPED);
    expect(stopped.services.every((svc) => svc.status === ServiceStatus.NOT_DEPLOYED)).toBe(true);
    expect(await inventory(s.h.sim, "p-ops")).toEqual(EMPTY);
    expect((await rejection(s.client.unary(GraphService.method.stopGraph, { name: "g-ops" }))).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect((await rejection(s.client.unary(GraphService.method.replaceGraph, { name: "g-ops" }))).code).toBe(grpc.status.FAILED_PRECONDITION);

    const started = (await s.client.unary(GraphService.method.startGraph, { name: "g-ops" })).graph!;
    expect(started.status).toBe(GraphStatus.RUNNING);
    expect(started.placement).toEqual(placement);
    expect((await inventory(s.h.sim, "p-ops")).deployments).toEqual(["back", "front", "middle"]);
    const again = await rejection(s.client.unary(GraphService.method.startGraph, { name: "g-ops" }));
    expect(again.code).toBe(grpc.status.FAILED_PRECONDITION);

    const replaced = await s.client.unary(GraphService.method.replaceGraph, {
      name: "g-ops",
      strategy: "energy",
      weights: { moves: 2, energy: 1 },
    });
    expect(replaced.decision).toMatchObject({ strategy: "energy" });
    expect([SolverStatus.OPTIMAL, SolverStatus.FEASIBLE]).toContain(replaced.decision!.status);
    expect(replaced.decision!.reason).not.toBe("");
    expect(replaced.graph!.placement).toEqual(replaced.decision!.placement);
    expect(replaced.graph!.lastDecision?.strategy).toBe("energy");
    const policies = await policyClusters(s.h.sim, "p-ops");
    for (const svc of ["front", "middle", "back"]) expect(policies[svc]).toEqual([replaced.decision!.placement[svc]]);

    await s.client.unary(GraphService.method.removeGraph, { name: "g-ops" });
    expect((await rejection(get("g-ops"))).code).toBe(grpc.status.NOT_FOUND);
    expect(await inventory(s.h.sim, "p-ops")).toEqual(EMPTY);
    expect((await rejection(s.client.unary(GraphService.method.removeGraph, { name: "g-ops" }))).code).toBe(grpc.status.NOT_FOUND);
  });

  it("re-placing with the energy strategy moves a service off a member whose energy cost went up", async () => {
    await deploy("p-move", descriptor({ id: "g-move", services: [{ id: "solo", cpu: "small" }] }));
    const moving = (await get("g-move")).graph!;
    expect(moving).toMatchObject({ replicasLive: true, pendingActions: 0 });
    const before = moving.services[0]!.cluster;
    await s.client.unary(ClusterService.method.setClusterProfile, { name: before, profile: { energyCost: 50, pue: 1 } });
    const replaced = await s.client.unary(GraphService.method.replaceGraph, { name: "g-move", strategy: "energy", weights: { moves: 0 } });
    expect(replaced.decision!.moved).toEqual(["solo"]);
    expect(replaced.graph!.services[0]!.cluster).not.toBe(before);
    await s.client.unary(ClusterService.method.setClusterProfile, { name: before, profile: { energyCost: 1, pue: 1 } });
  });

  it("ReplaceGraph rejects bad weights and an unknown strategy with field violations", async () => {
    await deploy("p-weights", descriptor(chain("g-weights")));
    const neg = await rejection(s.client.unary(GraphService.method.replaceGraph, { name: "g-weights", weights: { moves: -1, traffic: Number.NaN } }));
    expect(neg.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(neg.violations.map((v) => v.field)).toEqual(["weights.moves", "weights.traffic"]);
    const strategy = await rejection(s.client.unary(GraphService.method.replaceGraph, { name: "g-weights", strategy: "telepathy" }));
    expect(strategy.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(strategy.violations.map((v) => v.field)).toEqual(["strategy"]);
    expect((await rejection(s.client.unary(GraphService.method.replaceGraph, { name: "ghost" }))).code).toBe(grpc.status.NOT_FOUND);
  });
});

describe("WatchGraph", () => {
  const watch = (name: string, afterEventId = 0n, signal?: AbortSignal) =>
    s.client.serverStream(GraphService.method.watchGraph, { name, afterEventId }, signal);
  const types = (events: { event?: GraphEvent }[]) => events.map((e) => e.event!.type);

  it("streams the past events, then live ones, resumes after an id, and ends after removal", async () => {
    await deploy("p-watch", descriptor(chain("g-watch")));
    const past = await collect(watch("g-watch"), (m) => m.event?.type === "deployed");
    expect(types(past)).toEqual(["placed", "deployed"]);
    expect(past[0]!.event).toMatchObject({ graph: "g-watch", service: "" });
    expect(past[0]!.event!.id < past[1]!.event!.id).toBe(true);
    expect(JSON.parse(past[0]!.event!.detailsJson).strategy).toBe("optimal");
    expect(past[0]!.event!.occurredAt).toBeDefined();

    // Live: a watcher from after "deployed" sees stop and start as they happen, then the removal ends the stream.
    const live = collect(watch("g-watch", past[1]!.event!.id));
    await s.client.unary(GraphService.method.stopGraph, { name: "g-watch" });
    await s.client.unary(GraphService.method.startGraph, { name: "g-watch" });
    await s.client.unary(GraphService.method.removeGraph, { name: "g-watch" });
    const rest = await live;
    expect(types(rest)).toEqual(["stopped", "started", "removed"]);
    expect(rest.every((m) => m.event!.id > past[1]!.event!.id)).toBe(true);
  });

  it("resuming after an id skips what came before", async () => {
    await deploy("p-resume", descriptor(chain("g-resume")));
    const all = await collect(watch("g-resume"), (m) => m.event?.type === "deployed");
    const after = await collect(watch("g-resume", all[0]!.event!.id), () => true);
    expect(after.map((m) => m.event!.id)).toEqual([all[1]!.event!.id]);
  });

  it("NOT_FOUND for an unknown graph before any message; a cancelled watch ends", async () => {
    await expect(collect(watch("ghost"))).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(collect(watch("ghost", -1n))).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    await deploy("p-cancel", descriptor(chain("g-cancel")));
    const stop = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      try {
        for await (const m of watch("g-cancel", 0n, stop.signal)) {
          seen.push(m.event!.type);
          if (seen.length === 2) stop.abort();
        }
      } catch (err) {
        if (!stop.signal.aborted) throw err;
      }
    })();
    await done;
    expect(seen).toEqual(["placed", "deployed"]);
  });
});

describe("ClusterService", () => {
  it("ListClusters and SyncClusters return the members with capacity and profile", async () => {
    const { clusters } = await s.client.unary(ClusterService.method.syncClusters, {});
    expect(clusters.map((c) => c.name)).toEqual(["member1", "member2", "member3"]);
    expect(clusters.every((c) => c.ready && c.cpuAllocatable > 0 && c.memoryAllocatableBytes > 0n)).toBe(true);
    expect(clusters[0]!.gpus).toBeGreaterThan(0);
    expect(clusters[1]!.gpus).toBe(0);
    expect(clusters[0]!.profile).toMatchObject({ energyCost: 1, pue: 1 });
    expect(clusters[0]!.syncedAt).toBeDefined();
    const listed = await s.client.unary(ClusterService.method.listClusters, {});
    expect(listed.clusters.map((c) => c.name)).toEqual(["member1", "member2", "member3"]);
  });

  it("SetClusterProfile stores the profile (GPU override optional) and placement uses it", async () => {
    const { cluster } = await s.client.unary(ClusterService.method.setClusterProfile, {
      name: "member3",
      profile: { energyCost: 0.2, carbonIntensity: 120, pue: 1.3, location: "eu-west", gpus: 2 },
    });
    expect(cluster).toMatchObject({ name: "member3", profile: { energyCost: 0.2, carbonIntensity: 120, pue: 1.3, location: "eu-west", gpus: 2 } });
    const listed = (await s.client.unary(ClusterService.method.listClusters, {})).clusters.find((c) => c.name === "member3")!;
    expect(listed.profile?.gpus).toBe(2);
    // Back to Karmada's GPU count: gpus unset.
    const reset = await s.client.unary(ClusterService.method.setClusterProfile, { name: "member3", profile: { energyCost: 1, pue: 1 } });
    expect(reset.cluster!.profile!.gpus).toBeUndefined();
  });

  it("NOT_FOUND for an unknown cluster; INVALID_ARGUMENT with the profile's field paths", async () => {
    const unknown = await rejection(s.client.unary(ClusterService.method.setClusterProfile, { name: "member9", profile: { energyCost: 1 } }));
    expect(unknown.code).toBe(grpc.status.NOT_FOUND);
    const bad = await rejection(
      s.client.unary(ClusterService.method.setClusterProfile, { name: "member1", profile: { energyCost: -1, pue: 0.5, gpus: -2 } }),
    );
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).toEqual(["profile.energy_cost", "profile.pue", "profile.gpus"]);
    const missing = await rejection(s.client.unary(ClusterService.method.setClusterProfile, { name: "" }));
    expect(missing.violations.map((v) => v.field)).toEqual(["name", "profile"]);
  });
});

describe.skipIf(registryAvailability.skip)(`DeployGraph from an oci:// artifact on docker-registry${registryAvailability.reason}`, () => {
  let reg: TestRegistry;
  let oci: LifecycleServer;

  beforeAll(async () => {
    reg = await startRegistry();
    const insecureRegistries = [reg.host];
    oci = await startLifecycleServer({ lifecycle: { artifacts: createOciArtifactSource({ insecureRegistries }) } });
  });
  afterAll(async () => {
    await oci?.close();
    await reg?.stop();
  });

  it("pulls the descriptor pushed as hdarctl does, deploys it, and resolves a reference without tag", async () => {
    const pushed = await pushDescriptorText(descriptor({ ...chain("g-oci"), version: "1.2.0" }), `oci://${reg.host}/hdags`, {
      insecureRegistries: [reg.host],
    });
    expect(pushed.reference).toContain("hdags/g-oci:1.2.0");
    const res = await oci.client.unary(GraphService.method.deployGraph, { project: "p-oci", artifact: `oci://${reg.host}/hdags/g-oci:1.2.0` });
    expect(res.created).toBe(true);
    expect(res.graph).toMatchObject({ name: "g-oci", version: "1.2.0", status: GraphStatus.RUNNING });
    // No tag: the highest SemVer tag, i.e. the same descriptor, so the deploy is a no-op.
    const again = await oci.client.unary(GraphService.method.deployGraph, { project: "p-oci", artifact: `oci://${reg.host}/hdags/g-oci` });
    expect(again.created).toBe(false);
  });

  it("a malformed reference is INVALID_ARGUMENT on `artifact`; a missing one NOT_FOUND", async () => {
    const bad = await rejection(oci.client.unary(GraphService.method.deployGraph, { project: "p-oci", artifact: "ftp://nowhere/x" }));
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.violations.map((v) => v.field)).toEqual(["artifact"]);
    const missing = await rejection(oci.client.unary(GraphService.method.deployGraph, { project: "p-oci", artifact: `oci://${reg.host}/hdags/nothing:1.0.0` }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
  });
});
