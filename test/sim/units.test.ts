// Pure parts of the simulator: quantities, selectors, the three patch flavours, placement decisions, the
// protobuf decoder for kubectl's typed requests, and the store's watch history.
import { describe, expect, it } from "vitest";
import { clusterSpecs } from "../../src/sim/config.js";
import { assignReplicas, candidateClusters, divideByWeight, selectPolicy, type ClusterView } from "../../src/sim/placement.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "../../src/sim/patch.js";
import { decodeKubernetesProtobuf } from "../../src/sim/protobuf.js";
import { formatBytes, formatCpu, parseBytes, parseCpuMillis } from "../../src/sim/quantity.js";
import { NAMESPACES } from "../../src/sim/resources.js";
import { fieldMatcher, labelMatcher, structuredMatcher } from "../../src/sim/selectors.js";
import { ObjectStore } from "../../src/sim/store.js";
import { InvalidArgumentError } from "../../src/core/errors.js";
import { ApiError } from "../../src/sim/api-error.js";

describe("quantities", () => {
  it("parses CPU and memory like Kubernetes", () => {
    expect(parseCpuMillis("500m")).toBe(500);
    expect(parseCpuMillis("2")).toBe(2000);
    expect(parseCpuMillis("0.25")).toBe(250);
    expect(parseCpuMillis(1.5)).toBe(1500);
    expect(parseBytes("64Gi")).toBe(64 * 2 ** 30);
    expect(parseBytes("1G")).toBe(1e9);
    expect(parseBytes("1.5Mi")).toBe(1.5 * 2 ** 20);
    expect(parseBytes("2e3")).toBe(2000);
    expect(parseCpuMillis("lots")).toBeUndefined();
    expect(parseBytes("-1Gi")).toBeUndefined();
    expect(formatCpu(2500)).toBe("2500m");
    expect(formatCpu(3000)).toBe("3");
    expect(formatBytes(3 * 2 ** 30)).toBe("3Gi");
    expect(formatBytes(1536 * 2 ** 20)).toBe("1536Mi");
    expect(formatBytes(1000)).toBe("1000");
  });
});

describe("selectors", () => {
  it("matches label selector strings with =, !=, in, notin, exists and !", () => {
    const labels = { app: "web", tier: "front", env: "prod" };
    expect(labelMatcher("app=web,tier!=back")(labels)).toBe(true);
    expect(labelMatcher("app==web")(labels)).toBe(true);
    expect(labelMatcher("env in (prod, staging),tier notin (back)")(labels)).toBe(true);
    expect(labelMatcher("env in (dev)")(labels)).toBe(false);
    expect(labelMatcher("app")(labels)).toBe(true);
    expect(labelMatcher("!app")(labels)).toBe(false);
    expect(labelMatcher("missing!=x")(labels)).toBe(true);
    expect(() => labelMatcher("a=b=c")).toThrow(ApiError);
  });

  it("matches structured selectors and field selectors", () => {
    expect(structuredMatcher({ matchLabels: { a: "1" }, matchExpressions: [{ key: "b", operator: "Exists" }] })({ a: "1", b: "" })).toBe(true);
    expect(structuredMatcher({ matchExpressions: [{ key: "b", operator: "DoesNotExist" }] })({ b: "x" })).toBe(false);
    expect(structuredMatcher(undefined)({})).toBe(true);
    expect(fieldMatcher("metadata.name=x,metadata.namespace!=y")({ name: "x", namespace: "z" })).toBe(true);
    expect(() => fieldMatcher("spec.nodeName=n")).toThrow(/field label not supported/);
  });
});

