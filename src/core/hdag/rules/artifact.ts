// hdaGraph.services[i].artifact: the chart or VO image NEPHELE deploys, plus smo's `container` extension
// for workloads smo renders itself.
import type { Ctx } from "../fields.js";
import { at, readEnum, readList, readNumber, readObject, readString, warnUnknownFields } from "../fields.js";
import { imageReferenceProblem, isEnvName, ociReferenceProblem } from "../formats.js";
import type { ArtifactSpec, ContainerSpec } from "../model.js";
import type { Path } from "../paths.js";
import { ARTIFACT_TYPES, IMPLEMENTERS } from "../schema.js";
import { describe, type JsonObject } from "../values.js";

export function checkArtifact(ctx: Ctx, value: unknown, path: Path): ArtifactSpec | undefined {
  const before = ctx.issues.errors;
  const obj = readObject(ctx, value, path, "an object {ociImage, ociConfig, ociRun, valuesOverwrite}", { required: true });
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, "artifact");

  const ociImage = readString(ctx, at(obj, "ociImage"), [...path, "ociImage"], {
    required: true,
    nonEmpty: true,
    what: "an oci:// or https:// reference",
  });
  if (ociImage !== undefined) {
    const problem = ociReferenceProblem(ociImage);
    if (problem) ctx.issues.error([...path, "ociImage"], `expected an oci://host[:port]/project/name or https:// reference, found ${describe(ociImage)}: ${problem}`);
  }

  const config = readObject(ctx, at(obj, "ociConfig"), [...path, "ociConfig"], "an object {type, implementer}", { required: true });
  let type, implementer;
  if (config) {
    warnUnknownFields(ctx, config, [...path, "ociConfig"], "ociConfig");
    type = readEnum(ctx, at(config, "type"), [...path, "ociConfig", "type"], ARTIFACT_TYPES, { required: true });
    implementer = readEnum(ctx, at(config, "implementer"), [...path, "ociConfig", "implementer"], IMPLEMENTERS, { required: true });
  }

  const run = readObject(ctx, at(obj, "ociRun"), [...path, "ociRun"], "an object {name, version}", { required: true });
  const ociRun: ArtifactSpec["ociRun"] = {};
  if (run) {
    warnUnknownFields(ctx, run, [...path, "ociRun"], "ociRun");
    const name = readString(ctx, at(run, "name"), [...path, "ociRun", "name"]);
    const version = readString(ctx, at(run, "version"), [...path, "ociRun", "version"]);
    if (name !== undefined) ociRun.name = name;
    if (version !== undefined) ociRun.version = version;
  }

  // Helm values: free-form by design, passed through untouched (no unknown-field warnings inside).
  const values = readObject(ctx, at(obj, "valuesOverwrite"), [...path, "valuesOverwrite"], "an object of Helm values");
  const container = checkContainer(ctx, at(obj, "container"), [...path, "container"]);

  if (ctx.issues.errors > before || ociImage === undefined || type === undefined || implementer === undefined) return undefined;
  const spec: ArtifactSpec = { ociImage, type, implementer, ociRun, valuesOverwrite: values ?? {} };
  if (container) spec.container = container;
  return spec;
}

/** smo extension: `container {image, ports[], env{}}` for the manifest deployer. */
function checkContainer(ctx: Ctx, value: unknown, path: Path): ContainerSpec | undefined {
  const obj = readObject(ctx, value, path, "an object {image, ports, env}");
  if (!obj) return undefined;
  warnUnknownFields(ctx, obj, path, "container");
  const before = ctx.issues.errors;

  const image = readString(ctx, at(obj, "image"), [...path, "image"], { required: true, nonEmpty: true, what: "a container image reference" });
  if (image !== undefined) {
    const problem = imageReferenceProblem(image);
    if (problem) ctx.issues.error([...path, "image"], `expected a container image reference ([host[:port]/]name[:tag][@digest]), found ${describe(image)}: ${problem}`);
  }

  const ports: number[] = [];
  readList(ctx, at(obj, "ports"), [...path, "ports"], "a list of port numbers")?.forEach((item, i) => {
    const port = readNumber(ctx, item, [...path, "ports", i], { required: true, integer: true, min: 1 });
    if (port === undefined) return;
    if (port > 65535) ctx.issues.error([...path, "ports", i], `expected a port number from 1 to 65535, found number ${port}`);
    else if (ports.includes(port)) ctx.issues.error([...path, "ports", i], `expected each port once, found ${port} again (first at ports[${ports.indexOf(port)}])`);
    else ports.push(port);
  });

  const env = checkEnv(ctx, at(obj, "env"), [...path, "env"]);
  if (ctx.issues.errors > before || image === undefined) return undefined;
  return { image, ports, env };
}

function checkEnv(ctx: Ctx, value: unknown, path: Path): Record<string, string> {
  const obj: JsonObject | undefined = readObject(ctx, value, path, "an object of NAME: value strings");
  const entries: [string, string][] = [];
  for (const [name, v] of Object.entries(obj ?? {})) {
    if (!isEnvName(name)) {
      ctx.issues.error([...path, name], `expected an environment variable name (letters, digits, "_", "-", ".", not starting with a digit), found ${describe(name)}`);
      continue;
    }
    const s = readString(ctx, v, [...path, name], { required: true });
    if (s !== undefined) entries.push([name, s]);
  }
  // fromEntries defines own properties, so a key such as "__proto__" stays data.
  return Object.fromEntries(entries);
}
