import { describe, expect, it } from "vitest";
import {
  formatReference,
  insecureRegistriesFromEnv,
  isInsecureRegistry,
  parseOciReference,
  parsePushTarget,
  readArtifactIdentity,
} from "../../src/adapters/oci/index.js";
import { registryBaseUrl } from "../../src/adapters/oci/reference.js";
import { FailedPreconditionError, InvalidArgumentError } from "../../src/core/errors.js";

const D = `sha256:${"a".repeat(64)}`;

describe("artifact references", () => {
  it.each([
    ["oci://127.0.0.1:5000/demo0/hello-world-graph", { scheme: "oci", registry: "127.0.0.1:5000", repository: "demo0/hello-world-graph" }],
    ["oci://Registry.Example.com/p/app:1.0.0", { registry: "registry.example.com", repository: "p/app", tag: "1.0.0" }],
    [`https://r.io/a/b/c@${D}`, { scheme: "https", repository: "a/b/c", digest: D }],
    [`http://host.docker.internal:5000/demo0/x:v1@${D}`, { scheme: "http", tag: "v1", digest: D }],
    ["oci://[::1]:5000/a__b.c-d/e:1.0.0_build.1", { registry: "[::1]:5000", repository: "a__b.c-d/e", tag: "1.0.0_build.1" }],
  ])("parses %s", (ref, expected) => {
    expect(parseOciReference(ref)).toMatchObject(expected);
  });

  it.each([
    ["127.0.0.1:5000/demo/x", /must start with/],
    ["ftp://r.io/a", /must start with/],
    ["oci://r.io", /missing repository/],
    ["oci://r.io/", /missing repository/],
    ["oci://r.io/Upper/case", /lower-case/],
    ["oci://r.io/a//b", /lower-case/],
    ["oci://r.io/a/", /lower-case/],
    ["oci://r.io/a:-bad", /tag/],
    ["oci://r.io/a@sha256:abc", /digest/],
    ["oci://user:pw@r.io/a", /credentials/],
    ["oci://r.io:99999/a", /port/],
    ["oci://bad_host/a", /host/],
    ["oci://r.io/a?x=1", /query/],
    ["oci://r.io/a b", /spaces/],
  ])("rejects %s", (ref, message) => {
    const err = (() => {
      try {
        parseOciReference(ref);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(message);
    expect((err as InvalidArgumentError).violations[0]!.field).toBe("reference");
  });

  it("formats back", () => {
    expect(formatReference(parseOciReference(`oci://r.io:5000/a/b:1.0.0@${D}`))).toBe(`oci://r.io:5000/a/b@${D}`);
    expect(formatReference(parseOciReference("oci://r.io/a/b:1.0.0"))).toBe("oci://r.io/a/b:1.0.0");
  });

  it("push targets name a project without tag", () => {
    expect(parsePushTarget("oci://r.io:5000/demo2")).toMatchObject({ registry: "r.io:5000", repository: "demo2" });
    expect(() => parsePushTarget("oci://r.io/demo2:1.0.0")).toThrow(InvalidArgumentError);
  });

  it("uses plain HTTP only for listed registries", () => {
    const insecure = insecureRegistriesFromEnv({ SMO_INSECURE_REGISTRIES: "127.0.0.1:5000, reg.local", INSECURE_REGISTRY: "http://nephele:5000" });
    expect(insecure).toEqual(["127.0.0.1:5000", "reg.local", "http://nephele:5000"]);
    expect(isInsecureRegistry("reg.local:8443", insecure)).toBe(true);
    expect(isInsecureRegistry("127.0.0.1:5001", insecure)).toBe(false);
    expect(registryBaseUrl(parseOciReference("oci://127.0.0.1:5000/a"), insecure)).toBe("http://127.0.0.1:5000");
    expect(registryBaseUrl(parseOciReference("oci://nephele:5000/a"), insecure)).toBe("http://nephele:5000");
    expect(registryBaseUrl(parseOciReference("oci://127.0.0.1:5001/a"), insecure)).toBe("https://127.0.0.1:5001");
    expect(registryBaseUrl(parseOciReference("https://127.0.0.1:5000/a"), insecure)).toBe("https://127.0.0.1:5000");
    expect(() => registryBaseUrl(parseOciReference("http://127.0.0.1:5001/a"), insecure)).toThrow(FailedPreconditionError);
  });
});

describe("artifact identity", () => {
  it("reads id and version", () => {
    expect(readArtifactIdentity('hdaGraph:\n  id: hello-world-graph\n  version: "1.0.0"\n')).toEqual({ id: "hello-world-graph", version: "1.0.0" });
  });

  it("names every bad field", () => {
    const err = (() => {
      try {
        readArtifactIdentity("hdaGraph:\n  id: Hello_World\n  version: one\n");
      } catch (e) {
        return e as InvalidArgumentError;
      }
    })();
    expect(err?.violations.map((v) => v.field)).toEqual(["hdaGraph.id", "hdaGraph.version"]);
    expect(() => readArtifactIdentity("a: [")).toThrow(InvalidArgumentError);
    expect(() => readArtifactIdentity("services: []\n")).toThrow(/no hdaGraph/);
  });
});