describe("patches", () => {
  const dep = {
    metadata: { name: "d", labels: { a: "1" } },
    spec: {
      replicas: 1,
      template: {
        spec: {
          containers: [
            { name: "main", image: "m:1", ports: [{ containerPort: 80, protocol: "TCP" }], resources: { requests: { cpu: "1" } } },
            { name: "side", image: "s:1" },
          ],
        },
      },
    },
  };

  it("merge patch: objects merge, null deletes, lists replace", () => {
    expect(mergePatch(dep, { metadata: { labels: { a: null, b: "2" } } }).metadata).toEqual({ name: "d", labels: { b: "2" } });
    expect(mergePatch(dep, { spec: { template: { spec: { containers: [] } } } }).spec.template.spec.containers).toEqual([]);
  });

  it("strategic merge patch: lists merge by key, honouring kubectl's directives", () => {
    const set = strategicMergePatch(dep, {
      spec: {
        template: {
          spec: {
            $setElementOrder: undefined,
            "$setElementOrder/containers": [{ name: "side" }, { name: "main" }],
            containers: [{ name: "main", resources: { requests: { cpu: "2", memory: "1Gi" } }, ports: [{ containerPort: 8080 }] }],
          },
        },
      },
    });
    const containers = set.spec.template.spec.containers;
    expect(containers.map((c: { name: string }) => c.name)).toEqual(["side", "main"]);
    expect(containers[1]).toMatchObject({ image: "m:1", resources: { requests: { cpu: "2", memory: "1Gi" } } });
    expect(containers[1].ports).toEqual([{ containerPort: 80, protocol: "TCP" }, { containerPort: 8080 }]);

    const deleted = strategicMergePatch(dep, { spec: { template: { spec: { containers: [{ name: "side", $patch: "delete" }] } } } });
    expect(deleted.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(["main"]);
    const replaced = strategicMergePatch(dep, { spec: { template: { spec: { containers: [{ name: "x", image: "x" }, { $patch: "replace" }] } } } });
    expect(replaced.spec.template.spec.containers).toEqual([{ name: "x", image: "x" }]);
    const mapReplaced = strategicMergePatch(dep, { metadata: { labels: { $patch: "replace", z: "9" } } });
    expect(mapReplaced.metadata.labels).toEqual({ z: "9" });
    const retained = strategicMergePatch({ spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } }, {
      spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } },
    });
    expect(retained.spec.strategy).toEqual({ type: "Recreate" });
    const prim = strategicMergePatch({ metadata: { finalizers: ["a", "b"] } }, { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } });
    expect(prim.metadata.finalizers).toEqual(["b"]);
    const svc = strategicMergePatch({ spec: { ports: [{ port: 80, name: "web" }] } }, { spec: { ports: [{ port: 443, name: "tls" }] } });
    expect(svc.spec.ports).toEqual([{ port: 80, name: "web" }, { port: 443, name: "tls" }]);
  });

  it("JSON patch applies RFC 6902 operations and fails a test op with 422", () => {
    expect(jsonPatch(dep, [{ op: "replace", path: "/spec/replicas", value: 5 }]).spec.replicas).toBe(5);
    expect(jsonPatch(dep, [{ op: "add", path: "/metadata/labels/b", value: "2" }]).metadata.labels).toEqual({ a: "1", b: "2" });
    expect(dep.spec.replicas).toBe(1); // the input is not mutated
    try {
      jsonPatch(dep, [{ op: "test", path: "/spec/replicas", value: 3 }]);
      expect.unreachable();
    } catch (err) {
      expect((err as ApiError).code).toBe(422);
    }
    expect(() => jsonPatch(dep, [{ op: "remove", path: "/nope/x" }])).toThrow(/could not be applied/);
  });
});

