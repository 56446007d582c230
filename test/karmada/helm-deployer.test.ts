// The helm deployer against a recording stand-in `helm` (a small executable this test writes into a temp
// dir put first on PATH): asserts the exact argv and the values file helm would have been given.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FailedPreconditionError, InvalidArgumentError } from "../../src/core/errors.js";
import { createHelmDeployer } from "../../src/adapters/karmada/index.js";
import { makeGraph, makeService, silentLogger } from "./fixtures.js";

interface Recorded {
  args: string[];
  valuesPath?: string;
  values?: string;
}

let dir: string;
let bin: string;
let record: string;
const kubeconfigPath = "/tmp/karmada-apiserver.config";

/** The stand-in: records argv and the values file; fails like helm when told to through its env. */
function standIn(recordPath: string): string {
  return `#!${process.execPath}
const fs = require("node:fs");
const args = process.argv.slice(2);
const i = args.indexOf("--values");
const entry = { args };
if (i >= 0) { entry.valuesPath = args[i + 1]; entry.values = fs.readFileSync(args[i + 1], "utf8"); }
fs.appendFileSync(${JSON.stringify(recordPath)}, JSON.stringify(entry) + "\\n");
if (process.env.FAKE_HELM_STDERR) { process.stderr.write(process.env.FAKE_HELM_STDERR + "\\n"); process.exit(1); }
process.stdout.write("Release has been upgraded. Happy Helming!\\n");
`;
}

async function recorded(): Promise<Recorded[]> {
  if (!existsSync(record)) return [];
  return (await readFile(record, "utf8")).trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Recorded);
}

function deployer(extraEnv: Record<string, string> = {}, plainHttp = false) {
  return createHelmDeployer({
    kubeconfigPath,
    logger: silentLogger,
    plainHttp,
    env: { ...process.env, ...extraEnv, PATH: `${bin}:${process.env.PATH ?? ""}` },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "smo-helm-test-"));
  bin = join(dir, "bin");
  record = join(dir, "calls.jsonl");
  await mkdir(bin);
  await writeFile(join(bin, "helm"), standIn(record));
  await chmod(join(bin, "helm"), 0o755);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await rm(record, { force: true });
});

describe("helm deployer", () => {
  it("runs helm upgrade --install with the chart, a values file and the Karmada kubeconfig", async () => {
    const service = makeService("noise-reduction", {
      artifact: { ...makeService("x").artifact, ociImage: "oci://127.0.0.1:5000/brussels-demo/noise-reduction", valuesOverwrite: { service: { port: 9090 } } },
    });
    await deployer().apply("brussels", makeGraph("brussels"), service, { clusters: ["member2"], importClusters: ["member1", "member1"] }, 1);
    const calls = await recorded();
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.args).toEqual([
      "upgrade", "--install", "noise-reduction", "oci://127.0.0.1:5000/brussels-demo/noise-reduction",
      "--values", call.valuesPath,
      "--namespace", "brussels", "--kubeconfig", kubeconfigPath, "--create-namespace",
    ]);
    // NEPHELE's injection: valuesOverwrite kept, one cluster, import clusters as given (not deduplicated).
    expect(parse(call.values!)).toEqual({ service: { port: 9090 }, clustersAffinity: ["member2"], serviceImportClusters: ["member1", "member1"] });
    // The temp values file does not outlive the call.
    expect(existsSync(call.valuesPath!)).toBe(false);
  });

  it("nests the placement under voChartOverwrite for implementer WOT and adds --plain-http when asked", async () => {
    const base = makeService("image-compression-vo");
    const service = makeService("image-compression-vo", {
      artifact: { ...base.artifact, type: "VO", implementer: "WOT", valuesOverwrite: { voDescriptorOverwrite: { catalogue: 9090 } } },
    });
    await deployer({}, true).apply("brussels", makeGraph("brussels"), service, { clusters: ["member1"], importClusters: [] }, 1);
    const [call] = await recorded();
    expect(call!.args.at(-1)).toBe("--plain-http");
    expect(parse(call!.values!)).toEqual({
      voDescriptorOverwrite: { catalogue: 9090 },
      voChartOverwrite: { clustersAffinity: ["member1"], serviceImportClusters: [] },
    });
  });

  it("injects nothing under useStaticPlacement (the chart's own values decide)", async () => {
    const service = makeService("hello-world", { artifact: { ...makeService("hello-world").artifact, valuesOverwrite: { replicas: 2 } } });
    await deployer().apply("hello", makeGraph("hello", true), service, { clusters: ["member3"], importClusters: ["member1"] }, 1);
    const [call] = await recorded();
    expect(parse(call!.values!)).toEqual({ replicas: 2 });
    // The descriptor's own valuesOverwrite object is not mutated by the injection.
    expect(service.artifact.valuesOverwrite).toEqual({ replicas: 2 });
  });

  it("uninstalls with helm uninstall, and a release that is already gone is fine", async () => {
    const service = makeService("image-detection");
    await deployer().remove("brussels", "brussels", service);
    await deployer({ FAKE_HELM_STDERR: "Error: uninstall: Release not loaded: image-detection: release: not found" }).remove(
      "brussels",
      "brussels",
      service,
    );
    const calls = await recorded();
    expect(calls.map((c) => c.args)).toEqual([
      ["uninstall", "image-detection", "--namespace", "brussels", "--kubeconfig", kubeconfigPath],
      ["uninstall", "image-detection", "--namespace", "brussels", "--kubeconfig", kubeconfigPath],
    ]);
  });

  it("reports a failing helm as FailedPreconditionError with helm's message", async () => {
    const failing = deployer({ FAKE_HELM_STDERR: "Error: INSTALLATION FAILED: chart not found" });
    const apply = failing.apply("brussels", makeGraph("brussels"), makeService("image-detection"), { clusters: ["member1"], importClusters: [] }, 1);
    await expect(apply).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(apply).rejects.toThrow(/chart not found/);
  });

  it("is FAILED_PRECONDITION when helm is not on PATH, before running anything", async () => {
    const empty = join(dir, "empty");
    await mkdir(empty, { recursive: true });
    const noHelm = createHelmDeployer({ kubeconfigPath, logger: silentLogger, env: { PATH: empty } });
    const service = makeService("image-detection");
    await expect(noHelm.apply("brussels", makeGraph("brussels"), service, { clusters: ["member1"], importClusters: [] }, 1)).rejects.toBeInstanceOf(
      FailedPreconditionError,
    );
    await expect(noHelm.remove("brussels", "brussels", service)).rejects.toThrow(/not on PATH/);
    expect(await recorded()).toEqual([]);
  });

  it("rejects a chart reference helm would read as a flag, and a namespace that is no RFC 1123 label", async () => {
    const service = makeService("evil", { artifact: { ...makeService("evil").artifact, ociImage: "--post-renderer=/bin/sh" } });
    await expect(deployer().apply("ns", makeGraph("g"), service, { clusters: ["member1"], importClusters: [] }, 1)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(deployer().apply("Bad_NS", makeGraph("g"), makeService("ok"), { clusters: ["member1"], importClusters: [] }, 1)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(await recorded()).toEqual([]);
  });
});
