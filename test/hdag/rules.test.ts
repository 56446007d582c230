// One test per validation rule: each changes one field of a valid descriptor and asserts the exact path
// (and severity) of what is reported, plus the "expected … found …" wording where it matters.
import { describe, expect, it } from "vitest";
import { validateDescriptor, type HdagOptions, type ValidationResult } from "../../src/core/hdag/index.js";
import { validDoc, variant, type Doc } from "./fixture.js";

const S1 = "hdaGraph.services[1]";
const INTENT1 = `${S1}.deployment.intent`;
const EVENT2 = "hdaGraph.services[2].deployment.trigger.event";

function check(doc: unknown, opts?: HdagOptions): ValidationResult {
  return validateDescriptor(doc, opts);
}
const errorPaths = (doc: unknown, opts?: HdagOptions) => check(doc, opts).errors.map((e) => e.path);
const warningPaths = (doc: unknown, opts?: HdagOptions) => check(doc, opts).warnings.map((w) => w.path);
function onlyError(doc: Doc, path: string, message?: RegExp, opts?: HdagOptions): void {
  const r = check(doc, opts);
  expect(r.errors.map((e) => e.path)).toEqual([path]);
  if (message) expect(r.errors[0]!.message).toMatch(message);
}

describe("hdag rules", () => {
  it("the fixture is valid with no warning", () => {
    const r = check(validDoc());
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });

  describe("document", () => {
    it("an empty document is an error at hdaGraph", () => {
      for (const doc of [null, undefined, {}]) {
        expect(check(doc).errors).toEqual([{ path: "hdaGraph", severity: "error", message: expect.stringMatching(/empty document/) }]);
      }
    });
    it("a document without hdaGraph is an error at hdaGraph", () => {
      expect(errorPaths({ hdaGraf: {} })).toEqual(["hdaGraph"]);
      expect(warningPaths({ hdaGraf: {} })).toEqual(["hdaGraf"]);
      expect(errorPaths([1, 2])).toEqual(["hdaGraph"]);
      expect(errorPaths({ hdaGraph: "x" })).toEqual(["hdaGraph"]);
    });
    it("reports every error, not the first one", () => {
      const doc = variant((g, s) => {
        g.version = "one";
        s[0].deployment.intent.compute.cpu = "huge";
        s[2].artifact.ociConfig.type = "Chart";
      });
      expect(errorPaths(doc)).toEqual([
        "hdaGraph.version",
        "hdaGraph.services[0].deployment.intent.compute.cpu",
        "hdaGraph.services[2].artifact.ociConfig.type",
      ]);
    });
  });

  describe("imVersion", () => {
    it("must be 0.4.0 or 0.3.0", () => {
      onlyError(variant((g) => (g.imVersion = "0.5.0")), "hdaGraph.imVersion", /expected one of "0.4.0", "0.3.0", found string "0.5.0"/);
      onlyError(variant((g) => delete g.imVersion), "hdaGraph.imVersion", /found nothing/);
      onlyError(variant((g) => (g.imVersion = 0.4)), "hdaGraph.imVersion", /found number 0.4/);
    });
    it("0.3.0 is upgraded with a warning (string intent, resources class, empty network)", () => {
      const doc = variant((g, s) => {
        g.imVersion = "0.3.0";
        g.hdaGraphIntent = "Low latency";
        s[1].deployment.intent.network = "";
        delete s[1].deployment.intent.compute;
        s[1].deployment.intent.resources = "medium";
      });
      const r = check(doc);
      expect(r.errors).toEqual([]);
      expect(r.warnings.map((w) => w.path)).toEqual(["hdaGraph.imVersion", "hdaGraph.hdaGraphIntent"]);
    });
    it("0.3.0 resources must be a class", () => {
      const doc = variant((g, s) => {
        g.imVersion = "0.3.0";
        delete s[1].deployment.intent.compute;
        s[1].deployment.intent.resources = "tiny";
      });
      expect(errorPaths(doc)).toEqual([`${INTENT1}.resources`]);
    });
    it("the 0.3.0 forms are errors or warnings under 0.4.0", () => {
      onlyError(variant((g) => (g.hdaGraphIntent = "Low latency")), "hdaGraph.hdaGraphIntent");
      onlyError(variant((_, s) => (s[1].deployment.intent.network = "")), `${INTENT1}.network`);
      const doc = variant((_, s) => {
        delete s[1].deployment.intent.compute;
        s[1].deployment.intent.resources = "small";
      });
      expect(errorPaths(doc)).toEqual([`${INTENT1}.compute`]);
      expect(warningPaths(doc)).toEqual([`${INTENT1}.resources`]);
    });
  });

  describe("ids", () => {
    it("the graph id is required and an RFC 1123 label", () => {
      onlyError(variant((g) => delete g.id), "hdaGraph.id");
      onlyError(variant((g) => (g.id = "Demo_Graph")), "hdaGraph.id", /RFC 1123.*found string "Demo_Graph"/);
      onlyError(variant((g) => (g.id = "a".repeat(64))), "hdaGraph.id");
      expect(errorPaths(variant((g) => (g.id = "a".repeat(63))))).toEqual([]);
    });
    it("service ids are RFC 1123 labels", () => {
      for (const bad of ["Backend", "-backend", "backend-", "back.end", "", 7]) {
        const doc = variant((_, s) => (s[1].id = bad));
        // references to "backend" from the other services now point nowhere: only the id itself is asserted
        expect(errorPaths(doc)).toContain(`${S1}.id`);
      }
    });
    it("service ids start with a letter: they name Kubernetes Services (RFC 1035)", () => {
      const doc = variant((_, s) => (s[1].id = "2backend"));
      const r = check(doc);
      expect(r.errors.find((e) => e.path === `${S1}.id`)?.message).toMatch(/starting with a letter.*RFC 1035.*"2backend"/);
    });
    it("a duplicate service id is reported at its own index", () => {
      const doc = variant((_, s) => (s[2].id = "frontend"));
      const r = check(doc);
      expect(r.errors.filter((e) => e.path.endsWith(".id")).map((e) => e.path)).toEqual(["hdaGraph.services[2].id"]);
      expect(r.errors.find((e) => e.path === "hdaGraph.services[2].id")!.message).toMatch(/first at services\[0\]/);
    });
    it("a service id longer than Helm's 53 characters is a warning", () => {
      const long = "s".repeat(60);
      const doc = variant((_, s) => (s[2].id = long));
      expect(errorPaths(doc)).toEqual([
        "hdaGraph.services[0].deployment.intent.connectionPoints[1]",
        "hdaGraph.services[1].deployment.intent.connectionPoints[0]",
      ]);
      expect(warningPaths(doc)).toEqual(["hdaGraph.services[2].id"]);
    });
  });

  describe("version", () => {
    it("is SemVer 2.0", () => {
      for (const good of ["1.0.0", "2.1.0-rc.1", "0.1.0+build.5", "1.0.0-alpha.beta.1"]) {
        expect(errorPaths(variant((g) => (g.version = good)))).toEqual([]);
      }
      for (const bad of ["v1.0.0", "1.0", "01.0.0", "1.0.0-", "=1.0.0", "latest", 1, 1.5]) {
        onlyError(variant((g) => (g.version = bad)), "hdaGraph.version");
      }
    });
  });

  describe("services", () => {
    it("is a non-empty list", () => {
      onlyError(variant((g) => delete g.services), "hdaGraph.services", /found nothing/);
      onlyError(variant((g) => (g.services = [])), "hdaGraph.services", /found an empty list/);
      onlyError(variant((g) => (g.services = { id: "x" })), "hdaGraph.services", /found an object/);
    });
    it("each entry is an object", () => {
      const doc = variant((g) => g.services.push("oops"));
      expect(errorPaths(doc)).toEqual(["hdaGraph.services[3]"]);
    });
  });

  describe("compute", () => {
    it("cpu and ram are classes", () => {
      onlyError(variant((_, s) => (s[1].deployment.intent.compute.cpu = "huge")), `${INTENT1}.compute.cpu`, /expected one of "light", "small", "medium", "large", found string "huge"/);
      onlyError(variant((_, s) => (s[1].deployment.intent.compute.ram = "xl")), `${INTENT1}.compute.ram`);
      onlyError(variant((_, s) => delete s[1].deployment.intent.compute.cpu), `${INTENT1}.compute.cpu`, /found nothing/);
    });
    it("wrong types are errors, not coercions", () => {
      onlyError(variant((_, s) => (s[1].deployment.intent.compute.cpu = 4)), `${INTENT1}.compute.cpu`, /found number 4/);
      onlyError(variant((_, s) => (s[1].deployment.intent.compute = "small")), `${INTENT1}.compute`);
    });
    it("storage is small | medium | large (light is not a storage class)", () => {
      onlyError(variant((_, s) => (s[1].deployment.intent.compute.storage = "light")), `${INTENT1}.compute.storage`);
    });
    it("compute is required", () => {
      onlyError(variant((_, s) => delete s[1].deployment.intent.compute), `${INTENT1}.compute`);
    });
    it("gpu.enabled is a boolean or the string True/False", () => {
      for (const good of [true, false, "True", "False"]) {
        expect(errorPaths(variant((_, s) => (s[1].deployment.intent.compute.gpu.enabled = good)))).toEqual([]);
      }
      for (const bad of ["yes", "true", 1, null]) {
        onlyError(variant((_, s) => (s[1].deployment.intent.compute.gpu.enabled = bad)), `${INTENT1}.compute.gpu.enabled`);
      }
      onlyError(variant((_, s) => (s[1].deployment.intent.compute.gpu = true)), `${INTENT1}.compute.gpu`);
    });
    it("case slips get a hint", () => {
      const r = check(variant((_, s) => (s[1].deployment.intent.compute.cpu = "Small")));
      expect(r.errors[0]!.message).toMatch(/case-sensitive: write "small"/);
    });
  });

  describe("network", () => {
    const LAT0 = "hdaGraph.services[0].deployment.intent.network.latencies[0]";
    it("qos is ultralow | low | best-effort", () => {
      onlyError(variant((_, s) => (s[0].deployment.intent.network.latencies[0].qos = "fast")), `${LAT0}.qos`);
    });
    it("a latency connectionPoint names a service of the graph", () => {
      onlyError(variant((_, s) => (s[0].deployment.intent.network.latencies[0].connectionPoint = "db")), `${LAT0}.connectionPoint`, /found string "db"/);
    });
    it("an empty latency connectionPoint is ignored with a warning", () => {
      const doc = variant((_, s) => (s[0].deployment.intent.network.latencies[0].connectionPoint = ""));
      expect(errorPaths(doc)).toEqual([]);
      expect(warningPaths(doc)).toEqual([`${LAT0}.connectionPoint`]);
    });
    it("two latency intents for one connection point are an error at the second", () => {
      const doc = variant((_, s) => s[0].deployment.intent.network.latencies.push({ connectionPoint: "backend", qos: "ultralow" }));
      expect(errorPaths(doc)).toEqual(["hdaGraph.services[0].deployment.intent.network.latencies[1].connectionPoint"]);
    });
    it("a latency for a service that is not a connection point is a warning", () => {
      const doc = variant((_, s) => (s[1].deployment.intent.network.latencies = [{ connectionPoint: "frontend", qos: "low" }]));
      expect(warningPaths(doc)).toEqual([`${INTENT1}.network.latencies[0].connectionPoint`]);
    });
    it("deviceProximity.enabled is a boolean", () => {
      onlyError(variant((_, s) => (s[1].deployment.intent.network.deviceProximity.enabled = "on")), `${INTENT1}.network.deviceProximity.enabled`, /YAML 1.1/);
    });
  });

  describe("references", () => {
    it("connectionPoints name services of the graph", () => {
      onlyError(variant((_, s) => (s[0].deployment.intent.connectionPoints[1] = "kafka")), "hdaGraph.services[0].deployment.intent.connectionPoints[1]", /"frontend", "backend", "cache".*found string "kafka"/);
      onlyError(variant((_, s) => (s[0].deployment.intent.connectionPoints[1] = 3)), "hdaGraph.services[0].deployment.intent.connectionPoints[1]");
    });
    it("self and repeated connection points are warnings", () => {
      const doc = variant((_, s) => s[0].deployment.intent.connectionPoints.push("frontend", "cache"));
      expect(errorPaths(doc)).toEqual([]);
      expect(warningPaths(doc)).toEqual([
        "hdaGraph.services[0].deployment.intent.connectionPoints[2]",
        "hdaGraph.services[0].deployment.intent.connectionPoints[3]",
      ]);
    });
    it("coLocation ids name services of the graph unless grounded in another graph", () => {
      onlyError(variant((_, s) => (s[0].deployment.intent.coLocation[0].id = "nope")), "hdaGraph.services[0].deployment.intent.coLocation[0].id");
      onlyError(variant((_, s) => (s[0].deployment.intent.coLocation[0] = "backend")), "hdaGraph.services[0].deployment.intent.coLocation[0]");
      expect(errorPaths(validDoc())).toEqual([]); // services[2] co-locates with "store" of other-graph
    });
    it("auto.dependencies name services", () => {
      onlyError(variant((_, s) => (s[0].deployment.trigger.auto.dependencies = ["backend", "db"])), "hdaGraph.services[0].deployment.trigger.auto.dependencies[1]");
    });
    it("dependencies form no cycle (reported at the edge closing it)", () => {
      const doc = variant((_, s) => (s[1].deployment.trigger.auto.dependencies = ["frontend"]));
      onlyError(doc, `${S1}.deployment.trigger.auto.dependencies[0]`, /cycle frontend → backend → frontend/);
      onlyError(variant((_, s) => (s[1].deployment.trigger.auto.dependencies = ["backend"])), `${S1}.deployment.trigger.auto.dependencies[0]`, /backend → backend/);
    });
    it("a longer cycle through three services", () => {
      const doc = variant((_, s) => {
        s[1].deployment.trigger.auto.dependencies = ["cache"];
        s[2].deployment.trigger = { auto: { dependencies: ["frontend"] } };
      });
      onlyError(doc, "hdaGraph.services[2].deployment.trigger.auto.dependencies[0]", /frontend → backend → cache → frontend/);
    });
  });

  describe("trigger", () => {
    it("has exactly one of auto or event", () => {
      onlyError(variant((_, s) => delete s[0].deployment.trigger), "hdaGraph.services[0].deployment.trigger");
      onlyError(variant((_, s) => (s[0].deployment.trigger = {})), "hdaGraph.services[0].deployment.trigger");
      onlyError(variant((_, s) => (s[2].deployment.trigger.auto = {})), `${EVENT2}`, /found both/);
      const standard = variant((_, s) => (s[0].deployment.trigger = { type: "standard" }));
      expect(errorPaths(standard)).toEqual(["hdaGraph.services[0].deployment.trigger"]);
      expect(warningPaths(standard)).toEqual(["hdaGraph.services[0].deployment.trigger.type"]);
    });
    it("a bare auto (null) means no dependencies", () => {
      expect(errorPaths(variant((_, s) => (s[0].deployment.trigger = { auto: null })))).toEqual([]);
    });
    it("event.condition is ANY | ALL", () => {
      onlyError(variant((_, s) => (s[2].deployment.trigger.event.condition = "SOME")), `${EVENT2}.condition`);
      onlyError(variant((_, s) => delete s[2].deployment.trigger.event.condition), `${EVENT2}.condition`);
    });
    it("events is a non-empty list", () => {
      onlyError(variant((_, s) => (s[2].deployment.trigger.event.events = [])), `${EVENT2}.events`);
      onlyError(variant((_, s) => delete s[2].deployment.trigger.event.events), `${EVENT2}.events`);
    });
    it("each event has an id, unique within the service", () => {
      onlyError(variant((_, s) => delete s[2].deployment.trigger.event.events[0].id), `${EVENT2}.events[0].id`);
      const dup = variant((_, s) => s[2].deployment.trigger.event.events.push(structuredClone(s[2].deployment.trigger.event.events[0])));
      onlyError(dup, `${EVENT2}.events[1].id`, /first at events\[0\]/);
    });
    it("condition.promQuery is a non-empty string", () => {
      onlyError(variant((_, s) => (s[2].deployment.trigger.event.events[0].condition.promQuery = " ")), `${EVENT2}.events[0].condition.promQuery`);
      onlyError(variant((_, s) => delete s[2].deployment.trigger.event.events[0].condition), `${EVENT2}.events[0].condition`);
    });
    it("condition.gracePeriod is a Prometheus duration", () => {
      const path = `${EVENT2}.events[0].condition.gracePeriod`;
      for (const good of ["30s", "2m", "1h30m", "500ms", "1d", "2w", "1y", "1y2w3d4h5m6s7ms", "0"]) {
        expect(errorPaths(variant((_, s) => (s[2].deployment.trigger.event.events[0].condition.gracePeriod = good)))).toEqual([]);
      }
      for (const bad of ["2 minutes", "1m1h", "1.5m", "", "5", "-1m", "2M", "1s1s", "300000000y"]) {
        onlyError(variant((_, s) => (s[2].deployment.trigger.event.events[0].condition.gracePeriod = bad)), path);
      }
      onlyError(variant((_, s) => (s[2].deployment.trigger.event.events[0].condition.gracePeriod = 120)), path, /found number 120/);
    });
    it("source entries are {serviceId, metricId}; an outside serviceId is a warning", () => {
      const src = `${EVENT2}.events[0].source[0]`;
      onlyError(variant((_, s) => delete s[2].deployment.trigger.event.events[0].source[0].metricId), `${src}.metricId`);
      const outside = variant((_, s) => (s[2].deployment.trigger.event.events[0].source[0].serviceId = "vo"));
      expect(errorPaths(outside)).toEqual([]);
      expect(warningPaths(outside)).toEqual([`${src}.serviceId`]);
    });
  });

  describe("artifact", () => {
    const A = "hdaGraph.services[1].artifact";
    it("is required", () => {
      onlyError(variant((_, s) => delete s[1].artifact), A);
    });
    it("ociImage is an oci:// or https:// reference", () => {
      for (const good of ["oci://10.0.3.53:5000/test/x", "oci://host.docker.internal:5000/demo0/hello-world", "oci://r.io/a/b@sha256:" + "a".repeat(64), "https://charts.example.org/x-1.0.0.tgz"]) {
        expect(errorPaths(variant((_, s) => (s[1].artifact.ociImage = good)))).toEqual([]);
      }
      for (const bad of ["docker.io/x", "oci://", "oci://host", "oci://host/Upper", "http://host/x", "oci://ho st/x", ""]) {
        onlyError(variant((_, s) => (s[1].artifact.ociImage = bad)), `${A}.ociImage`);
      }
    });
    it("ociConfig.type is App | VO | cVO and implementer HELM | WOT", () => {
      onlyError(variant((_, s) => (s[1].artifact.ociConfig.type = "Chart")), `${A}.ociConfig.type`);
      onlyError(variant((_, s) => (s[1].artifact.ociConfig.implementer = "Helm")), `${A}.ociConfig.implementer`, /write "HELM"/);
      onlyError(variant((_, s) => delete s[1].artifact.ociConfig), `${A}.ociConfig`);
      expect(errorPaths(variant((_, s) => (s[1].artifact.ociConfig.type = "cVO")))).toEqual([]);
    });
    it("ociRun is required", () => {
      onlyError(variant((_, s) => delete s[1].artifact.ociRun), `${A}.ociRun`);
      onlyError(variant((_, s) => (s[1].artifact.ociRun.version = 3)), `${A}.ociRun.version`);
    });
    it("valuesOverwrite is optional and an object", () => {
      expect(errorPaths(variant((_, s) => delete s[1].artifact.valuesOverwrite))).toEqual([]);
      onlyError(variant((_, s) => (s[1].artifact.valuesOverwrite = ["a"])), `${A}.valuesOverwrite`);
    });
  });

  describe("graph intent", () => {
    const I = "hdaGraph.hdaGraphIntent";
    it("flags are {enabled: boolean}; absent is false", () => {
      onlyError(variant((g) => (g.hdaGraphIntent.security.enabled = "no")), `${I}.security.enabled`);
      onlyError(variant((g) => (g.hdaGraphIntent.energyEfficiency = {})), `${I}.energyEfficiency.enabled`);
      onlyError(variant((g) => (g.hdaGraphIntent.highPerformance = true)), `${I}.highPerformance`);
      expect(errorPaths(variant((g) => delete g.hdaGraphIntent))).toEqual([]);
    });
    it("highAvailability replica bounds are integers, max ≥ min", () => {
      onlyError(variant((g) => (g.hdaGraphIntent.highAvailability.maxReplicasOverall = 0)), `${I}.highAvailability.maxReplicasOverall`);
      onlyError(variant((g) => (g.hdaGraphIntent.highAvailability.minReplicasOverall = 20)), `${I}.highAvailability.maxReplicasOverall`);
    });
    it("useStaticPlacement is a boolean", () => {
      onlyError(variant((g) => (g.hdaGraphIntent.useStaticPlacement = "yes")), `${I}.useStaticPlacement`);
    });
    it("placementStrategy names a registered strategy (list passed in)", () => {
      onlyError(variant((g) => (g.hdaGraphIntent.placementStrategy = "magic")), `${I}.placementStrategy`, /"first-fit", "optimal", "energy"/);
      expect(errorPaths(variant((g) => (g.hdaGraphIntent.placementStrategy = "magic")), { placementStrategies: ["magic"] })).toEqual([]);
      onlyError(validDoc(), `${I}.placementStrategy`, undefined, { placementStrategies: ["first-fit"] });
    });
    it("scalingStrategy is reactive or forecast", () => {
      onlyError(variant((g) => (g.hdaGraphIntent.scalingStrategy = "psychic")), `${I}.scalingStrategy`);
    });
  });

  describe("scaling extension", () => {
    const SC = "hdaGraph.services[0].deployment.intent.scaling";
    it("alpha > 0", () => {
      onlyError(variant((_, s) => (s[0].deployment.intent.scaling.alpha = 0)), `${SC}.alpha`, /number > 0, found number 0/);
      onlyError(variant((_, s) => (s[0].deployment.intent.scaling.alpha = "5")), `${SC}.alpha`);
    });
    it("beta is a number", () => {
      onlyError(variant((_, s) => (s[0].deployment.intent.scaling.beta = "x")), `${SC}.beta`);
      expect(errorPaths(variant((_, s) => (s[0].deployment.intent.scaling.beta = -3)))).toEqual([]);
    });
    it("minReplicas ≥ 1 and maxReplicas ≥ minReplicas", () => {
      onlyError(variant((_, s) => (s[0].deployment.intent.scaling.minReplicas = 0)), `${SC}.minReplicas`);
      onlyError(variant((_, s) => (s[0].deployment.intent.scaling.minReplicas = 1.5)), `${SC}.minReplicas`);
      onlyError(variant((_, s) => (s[0].deployment.intent.scaling.maxReplicas = 1)), `${SC}.maxReplicas`, /≥ minReplicas \(2\)/);
    });
  });

  describe("container extension", () => {
    const C = "hdaGraph.services[0].artifact.container";
    it("image is a container image reference", () => {
      onlyError(variant((_, s) => delete s[0].artifact.container.image), `${C}.image`);
      onlyError(variant((_, s) => (s[0].artifact.container.image = "Nginx:latest")), `${C}.image`);
      expect(errorPaths(variant((_, s) => (s[0].artifact.container.image = "127.0.0.1:5000/app/web:1.0")))).toEqual([]);
    });
    it("ports are unique integers 1..65535", () => {
      onlyError(variant((_, s) => (s[0].artifact.container.ports = [70000])), `${C}.ports[0]`);
      onlyError(variant((_, s) => (s[0].artifact.container.ports = [80, 80])), `${C}.ports[1]`);
      onlyError(variant((_, s) => (s[0].artifact.container.ports = ["80"])), `${C}.ports[0]`);
    });
    it("env maps names to strings", () => {
      onlyError(variant((_, s) => (s[0].artifact.container.env = { PORT: 8080 })), `${C}.env.PORT`, /quote it/);
      onlyError(variant((_, s) => (s[0].artifact.container.env = { "1BAD": "x" })), `${C}.env["1BAD"]`);
    });
  });

  describe("unknown fields", () => {
    it("are warnings at their path, in every object kind", () => {
      const doc = variant((g, s) => {
        g.owner = "me";
        s[1].deployment.intent.compute.fpga = { enabled: true };
        s[2].artifact.ociConfig.flavour = "x";
      });
      expect(errorPaths(doc)).toEqual([]);
      expect(warningPaths(doc)).toEqual([
        "hdaGraph.owner",
        `${INTENT1}.compute.fpga`,
        "hdaGraph.services[2].artifact.ociConfig.flavour",
      ]);
    });
    it("the misplaced network.connectionPoints of real files gets a hint", () => {
      const r = check(variant((_, s) => (s[1].deployment.intent.network.connectionPoints = ["cache"])));
      expect(r.warnings[0]).toMatchObject({ path: `${INTENT1}.network.connectionPoints`, message: expect.stringMatching(/deployment.intent.connectionPoints/) });
    });
    it("keys that are not identifiers are bracket-quoted in paths", () => {
      expect(warningPaths(variant((g) => (g["my key"] = 1)))).toEqual(['hdaGraph["my key"]']);
    });
    it("free-form valuesOverwrite and metrics produce no warnings", () => {
      const doc = variant((_, s) => {
        s[1].artifact.valuesOverwrite = { anything: { goes: [1, 2] } };
        s[1].deployment.intent.metrics = [{ whatever: true }];
      });
      expect(check(doc).issues).toEqual([]);
    });
  });
});