describe("placement", () => {
  const views: ClusterView[] = [
    { name: "a", labels: { zone: "1" }, region: "eu", availableReplicas: 10 },
    { name: "b", labels: { zone: "2" }, region: "us", availableReplicas: 2 },
    { name: "c", labels: { zone: "1" }, region: "eu", availableReplicas: 0 },
  ];

  it("divides by largest remainder", () => {
    expect(Object.fromEntries(divideByWeight(5, new Map([["a", 1], ["b", 1]])))).toEqual({ a: 3, b: 2 });
    expect(Object.fromEntries(divideByWeight(10, new Map([["a", 2], ["b", 1], ["c", 1]])))).toEqual({ a: 5, b: 3, c: 2 });
    expect(Object.fromEntries(divideByWeight(0, new Map([["a", 1]])))).toEqual({ a: 0 });
  });

  it("picks candidates by names, exclusions, labels and region; Duplicated by default", () => {
    expect(candidateClusters({ clusterAffinity: { clusterNames: ["a", "b", "zz"] } }, views).map((v) => v.name)).toEqual(["a", "b"]);
    expect(candidateClusters({ clusterAffinity: { labelSelector: { matchLabels: { zone: "1" } }, exclude: ["c"] } }, views).map((v) => v.name)).toEqual(["a"]);
    expect(
      candidateClusters({ clusterAffinity: { fieldSelector: { matchExpressions: [{ key: "region", operator: "In", values: ["us"] }] } } }, views).map((v) => v.name),
    ).toEqual(["b"]);
    expect(candidateClusters({ clusterAffinities: [{ clusterNames: ["none"] }, { clusterNames: ["c"] }] }, views).map((v) => v.name)).toEqual(["c"]);
    expect(candidateClusters(undefined, views)).toHaveLength(3);
    expect(Object.fromEntries(assignReplicas(undefined, 3, views.slice(0, 2)))).toEqual({ a: 3, b: 3 });
  });

  it("divides by static weights, available replicas, or aggregates", () => {
    const divided = (weightPreference: unknown, pref = "Weighted") => ({
      replicaScheduling: { replicaSchedulingType: "Divided", replicaDivisionPreference: pref, weightPreference },
    });
    const staticW = divided({ staticWeightList: [{ targetCluster: { clusterNames: ["a"] }, weight: 2 }, { targetCluster: { labelSelector: { matchLabels: { zone: "2" } } }, weight: 1 }] });
    expect(Object.fromEntries(assignReplicas(staticW, 6, views))).toEqual({ a: 4, b: 2 });
    expect(Object.fromEntries(assignReplicas(divided({ dynamicWeight: "AvailableReplicas" }), 6, views))).toEqual({ a: 5, b: 1 });
    expect(Object.fromEntries(assignReplicas(divided(undefined, "Aggregated"), 6, views))).toEqual({ a: 6 });
    expect(Object.fromEntries(assignReplicas(divided(undefined, "Aggregated"), 11, views))).toEqual({ a: 10, b: 1 });
    expect(Object.fromEntries(assignReplicas(divided(undefined), 3, views))).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("prefers a namespaced policy, then priority, then the most specific selector", () => {
    const d = { metadata: { name: "web", namespace: "ns", labels: { app: "web" } } };
    const pp = (name: string, sel: Record<string, unknown>, priority = 0) => ({
      kind: "PropagationPolicy",
      metadata: { name, namespace: "ns" },
      spec: { priority, resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment", ...sel }] },
    });
    const cpp = { kind: "ClusterPropagationPolicy", metadata: { name: "all" }, spec: { priority: 100, resourceSelectors: [{ apiVersion: "apps/v1", kind: "Deployment" }] } };
    expect(selectPolicy(d, "apps/v1", "Deployment", [pp("by-label", { labelSelector: { matchLabels: { app: "web" } } }), pp("by-name", { name: "web" })], [cpp])!.metadata.name).toBe("by-name");
    expect(selectPolicy(d, "apps/v1", "Deployment", [pp("by-label", { labelSelector: { matchLabels: { app: "web" } } }, 5), pp("by-name", { name: "web" })], [])!.metadata.name).toBe("by-label");
    expect(selectPolicy(d, "apps/v1", "Deployment", [pp("other", { name: "api" })], [cpp])!.metadata.name).toBe("all");
    expect(selectPolicy(d, "apps/v1", "Deployment", [pp("svc", { name: "web", kind: "Service", apiVersion: "v1" })], [])).toBeUndefined();
  });
});

describe("configuration", () => {
  it("generates members with GPUs on the first K, or takes a config list", () => {
    const specs = clusterSpecs({ clusters: 3, gpuClusters: 1, clusterCpu: 8, clusterMemory: "32Gi" });
    expect(specs.map((s) => [s.name, s.cpu, s.memory, s.gpus])).toEqual([
      ["member1", 8, 32 * 2 ** 30, 4],
      ["member2", 8, 32 * 2 ** 30, 0],
      ["member3", 8, 32 * 2 ** 30, 0],
    ]);
    const cfg = clusterSpecs({ config: { clusters: [{ name: "edge-1", cpu: "2500m", memory: "4Gi", gpus: 1, region: "eu", labels: { tier: "edge" } }] } });
    expect(cfg[0]).toMatchObject({ name: "edge-1", cpu: 2.5, memory: 4 * 2 ** 30, gpus: 1, region: "eu", labels: { tier: "edge" } });
  });

  it("names the offending field of a bad configuration", () => {
    try {
      clusterSpecs({ config: { clusters: [{ name: "Bad_Name" }, { name: "ok", memory: "lots" }] } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(["config.clusters[0].name", "config.clusters[1].memory"]);
    }
    expect(() => clusterSpecs({ clusters: 2, gpuClusters: 3 })).toThrow(/gpuClusters/);
  });
});

describe("kubectl protobuf bodies", () => {
  it("decodes what `kubectl create deployment web --image=nginx:1.27 --port=80 --replicas=2` sends", () => {
    // Captured from kubectl 1.32.
    const hex =
      "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c1010a230a0377656212001a0464656d6f22002a003200380042005a0a0a036170701203776562128b010802120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a003200380042005a0a0a036170701203776562125112330a056e67696e78120a6e67696e783a312e32372a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200";
    expect(decodeKubernetesProtobuf(Buffer.from(hex, "hex"))).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "demo", labels: { app: "web" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] } },
      },
    });
  });

  it("rejects protobuf it cannot decode with 415", () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from("not protobuf"))).toThrow(expect.objectContaining({ code: 415 }));
    // A ConfigMap envelope: k8s\0 + Unknown{typeMeta{v1, ConfigMap}}.
    const cm = Buffer.concat([Buffer.from("k8s\0", "binary"), Buffer.from("0a0f0a02763112094", "hex")]);
    expect(() => decodeKubernetesProtobuf(cm)).toThrow(ApiError);
  });
});

describe("store", () => {
  it("replays events after a resourceVersion and expires versions older than its history", () => {
    const store = new ObjectStore({ historySize: 3 });
    const ns = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
    const a = store.insert(NAMESPACES, ns("a"));
    const rvA = Number(a.metadata.resourceVersion);
    store.insert(NAMESPACES, ns("b"));
    store.remove(NAMESPACES, undefined, "a");
    expect(store.eventsSince(rvA).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED b", "DELETED a"]);
    store.insert(NAMESPACES, ns("c"));
    store.insert(NAMESPACES, ns("d"));
    expect(() => store.eventsSince(rvA)).toThrow(expect.objectContaining({ code: 410, reason: "Expired" }));
    expect(store.eventsSince(store.currentRv())).toEqual([]);
    expect(store.list(NAMESPACES).map((o) => o.metadata.name)).toEqual(["b", "c", "d"]);
  });
});
