// The Karmada API definitions the simulator holds itself to: every CustomResourceDefinition (*.yaml) in a
// directory (the real CRDs, see docs/ on the simulator), read at start, and Karmada's swagger.json for the
// aggregated cluster.karmada.io API. Nothing is copied into the code: a clone without the directory gets an
// empty catalog and a permissive simulator, and says so at start.
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { Schema } from "./structural.js";

/** One served version of a CRD. */
export interface CrdVersion {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  schema: Schema;
}

/** Swagger 2.0 definitions (for cluster.karmada.io, which Karmada serves from its aggregated API server). */
export type SwaggerDefinitions = Record<string, Schema & { $ref?: string; "x-kubernetes-group-version-kind"?: unknown[] }>;

export const KARMADA_API_ENV = "SMO_KARMADA_API_DIR";

/** The repository root: the nearest directory above this module with a package.json. */
export function repositoryRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) return from;
    dir = up;
  }
  return dir;
}

/** `--karmada-api` if given, else $SMO_KARMADA_API_DIR, else ../shared/karmada-api beside the repository. */
export function karmadaApiDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(explicit ?? (env[KARMADA_API_ENV] || join(repositoryRoot(), "..", "shared", "karmada-api")));
}

export class SchemaCatalog {
  private readonly byKind = new Map<string, CrdVersion>();

  constructor(
    readonly crds: readonly CrdVersion[] = [],
    readonly swagger: SwaggerDefinitions = {},
    /** Where the definitions came from; undefined for an empty (permissive) catalog. */
    readonly source?: string,
  ) {
    for (const c of crds) this.byKind.set(`${c.group}/${c.version}/${c.kind}`, c);
  }

  schemaOf(group: string, version: string, kind: string): Schema | undefined {
    return this.byKind.get(`${group}/${version}/${kind}`)?.schema;
  }

  get empty(): boolean {
    return this.crds.length === 0;
  }
}

/** Served versions with a schema, from the documents of one CRD file. */
export function crdVersions(doc: unknown): CrdVersion[] {
  const crd = doc as { kind?: string; spec?: Record<string, unknown> } | null;
  if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) return [];
  const spec = crd.spec as {
    group: string;
    scope: string;
    names: { kind: string; plural: string };
    versions?: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[];
  };
  return (spec.versions ?? [])
    .filter((v) => v.served !== false && v.schema?.openAPIV3Schema)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      kind: spec.names.kind,
      plural: spec.names.plural,
      namespaced: spec.scope === "Namespaced",
      schema: v.schema!.openAPIV3Schema!,
    }));
}

/**
 * Reads every CRD in `dir` (and swagger.json when present). A missing directory gives an empty catalog;
 * an unreadable or malformed file is an error, since running permissive by accident would hide bugs.
 */
export async function loadSchemaCatalog(dir: string): Promise<SchemaCatalog> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return new SchemaCatalog();
    throw err;
  }
  const crds: CrdVersion[] = [];
  for (const name of names.filter((n) => /\.ya?ml$/.test(n))) {
    const text = await readFile(join(dir, name), "utf8");
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${join(dir, name)}: ${doc.errors[0]!.message}`);
      crds.push(...crdVersions(doc.toJS()));
    }
  }
  let swagger: SwaggerDefinitions = {};
  if (names.includes("swagger.json")) {
    const parsed = JSON.parse(await readFile(join(dir, "swagger.json"), "utf8")) as { definitions?: SwaggerDefinitions };
    swagger = parsed.definitions ?? {};
  }
  return new SchemaCatalog(crds, swagger, dir);
}
