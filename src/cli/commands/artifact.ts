// `smo artifact push FILE oci://HOST/PROJECT` and `smo artifact pull oci://REF [-o DIR]`: hdarctl's push and
// pull for HDAG descriptors, talking to the registry directly (no sidecar needed).
import { mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import {
  createOciArtifactSource,
  insecureRegistriesFromEnv,
  parseOciReference,
  pushDescriptor,
  type OciClientOptions,
} from "../../adapters/oci/index.js";
import { InvalidArgumentError } from "../../core/errors.js";
import type { CommandIO } from "../main.js";

const USAGE = `usage:
  smo artifact push FILE oci://HOST[:PORT]/PROJECT [--insecure]
  smo artifact pull oci://HOST[:PORT]/REPO[:TAG|@DIGEST] [-o DIR] [--insecure]

options:
  --insecure             allow plain HTTP to this registry (also SMO_INSECURE_REGISTRIES, INSECURE_REGISTRY)
  --username USER        registry user (also SMO_REGISTRY_USERNAME); password from SMO_REGISTRY_PASSWORD
  --docker-config PATH   Docker config.json with "auths" (default $DOCKER_CONFIG/config.json or ~/.docker/config.json)
  -o, --output DIR       pull: write the descriptor into DIR instead of printing it
`;

function clientOptions(reference: string, values: { insecure?: boolean; username?: string; "docker-config"?: string }, env: NodeJS.ProcessEnv): OciClientOptions {
  const ref = parseOciReference(reference);
  const insecureRegistries = insecureRegistriesFromEnv(env);
  if (values.insecure) insecureRegistries.push(ref.registry);
  const username = values.username ?? env.SMO_REGISTRY_USERNAME;
  const password = env.SMO_REGISTRY_PASSWORD;
  const dockerDir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), ".docker");
  return {
    insecureRegistries,
    dockerConfigPath: values["docker-config"] ?? join(dockerDir, "config.json"),
    ...(username && password !== undefined && { credentials: { [ref.registry]: { username, password } } }),
  };
}

function report(err: unknown, io: CommandIO): number {
  io.stderr.write(`smo artifact: ${(err as Error).message}\n`);
  if (err instanceof InvalidArgumentError) {
    for (const v of err.violations) io.stderr.write(`  ${v.field}: ${v.description}\n`);
  }
  return 1;
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        insecure: { type: "boolean" },
        username: { type: "string" },
        "docker-config": { type: "string" },
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    io.stderr.write(`smo artifact: ${(err as Error).message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (action === "push" && rest.length === 2) {
      const [file, target] = rest as [string, string];
      const pushed = await pushDescriptor(file, target, clientOptions(target, values, io.env));
      io.stdout.write(`Pushed: ${pushed.reference}\nFile: ${pushed.fileName}\nDigest: ${pushed.digest}\n`);
      return 0;
    }
    if (action === "pull" && rest.length === 1) {
      const reference = rest[0]!;
      const pulled = await createOciArtifactSource(clientOptions(reference, values, io.env)).pull(reference);
      if (!values.output) {
        io.stdout.write(pulled.text.endsWith("\n") ? pulled.text : `${pulled.text}\n`);
        return 0;
      }
      await mkdir(values.output, { recursive: true });
      const path = join(values.output, basename(pulled.fileName));
      await writeFile(path, pulled.text);
      io.stdout.write(`Pulled: ${pulled.reference}\nDigest: ${pulled.digest}\nWrote: ${path}\n`);
      return 0;
    }
  } catch (err) {
    return report(err, io);
  }
  io.stderr.write(USAGE);
  return 1;
}
