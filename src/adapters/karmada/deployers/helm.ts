// `helm` deployer: runs the helm CLI (execFile with an argv array, never a shell) like NEPHELE's SMO does:
//   helm upgrade --install <service.id> <ociImage> --values <tmp.yaml> --namespace <ns> --create-namespace
//        --kubeconfig <karmada kubeconfig> [--kube-context C] [--plain-http]
// and `helm uninstall <service.id> --namespace <ns> --kubeconfig …` to remove (a missing release is fine).
// The chart carries its own PropagationPolicy/ServiceExport/ServiceImport; placement reaches it through the
// injected values (helm-values.ts). `replicas` is not injected: charts decide the initial count and smo scales
// through the scale subresource afterwards.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import type { Logger } from "pino";
import { stringify } from "yaml";
import { FailedPreconditionError, InvalidArgumentError, UnavailableError } from "../../../core/errors.js";
import type { GraphModel, ServiceModel } from "../../../core/hdag/model.js";
import type { Deployer, WorkloadPlacement } from "../../../core/ports/karmada.js";
import { checkLabelName } from "../names.js";
import { helmValues } from "./helm-values.js";

export interface HelmDeployerOptions {
  /** Kubeconfig file of the Karmada control plane (helm needs a path). */
  kubeconfigPath: string;
  logger: Logger;
  /** A name looked up on PATH, or a path (default "helm"). */
  helmBinary?: string;
  /** Environment of the helm process; its PATH is where helm is looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
  kubeContext?: string;
  /** --plain-http: the chart registry speaks HTTP (NEPHELE's INSECURE_REGISTRY). */
  plainHttp?: boolean;
  /** Kill helm after this long (default 300000 ms). */
  timeoutMs?: number;
}

interface HelmResult {
  stdout: string;
  stderr: string;
}

class HelmFailure extends Error {
  constructor(
    readonly stderr: string,
    readonly timedOut: boolean,
    message: string,
  ) {
    super(message);
  }
}

const UNREACHABLE = /connection refused|i\/o timeout|no such host|timed out|unexpected EOF|503 Service Unavailable|502 Bad Gateway|cluster unreachable/i;
const RELEASE_NOT_FOUND = /release: not found|release not loaded/i;

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function resolveHelm(binary: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (binary.includes("/")) {
    if (isAbsolute(binary) && (await isExecutable(binary))) return binary;
    throw new FailedPreconditionError(`helm binary ${binary} is not an executable file (an absolute path is needed)`);
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (await isExecutable(candidate)) return candidate;
  }
  throw new FailedPreconditionError(`${binary} is not on PATH: the helm deployer needs the helm CLI (or use the manifest deployer)`);
}

function checkReference(field: string, value: string): void {
  // argv is never parsed by a shell, but helm itself would take a leading '-' as a flag.
  if (!value || value.startsWith("-") || /[\s\u0000-\u001f]/.test(value)) {
    throw new InvalidArgumentError(`${field} "${value}" is not a chart reference`, [
      { field, description: "an oci:// reference without spaces, not starting with '-'" },
    ]);
  }
}

export function createHelmDeployer(options: HelmDeployerOptions): Deployer {
  const env = options.env ?? process.env;
  const binary = options.helmBinary ?? "helm";
  const timeoutMs = options.timeoutMs ?? 300_000;
  const logger = options.logger.child({ component: "helm" });

  function common(namespace: string): string[] {
    const args = ["--namespace", namespace, "--kubeconfig", options.kubeconfigPath];
    if (options.kubeContext) args.push("--kube-context", options.kubeContext);
    return args;
  }

  async function helm(args: string[]): Promise<HelmResult> {
    const path = await resolveHelm(binary, env);
    logger.info({ argv: args }, "running helm");
    return new Promise((resolve, reject) => {
      execFile(path, args, { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr });
        const failure = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        const timedOut = failure.killed === true;
        reject(new HelmFailure(stderr, timedOut, `helm ${args[0]} failed: ${stderr.trim().split("\n").slice(-3).join(" ") || err.message}`));
      });
    });
  }

  function typed(err: unknown): Error {
    if (!(err instanceof HelmFailure)) return err as Error;
    if (err.timedOut) return new UnavailableError(`${err.message} (killed after ${timeoutMs} ms)`);
    if (UNREACHABLE.test(err.stderr)) return new UnavailableError(err.message);
    return new FailedPreconditionError(err.message);
  }

  return {
    name: "helm",

    async apply(
      namespace: string,
      graph: Pick<GraphModel, "id" | "intent">,
      service: ServiceModel,
      placement: WorkloadPlacement,
      _replicas: number,
    ): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service.id", service.id);
      checkReference("artifact.ociImage", service.artifact.ociImage);
      const values = helmValues(graph, service, placement);
      await resolveHelm(binary, env); // FAILED_PRECONDITION before any temp file is written
      const dir = await mkdtemp(join(tmpdir(), "smo-helm-"));
      try {
        const valuesFile = join(dir, "values.yaml");
        await writeFile(valuesFile, stringify(values), { mode: 0o600 });
        const args = ["upgrade", "--install", service.id, service.artifact.ociImage, "--values", valuesFile];
        args.push(...common(namespace), "--create-namespace");
        if (options.plainHttp) args.push("--plain-http");
        await helm(args);
      } catch (err) {
        throw typed(err);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },

    async remove(namespace: string, _graphId: string, service: ServiceModel): Promise<void> {
      checkLabelName("namespace", namespace);
      checkLabelName("service.id", service.id);
      try {
        await helm(["uninstall", service.id, ...common(namespace)]);
      } catch (err) {
        if (err instanceof HelmFailure && !err.timedOut && RELEASE_NOT_FOUND.test(err.stderr)) {
          logger.debug({ release: service.id, namespace }, "helm release already absent");
          return;
        }
        throw typed(err);
      }
    },
  };
}
